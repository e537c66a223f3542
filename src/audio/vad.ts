/**
 * An energy voice-activity detector timed by the audio sample clock: positions are the number
 * of samples received, not wall-clock time, so audio streamed faster than real time still gets
 * exact speech start/stop offsets. It works on raw PCM16 or G.711 bytes (through a
 * squared-amplitude table, never decoded) and allocates nothing per frame.
 */
import { ULAW_SQUARE_TABLE } from './ulaw.js';
import { ALAW_SQUARE_TABLE } from './alaw.js';
import type { AudioFormat } from './pcm.js';
import { dbfsToRms } from './energy.js';

export interface VadOptions {
  /** 0..1 like the realtime protocol's `threshold`: 0 → −70 dBFS, 0.5 → −40 dBFS, 1 → −10 dBFS. */
  threshold: number;
  /** Audio kept before the detected onset; `audioStartMs` includes it. */
  prefixPaddingMs: number;
  /** Silence that ends a speech segment; `audioEndMs` includes it. */
  silenceDurationMs: number;
  /** Analysis window (default 10 ms). */
  windowMs?: number;
  /** Voiced audio needed before speech counts as started (default 20 ms), so clicks do not. */
  minSpeechMs?: number;
}

export type VadEvent =
  | { type: 'speech_started'; audioStartMs: number; onsetMs: number }
  | { type: 'speech_stopped'; audioEndMs: number; lastSpeechMs: number };

/** The RMS level (0..1) a protocol threshold stands for. */
export function vadThresholdToRms(threshold: number): number {
  const t = Math.min(1, Math.max(0, threshold));
  return dbfsToRms(-70 + 60 * t);
}

export class EnergyVad {
  private format: AudioFormat;
  private opts: Required<VadOptions>;
  private thresholdSq = 0;
  private windowSamples = 0;
  // Clock: milliseconds at the last format change plus samples since then.
  private baseMs = 0;
  private samples = 0;
  private winSum = 0;
  private winCount = 0;
  private carry = -1;
  private speaking = false;
  private voicedRunMs = 0;
  private onsetMs = -1;
  private lastVoicedEndMs = 0;
  private silenceRunMs = 0;
  private floorMs = 0;

  constructor(format: AudioFormat, options: VadOptions) {
    this.format = format;
    this.opts = { windowMs: 10, minSpeechMs: 20, ...options };
    this.configure(options);
  }

  /** Milliseconds of audio received so far (the sample clock). */
  get positionMs(): number {
    return this.baseMs + (this.samples * 1000) / this.format.rateHz;
  }

  get isSpeaking(): boolean {
    return this.speaking;
  }

  configure(options: Partial<VadOptions>): void {
    this.opts = { ...this.opts, ...options };
    const rms = vadThresholdToRms(this.opts.threshold);
    // Window sums are of raw 16-bit samples; compare mean squares against (rms·32768)².
    this.thresholdSq = (rms * 32768) ** 2;
    this.windowSamples = Math.max(1, Math.round((this.opts.windowMs * this.format.rateHz) / 1000));
  }

  /** Switches the input format; the clock carries on from where it is. */
  setFormat(format: AudioFormat): void {
    if (format.type === this.format.type && format.rateHz === this.format.rateHz) return;
    this.baseMs = this.positionMs;
    this.samples = 0;
    this.winSum = 0;
    this.winCount = 0;
    this.carry = -1;
    this.format = format;
    this.configure({});
  }

  /** Forgets any speech in progress (buffer cleared or committed by hand); later speech starts after now. */
  resetSegment(): void {
    this.speaking = false;
    this.voicedRunMs = 0;
    this.onsetMs = -1;
    this.silenceRunMs = 0;
    this.floorMs = this.positionMs;
  }

  /**
   * Feeds raw bytes in the current format (the first `length` of them, default all); events are
   * reported through `onEvent` as they happen.
   */
  push(bytes: Uint8Array, onEvent: (event: VadEvent) => void, length = bytes.length): void {
    const n = Math.min(length, bytes.length);
    const ws = this.windowSamples;
    if (this.format.type === 'audio/pcm') {
      let i = 0;
      if (this.carry >= 0 && n > 0) {
        const v = this.carry | (bytes[0]! << 8);
        const s = v >= 0x8000 ? v - 0x10000 : v;
        this.winSum += s * s;
        this.carry = -1;
        i = 1;
        if (++this.winCount === ws) this.endWindow(onEvent);
      }
      for (; i + 1 < n; i += 2) {
        const v = bytes[i]! | (bytes[i + 1]! << 8);
        const s = v >= 0x8000 ? v - 0x10000 : v;
        this.winSum += s * s;
        if (++this.winCount === ws) this.endWindow(onEvent);
      }
      if (i < n) this.carry = bytes[i]!;
    } else {
      const table = this.format.type === 'audio/pcma' ? ALAW_SQUARE_TABLE : ULAW_SQUARE_TABLE;
      for (let i = 0; i < n; i++) {
        this.winSum += table[bytes[i]!]!;
        if (++this.winCount === ws) this.endWindow(onEvent);
      }
    }
  }

  private endWindow(onEvent: (event: VadEvent) => void): void {
    const voiced = this.winSum / this.winCount >= this.thresholdSq;
    const windowStartMs = this.positionMs;
    this.samples += this.winCount;
    const windowEndMs = this.positionMs;
    const windowMs = windowEndMs - windowStartMs;
    this.winSum = 0;
    this.winCount = 0;
    if (!this.speaking) {
      if (!voiced) {
        this.voicedRunMs = 0;
        this.onsetMs = -1;
        return;
      }
      if (this.onsetMs < 0) this.onsetMs = windowStartMs;
      this.voicedRunMs += windowMs;
      if (this.voicedRunMs + 1e-9 >= this.opts.minSpeechMs) {
        this.speaking = true;
        this.silenceRunMs = 0;
        this.lastVoicedEndMs = windowEndMs;
        const audioStartMs = Math.max(this.floorMs, this.onsetMs - this.opts.prefixPaddingMs);
        onEvent({ type: 'speech_started', audioStartMs: Math.round(audioStartMs), onsetMs: Math.round(this.onsetMs) });
      }
      return;
    }
    if (voiced) {
      this.lastVoicedEndMs = windowEndMs;
      this.silenceRunMs = 0;
      return;
    }
    this.silenceRunMs += windowMs;
    if (this.silenceRunMs + 1e-9 >= this.opts.silenceDurationMs) {
      this.speaking = false;
      this.voicedRunMs = 0;
      this.onsetMs = -1;
      this.silenceRunMs = 0;
      this.floorMs = windowEndMs;
      onEvent({
        type: 'speech_stopped',
        audioEndMs: Math.round(this.lastVoicedEndMs + this.opts.silenceDurationMs),
        lastSpeechMs: Math.round(this.lastVoicedEndMs),
      });
    }
  }
}
