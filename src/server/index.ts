export { createGateway, type Gateway } from './gateway.js';
export type { GatewayOptions, GatewayCatalog, CallHandler } from './types.js';
export { HTTP_ERROR } from './errors.js';
export { checkWebhookSecurity, isLoopbackUrl, type WebhookSecurityInput } from './startupChecks.js';
export { onStopSignals, STOP_SIGNALS, type StopSignal, type StopSignalHandlers, type StopSignalState } from './stopSignals.js';
export * from './fleet/index.js';
