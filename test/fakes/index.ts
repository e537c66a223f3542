export * from './twilioApi.js';
export * from './callHandler.js';
