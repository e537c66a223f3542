export { createGateway, type Gateway } from './gateway.js';
export type { GatewayOptions, GatewayCatalog, CallHandler } from './types.js';
export { HTTP_ERROR } from './errors.js';
export { BUSY_APOLOGY } from './twilioRoutes.js';
export { toWebSocketUrl, STREAM_PATH } from './urls.js';
