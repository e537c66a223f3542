/** Media formats carriers declare (see `MediaFormat`). */
import { ULAW_SILENCE } from '../audio/index.js';
import type { MediaFormat } from './carrier.js';

/** G.711 μ-law, 8 kHz, 20 ms frames of 160 bytes: the telephone network's native format. */
export const PCMU_8K_20MS: MediaFormat = Object.freeze({
  encoding: 'audio/x-mulaw',
  sampleRateHz: 8000,
  frameMs: 20,
  frameBytes: 160,
  silenceByte: ULAW_SILENCE,
});
