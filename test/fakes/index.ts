export * from './twilioApi.js';
