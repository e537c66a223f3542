/**
 * Energy of audio frames, as RMS on a 0..1 scale (1 = full-scale square wave) and in dBFS.
 * μ-law frames are measured through a squared-amplitude table, never decoded.
 */
import { ULAW_SQUARE_TABLE } from './ulaw.js';

const FULL_SCALE = 32768;

/** RMS of PCM16 samples `[start, end)` on a 0..1 scale. */
export function pcm16Rms(samples: Int16Array, start = 0, end = samples.length): number {
  const n = end - start;
  if (n <= 0) return 0;
  let sum = 0;
  for (let i = start; i < end; i++) {
    const s = samples[i]!;
    sum += s * s;
  }
  return Math.sqrt(sum / n) / FULL_SCALE;
}

/** RMS of μ-law bytes `[start, end)` on a 0..1 scale. */
export function ulawRms(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const n = end - start;
  if (n <= 0) return 0;
  const table = ULAW_SQUARE_TABLE;
  let sum = 0;
  for (let i = start; i < end; i++) sum += table[bytes[i]!]!;
  return Math.sqrt(sum / n) / FULL_SCALE;
}

/** RMS of little-endian PCM16 bytes `[startByte, endByte)`, read in place (any alignment). */
export function pcm16BytesRms(bytes: Uint8Array, startByte = 0, endByte = bytes.length): number {
  const end = startByte + ((endByte - startByte) & ~1);
  const n = (end - startByte) >> 1;
  if (n <= 0) return 0;
  let sum = 0;
  for (let i = startByte; i < end; i += 2) {
    const v = bytes[i]! | (bytes[i + 1]! << 8);
    const s = v >= 0x8000 ? v - 0x10000 : v;
    sum += s * s;
  }
  return Math.sqrt(sum / n) / FULL_SCALE;
}

export function rmsToDbfs(rms: number): number {
  return rms <= 0 ? -Infinity : 20 * Math.log10(rms);
}

export function dbfsToRms(dbfs: number): number {
  return Math.pow(10, dbfs / 20);
}
