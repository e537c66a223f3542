/** Model-side engines: the `ModelSession` seam and what implements it. */
export * from './modelSession.js';
export * from './emulator/index.js';
export * from './openai-realtime/index.js';
export * from './select.js';
export * from './tts/index.js';
export { cascadeEngine, cascadeModels, cascadeVoiceFor, DEFAULT_TEXT_MODEL, DEFAULT_TTS_MODEL } from './cascade/engine.js';
export { unknownVoices, cascadeVoiceIds, type VoiceProblem } from './cascade/voices.js';
