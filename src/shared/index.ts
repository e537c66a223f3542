export * from './errors.js';
export * from './time.js';
export * from './ids.js';
