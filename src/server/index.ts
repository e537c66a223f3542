export { createGateway, type Gateway } from './gateway.js';
export type { GatewayOptions, GatewayCatalog, CallHandler } from './types.js';
export { HTTP_ERROR } from './errors.js';
export { checkWebhookSecurity, isLoopbackUrl, type WebhookSecurityInput } from './startupChecks.js';
export * from './fleet/index.js';
