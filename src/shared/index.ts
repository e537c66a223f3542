export * from './errors.js';
export * from './time.js';
export * from './ids.js';
export * from './sqlState.js';
export * from './zodIssues.js';
export type * from './db.js';
export * from './toolAudit.js';
export * from './channel.js';
