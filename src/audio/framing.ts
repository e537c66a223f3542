/**
 * Fixed-size framing: bytes arrive in chunks of any size and leave as whole frames (Twilio's
 * 20 ms = 160 μ-law bytes, say). At most one partial frame is held; the frame handed to the
 * callback is a reused buffer, valid only during the call.
 */
import type { AudioFormat } from './pcm.js';
import { bytesPerSample } from './pcm.js';

/** Bytes in one frame of `frameMs` milliseconds of `format`. */
export function frameBytes(format: AudioFormat, frameMs = 20): number {
  return Math.round((format.rateHz * frameMs) / 1000) * bytesPerSample(format);
}

export class Framer {
  readonly frameSize: number;
  private readonly frame: Uint8Array;
  private filled = 0;

  constructor(frameSize: number) {
    if (!Number.isInteger(frameSize) || frameSize <= 0) throw new RangeError(`frame size must be a positive integer, got ${frameSize}`);
    this.frameSize = frameSize;
    this.frame = new Uint8Array(frameSize);
  }

  /** Bytes waiting for the rest of their frame. */
  get pending(): number {
    return this.filled;
  }

  /** Adds bytes; calls `onFrame` once per completed frame. */
  push(bytes: Uint8Array, onFrame: (frame: Uint8Array) => void): void {
    let offset = 0;
    const n = bytes.length;
    const size = this.frameSize;
    if (this.filled > 0) {
      const take = Math.min(size - this.filled, n);
      this.frame.set(bytes.subarray(0, take), this.filled);
      this.filled += take;
      offset = take;
      if (this.filled < size) return;
      this.filled = 0;
      onFrame(this.frame);
    }
    while (n - offset >= size) {
      // Whole frames straight from the input when nothing is pending: no copy.
      onFrame(bytes.subarray(offset, offset + size));
      offset += size;
    }
    if (offset < n) {
      this.frame.set(bytes.subarray(offset), 0);
      this.filled = n - offset;
    }
  }

  /** Emits the partial frame padded with `padByte` (0xFF is μ-law silence; 0 for PCM). */
  flush(onFrame: (frame: Uint8Array) => void, padByte = 0): void {
    if (this.filled === 0) return;
    this.frame.fill(padByte, this.filled);
    this.filled = 0;
    onFrame(this.frame);
  }

  /** Drops the partial frame (barge-in: the rest of the old audio must not leak out). */
  clear(): void {
    this.filled = 0;
  }
}

/** Splits a whole clip into chunks of `chunkBytes` (views, no copies); the last may be shorter. */
export function* chunks(bytes: Uint8Array, chunkBytes: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += chunkBytes) yield bytes.subarray(i, Math.min(bytes.length, i + chunkBytes));
}
