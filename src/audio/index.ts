/** Audio building blocks: G.711 μ-law and A-law, PCM helpers, energy, VAD, framing, resampling, speech. */
export * from './ulaw.js';
export * from './alaw.js';
export * from './pcm.js';
export * from './energy.js';
export * from './vad.js';
export * from './framing.js';
export * from './resampler.js';
export * from './speechShape.js';
export * from './synth.js';
