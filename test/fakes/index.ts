export * from './twilioApi.js';
export * from './callHandler.js';
export * from './otlpReceiver.js';
