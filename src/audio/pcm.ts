/**
 * Audio formats as the realtime protocol names them, and small helpers between bytes, samples
 * and milliseconds. PCM is 16-bit little-endian mono.
 */

export type AudioFormatType = 'audio/pcm' | 'audio/pcmu' | 'audio/pcma';

export interface AudioFormat {
  type: AudioFormatType;
  /** Samples per second; 24 000 for `audio/pcm`, 8 000 for G.711. */
  rateHz: number;
}

export const PCM24K: AudioFormat = Object.freeze({ type: 'audio/pcm', rateHz: 24_000 });
export const PCMU8K: AudioFormat = Object.freeze({ type: 'audio/pcmu', rateHz: 8_000 });

/** Bytes per sample for a format: 2 for PCM16, 1 for G.711. */
export function bytesPerSample(format: AudioFormat): number {
  return format.type === 'audio/pcm' ? 2 : 1;
}

export function bytesToMs(bytes: number, format: AudioFormat): number {
  return (bytes / bytesPerSample(format) / format.rateHz) * 1000;
}

export function msToBytes(ms: number, format: AudioFormat): number {
  return Math.round((ms * format.rateHz) / 1000) * bytesPerSample(format);
}

export function samplesToMs(samples: number, rateHz: number): number {
  return (samples / rateHz) * 1000;
}

export function msToSamples(ms: number, rateHz: number): number {
  return Math.round((ms * rateHz) / 1000);
}

/**
 * A little-endian Int16Array view over bytes, without copying when the bytes are 2-aligned
 * (Node Buffers from the pool often are not: then the bytes are copied once).
 */
export function pcm16View(bytes: Uint8Array): Int16Array {
  const samples = bytes.byteLength >> 1;
  if ((bytes.byteOffset & 1) === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, samples);
  const copy = new Int16Array(samples);
  new Uint8Array(copy.buffer).set(bytes.subarray(0, samples * 2));
  return copy;
}

/** The bytes of PCM16 samples (a view, no copy). */
export function pcm16Bytes(samples: Int16Array): Uint8Array {
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}
