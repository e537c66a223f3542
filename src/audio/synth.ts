/**
 * Text to audio for the emulator (and for simulated callers): espeak-ng when it is installed,
 * otherwise the deterministic speech-shaped signal. Results are cached per text and format and
 * concurrent requests for the same text share one synthesis, so hundreds of sessions saying
 * the same line cost one synthesis.
 */
import { execFile, spawn } from 'node:child_process';
import { createLogger } from '../observability/index.js';
import { resampleClip } from './resampler.js';
import { speakableText, synthesizeSpeechShape } from './speechShape.js';
import { ulawEncode } from './ulaw.js';
import { alawEncode } from './alaw.js';
import type { AudioFormat } from './pcm.js';
import { pcm16Bytes } from './pcm.js';

const log = createLogger('audio');

export type SpeechEngine = 'auto' | 'espeak' | 'synthetic';

export interface SpeechSynthesizerOptions {
  /** `auto` uses espeak-ng when the binary is on PATH (default), else the synthetic signal. */
  engine?: SpeechEngine;
  /** Milliseconds per character of the synthetic signal (default 60). */
  msPerChar?: number;
  /** espeak-ng voice (default `en-us`) and words per minute (default 175). */
  espeakVoice?: string;
  espeakWpm?: number;
  /** Cached clips per format (default 512). */
  cacheEntries?: number;
}

export interface SpeechClip {
  /** Encoded bytes: PCM16 LE for `audio/pcm`, μ-law for `audio/pcmu`, A-law for `audio/pcma`. */
  bytes: Uint8Array;
  durationMs: number;
  engine: 'espeak' | 'synthetic';
}

let espeakProbe: Promise<boolean> | undefined;

/** Whether the espeak-ng binary runs here (checked once per process). */
export function espeakAvailable(): Promise<boolean> {
  espeakProbe ??= new Promise((resolve) => {
    execFile('espeak-ng', ['--version'], { timeout: 5000 }, (err) => resolve(!err));
  });
  return espeakProbe;
}

/** Parses the WAV espeak-ng writes to stdout (its data size may be a placeholder). */
export function parseWav(buf: Buffer): { samples: Int16Array; rateHz: number } {
  if (buf.length < 44 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE stream');
  }
  let offset = 12;
  let rateHz = 22_050;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      rateHz = buf.readUInt32LE(body + 4);
    } else if (id === 'data') {
      const end = size === 0 || size === 0xffffffff || body + size > buf.length ? buf.length : body + size;
      const bytes = buf.subarray(body, body + ((end - body) & ~1));
      const samples = new Int16Array(bytes.length >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
      return { samples, rateHz };
    }
    offset = body + size + (size & 1);
  }
  throw new Error('WAVE stream has no data chunk');
}

function runEspeak(text: string, voice: string, wpm: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Text goes on stdin, never on the command line (no shell, no argument injection).
    const child = spawn('espeak-ng', ['--stdout', '-v', voice, '-s', String(wpm), '--stdin'], { stdio: ['pipe', 'pipe', 'ignore'] });
    const parts: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => parts.push(d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(parts)) : reject(new Error(`espeak-ng exited with ${code}`))));
    child.stdin.end(text);
  });
}

/** espeak-ng voices for the languages whose plain ISO 639-1 name is not the one to use. */
const ESPEAK_VOICES: Readonly<Record<string, string>> = {
  en: 'en-us', 'en-gb': 'en-gb', es: 'es-419', 'es-es': 'es', fr: 'fr-fr', 'fr-ca': 'fr-fr', pt: 'pt-br', 'pt-pt': 'pt', zh: 'cmn', 'zh-tw': 'cmn',
};

/** The espeak-ng voice for a BCP-47 tag: `es-US` → `es-419`, `zh-CN` → `cmn`, `de-DE` → `de`. */
export function espeakVoiceFor(language: string): string {
  const lower = language.toLowerCase();
  const base = lower.split('-')[0]!;
  return ESPEAK_VOICES[lower] ?? ESPEAK_VOICES[base] ?? base;
}

export class SpeechSynthesizer {
  private readonly opts: Required<SpeechSynthesizerOptions>;
  private readonly pcm24 = new Map<string, Promise<{ samples: Int16Array; engine: 'espeak' | 'synthetic' }>>();
  private readonly encoded = new Map<string, Promise<SpeechClip>>();

  constructor(options: SpeechSynthesizerOptions = {}) {
    this.opts = {
      engine: 'auto', msPerChar: 60, espeakVoice: 'en-us', espeakWpm: 175, cacheEntries: 512, ...options,
    };
  }

  /** Speech for `text` in `format` (24 kHz PCM16, or 8 kHz μ-law), cached; `language` (BCP-47) picks the espeak-ng voice. */
  clip(text: string, format: AudioFormat, language?: string): Promise<SpeechClip> {
    const clean = speakableText(text);
    const voice = language ? espeakVoiceFor(language) : this.opts.espeakVoice;
    const key = `${format.type}:${format.rateHz}:${voice}:${clean}`;
    const hit = this.encoded.get(key);
    if (hit) {
      this.encoded.delete(key);
      this.encoded.set(key, hit);
      return hit;
    }
    const p = this.render(clean, format, voice);
    this.remember(this.encoded, key, p);
    return p;
  }

  private async render(clean: string, format: AudioFormat, voice: string): Promise<SpeechClip> {
    const { samples, engine } = await this.pcm24k(clean, voice);
    if (format.type === 'audio/pcm') {
      const resampled = format.rateHz === 24_000 ? samples : await resampleClip(samples, 24_000, format.rateHz);
      return { bytes: pcm16Bytes(resampled), durationMs: (resampled.length / format.rateHz) * 1000, engine };
    }
    const narrow = await resampleClip(samples, 24_000, 8_000);
    const bytes = format.type === 'audio/pcma' ? alawEncode(narrow) : ulawEncode(narrow);
    return { bytes, durationMs: (narrow.length / 8_000) * 1000, engine };
  }

  private pcm24k(clean: string, voice: string): Promise<{ samples: Int16Array; engine: 'espeak' | 'synthetic' }> {
    const key = `${voice}:${clean}`;
    const hit = this.pcm24.get(key);
    if (hit) return hit;
    const p = this.renderPcm24k(clean, voice);
    this.remember(this.pcm24, key, p);
    return p;
  }

  private async renderPcm24k(clean: string, voice: string): Promise<{ samples: Int16Array; engine: 'espeak' | 'synthetic' }> {
    const useEspeak = this.opts.engine === 'espeak' || (this.opts.engine === 'auto' && (await espeakAvailable()));
    if (useEspeak && clean.length > 0) {
      try {
        const wav = parseWav(await runEspeak(clean, voice, this.opts.espeakWpm));
        const samples = await resampleClip(wav.samples, wav.rateHz, 24_000);
        return { samples, engine: 'espeak' };
      } catch (err) {
        if (this.opts.engine === 'espeak') throw err;
        log.warn('espeak-ng failed; using the synthetic voice', { err });
      }
    }
    return { samples: synthesizeSpeechShape(clean, 24_000, { msPerChar: this.opts.msPerChar }), engine: 'synthetic' };
  }

  private remember<V>(map: Map<string, Promise<V>>, key: string, p: Promise<V>): void {
    map.set(key, p);
    // A failed synthesis is not cached.
    p.catch(() => map.delete(key));
    while (map.size > this.opts.cacheEntries) {
      const oldest = map.keys().next().value as string;
      map.delete(oldest);
    }
  }
}
