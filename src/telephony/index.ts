export * from './types.js';
export * from './errors.js';
export { twilioSerializer } from './serializers/twilio.js';
export { CarrierSocket, DEFAULT_START_TIMEOUT_MS, type CarrierSocketOptions } from './carrierSocket.js';
export * from './twiml.js';
export * from './signature.js';
export * from './rest.js';
export * from './http.js';
