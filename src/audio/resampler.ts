/**
 * A stateful PCM16 resampler over the Speex resampler (WebAssembly, BSD-3). Keep one instance
 * per call per direction: the filter state carries across frames, so frame-by-frame output is
 * as clean as resampling the whole stream at once. Output buffers are reused; `process` returns
 * a view that stays valid until the next call on the same instance.
 */
import type { SpeexResamplerModule } from '@echogarden/speex-resampler-wasm/simd';
import { AppError } from '../shared/index.js';

let modulePromise: Promise<SpeexResamplerModule> | undefined;

/** Loads the WebAssembly module once per process. */
export function loadResamplerModule(): Promise<SpeexResamplerModule> {
  modulePromise ??= import('@echogarden/speex-resampler-wasm/simd').then((m) => m.default());
  return modulePromise;
}

export interface ResamplerOptions {
  fromHz: number;
  toHz: number;
  /** Speex quality 0..10; 3–5 is the sweet spot for speech (default 4). */
  quality?: number;
}

export class Resampler {
  readonly fromHz: number;
  readonly toHz: number;
  private readonly mod: SpeexResamplerModule;
  private state: number;
  private lenPtr: number;
  private inPtr = 0;
  private outPtr = 0;
  private inCap = 0;
  private outCap = 0;
  private out = new Int16Array(0);

  /** Use `createResampler` (which loads the module) unless the module is already at hand. */
  constructor(mod: SpeexResamplerModule, options: ResamplerOptions) {
    this.mod = mod;
    this.fromHz = options.fromHz;
    this.toHz = options.toHz;
    const quality = options.quality ?? 4;
    if (!Number.isInteger(quality) || quality < 0 || quality > 10) {
      throw new AppError('AUDIO_RESAMPLER_OPTIONS', `resampler quality must be 0..10, got ${quality}`);
    }
    const errPtr = mod._malloc(4);
    this.state = mod._speex_resampler_init(1, this.fromHz, this.toHz, quality, errPtr);
    const err = mod.HEAP32[errPtr >> 2]!;
    mod._free(errPtr);
    if (this.state === 0 || err !== 0) {
      throw new AppError('AUDIO_RESAMPLER_INIT', `speex resampler init failed (${this.fromHz}→${this.toHz} Hz, code ${err})`);
    }
    this.lenPtr = mod._malloc(8);
  }

  /** Output samples expected for `inputSamples` input samples (steady state). */
  outputLength(inputSamples: number): number {
    return Math.ceil((inputSamples * this.toHz) / this.fromHz);
  }

  /** Input latency of the filter, in input samples. */
  get inputLatency(): number {
    return this.mod._speex_resampler_get_input_latency(this.state);
  }

  /** Drops the filter's leading zeros (for one-shot conversions that must stay aligned). */
  skipZeros(): void {
    this.mod._speex_resampler_skip_zeros(this.state);
  }

  /**
   * Resamples one chunk. Returns a view of a reused buffer: copy it if you keep it past the
   * next call.
   */
  process(input: Int16Array): Int16Array {
    if (this.state === 0) throw new AppError('AUDIO_RESAMPLER_CLOSED', 'resampler is closed');
    const n = input.length;
    if (n === 0) return this.out.subarray(0, 0);
    this.ensureCapacity(n, this.outputLength(n) + 64);
    const mod = this.mod;
    mod.HEAP16.set(input, this.inPtr >> 1);
    const u32 = mod.HEAPU32;
    u32[this.lenPtr >> 2] = n;
    u32[(this.lenPtr >> 2) + 1] = this.outCap;
    mod._speex_resampler_process_int(this.state, 0, this.inPtr, this.lenPtr, this.outPtr, this.lenPtr + 4);
    const written = mod.HEAPU32[(this.lenPtr >> 2) + 1]!;
    if (this.out.length < written) this.out = new Int16Array(Math.max(written, this.outCap));
    this.out.set(mod.HEAP16.subarray(this.outPtr >> 1, (this.outPtr >> 1) + written));
    return this.out.subarray(0, written);
  }

  /** Resets the filter state (a new, unrelated stream). */
  reset(): void {
    if (this.state !== 0) this.mod._speex_resampler_reset_mem(this.state);
  }

  close(): void {
    if (this.state === 0) return;
    const mod = this.mod;
    mod._speex_resampler_destroy(this.state);
    this.state = 0;
    mod._free(this.lenPtr);
    if (this.inPtr) mod._free(this.inPtr);
    if (this.outPtr) mod._free(this.outPtr);
    this.inPtr = 0;
    this.outPtr = 0;
  }

  private ensureCapacity(inSamples: number, outSamples: number): void {
    const mod = this.mod;
    if (inSamples > this.inCap) {
      if (this.inPtr) mod._free(this.inPtr);
      this.inCap = Math.max(inSamples, 2 * this.inCap);
      this.inPtr = mod._malloc(this.inCap * 2);
    }
    if (outSamples > this.outCap) {
      if (this.outPtr) mod._free(this.outPtr);
      this.outCap = Math.max(outSamples, 2 * this.outCap);
      this.outPtr = mod._malloc(this.outCap * 2);
    }
  }
}

/** A stateful resampler for one direction of one stream. Call `close()` when the stream ends. */
export async function createResampler(options: ResamplerOptions): Promise<Resampler> {
  const mod = await loadResamplerModule();
  return new Resampler(mod, options);
}

/**
 * Resamples a whole clip at once, aligned (leading filter delay skipped, tail flushed), into a
 * new array. For caches and tests, not for streams.
 */
export async function resampleClip(input: Int16Array, fromHz: number, toHz: number, quality = 5): Promise<Int16Array> {
  if (fromHz === toHz) return input.slice();
  const r = await createResampler({ fromHz, toHz, quality });
  try {
    r.skipZeros();
    const expected = Math.round((input.length * toHz) / fromHz);
    const out = new Int16Array(expected);
    let written = 0;
    const body = r.process(input);
    out.set(body.subarray(0, Math.min(body.length, expected)), 0);
    written = Math.min(body.length, expected);
    if (written < expected) {
      const tail = r.process(new Int16Array(r.inputLatency + 16));
      out.set(tail.subarray(0, expected - written), written);
    }
    return out;
  } finally {
    r.close();
  }
}
