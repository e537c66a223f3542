/** Text to speech for canned lines: OpenAI, ElevenLabs, and the offline espeak-ng voice. */
export * from './types.js';
export { openAiSpeechRenderer, pcm16FromBytes, OPENAI_TTS_MODEL, type OpenAiSpeechOptions } from './openaiSpeech.js';
export { elevenLabsSpeechRenderer, ELEVENLABS_TTS_MODEL, type ElevenLabsSpeechOptions } from './elevenlabsSpeech.js';
export { espeakSpeechRenderer, espeakAvailable } from './espeakSpeech.js';
