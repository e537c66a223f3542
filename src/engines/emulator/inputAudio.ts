/**
 * The input side of a Realtime connection that both session kinds share: base64 `append`
 * payloads decoded into one reusable buffer (no allocation per frame) and the energy VAD's
 * settings from the session's `turn_detection`. The realtime session predates this file and
 * still has its own copy of the decode; the transcription session uses this one.
 */
import type { AudioFormat } from '../../audio/index.js';
import { ERR, type WireError } from './errors.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** What the VAD needs from a `turn_detection` (server_vad values, or semantic_vad's eagerness as silence). */
export function vadOptionsFor(td: { type: string; threshold?: number; prefix_padding_ms?: number; silence_duration_ms?: number; eagerness?: string } | null | undefined): {
  threshold: number; prefixPaddingMs: number; silenceDurationMs: number;
} {
  if (td?.type === 'server_vad') {
    return { threshold: td.threshold ?? 0.5, prefixPaddingMs: td.prefix_padding_ms ?? 300, silenceDurationMs: td.silence_duration_ms ?? 500 };
  }
  const eager = td?.type === 'semantic_vad' ? td.eagerness ?? 'auto' : 'auto';
  const silence = eager === 'high' ? 300 : eager === 'low' ? 1000 : 500;
  return { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: silence };
}

export class AppendDecoder {
  private scratch = Buffer.allocUnsafe(4096);

  /**
   * The bytes of one `input_audio_buffer.append` (valid until the next call), or the wire error
   * the service answers a bad payload with. `label` describes the expected audio in messages.
   */
  decode(audio: unknown, format: AudioFormat, label: string, clientEventId: string | null): { bytes: Buffer; length: number } | WireError {
    if (audio === undefined) return ERR.missing('audio', clientEventId);
    if (typeof audio !== 'string') return ERR.invalidType('audio', 'a base64 string', clientEventId);
    if (audio.length % 4 !== 0 || !BASE64.test(audio)) return ERR.badAudio(label, clientEventId);
    const maxBytes = (audio.length / 4) * 3;
    if (this.scratch.length < maxBytes) this.scratch = Buffer.allocUnsafe(Math.max(maxBytes, this.scratch.length * 2));
    const length = this.scratch.write(audio, 'base64');
    // 16-bit PCM comes in whole samples; an odd byte count is audio in some other format.
    if (format.type === 'audio/pcm' && length % 2 !== 0) return ERR.badAudio(label, clientEventId);
    return { bytes: this.scratch, length };
  }
}
