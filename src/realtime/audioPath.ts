/**
 * The one place audio formats change. Passthrough (the model speaks `audio/pcmu`): the carrier's
 * base64 goes to the model untouched and the model's base64 is only re-cut into 20 ms frames.
 * Transcoding (the model speaks 24 kHz PCM16): μ-law ↔ PCM16 with one stateful resampler per
 * direction, frame by frame, buffers reused.
 */
import type { ModelAudio } from '../engines/index.js';
import { loadResamplerModule, Resampler } from '../audio/index.js';
import { ulawDecode, ulawEncode } from '../audio/index.js';
import type { Playback } from './playback.js';

export interface AudioPath {
  readonly modelAudio: ModelAudio;
  /** Carrier μ-law (base64) → the `audio` of an `input_audio_buffer.append`. */
  toModel(ulawBase64: string): string;
  /** A model audio delta (base64) → μ-law frames on the playback. */
  toCarrier(deltaBase64: string, itemId: string, responseId: string, contentIndex: number, playback: Playback): void;
  /** Milliseconds of audio in a model delta. */
  deltaMs(deltaBase64: string): number;
  close(): void;
}

/** Decoded size of a base64 string. */
export function base64Bytes(b64: string): number {
  const n = b64.length;
  if (n === 0) return 0;
  const pad = b64.charCodeAt(n - 1) === 61 ? (b64.charCodeAt(n - 2) === 61 ? 2 : 1) : 0;
  return ((n * 3) >>> 2) - pad;
}

export class PassthroughAudio implements AudioPath {
  readonly modelAudio = 'pcmu' as const;
  toModel(ulawBase64: string): string {
    return ulawBase64;
  }
  toCarrier(deltaBase64: string, itemId: string, responseId: string, contentIndex: number, playback: Playback): void {
    playback.pushBase64(itemId, responseId, contentIndex, deltaBase64);
  }
  deltaMs(deltaBase64: string): number {
    return base64Bytes(deltaBase64) / 8;
  }
  close(): void {}
}

/** A byte buffer at offset 0 of its own ArrayBuffer, so Int16 views over it are aligned. */
function alignedBuffer(bytes: number): Buffer {
  return Buffer.from(new ArrayBuffer(bytes));
}

export class TranscodingAudio implements AudioPath {
  readonly modelAudio = 'pcm24k' as const;
  private inBytes = alignedBuffer(320);
  private inPcm = new Int16Array(320);
  private outBytes = alignedBuffer(16384);
  private outUlaw = new Uint8Array(8192);
  /** A byte left over when a delta ends in the middle of a sample. */
  private carry = -1;

  private constructor(private readonly up: Resampler, private readonly down: Resampler) {}

  static async create(quality = 4): Promise<TranscodingAudio> {
    const mod = await loadResamplerModule();
    return new TranscodingAudio(
      new Resampler(mod, { fromHz: 8000, toHz: 24000, quality }),
      new Resampler(mod, { fromHz: 24000, toHz: 8000, quality }),
    );
  }

  toModel(ulawBase64: string): string {
    const max = (ulawBase64.length >>> 2) * 3 + 3;
    if (this.inBytes.length < max) this.inBytes = alignedBuffer(max * 2);
    const n = this.inBytes.write(ulawBase64, 0, 'base64');
    if (this.inPcm.length < n) this.inPcm = new Int16Array(n * 2);
    const pcm8k = ulawDecode(this.inBytes.subarray(0, n), this.inPcm.subarray(0, n));
    const pcm24k = this.up.process(pcm8k);
    return Buffer.from(pcm24k.buffer, pcm24k.byteOffset, pcm24k.byteLength).toString('base64');
  }

  toCarrier(deltaBase64: string, itemId: string, responseId: string, contentIndex: number, playback: Playback): void {
    const max = (deltaBase64.length >>> 2) * 3 + 4;
    if (this.outBytes.length < max) this.outBytes = alignedBuffer(max * 2);
    let start = 0;
    if (this.carry >= 0) {
      this.outBytes[0] = this.carry;
      start = 1;
      this.carry = -1;
    }
    let n = start + this.outBytes.write(deltaBase64, start, 'base64');
    if (n & 1) {
      this.carry = this.outBytes[n - 1]!;
      n -= 1;
    }
    if (n === 0) return;
    const pcm24k = new Int16Array(this.outBytes.buffer, this.outBytes.byteOffset, n >> 1);
    const pcm8k = this.down.process(pcm24k);
    if (this.outUlaw.length < pcm8k.length) this.outUlaw = new Uint8Array(pcm8k.length * 2);
    const ulaw = ulawEncode(pcm8k, this.outUlaw.subarray(0, pcm8k.length));
    playback.pushBytes(itemId, responseId, contentIndex, ulaw, ulaw.length);
  }

  deltaMs(deltaBase64: string): number {
    return base64Bytes(deltaBase64) / 48;
  }

  close(): void {
    this.up.close();
    this.down.close();
  }
}

export async function createAudioPath(audio: ModelAudio): Promise<AudioPath> {
  return audio === 'pcmu' ? new PassthroughAudio() : TranscodingAudio.create();
}
