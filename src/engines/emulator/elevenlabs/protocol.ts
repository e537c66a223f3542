/**
 * The wire of ElevenLabs' multi-context text-to-speech WebSocket
 * (`GET /v1/text-to-speech/{voice_id}/multi-stream-input`), as its API reference documents it:
 * connection query parameters, client messages (initialise a context with `" "`, send text,
 * `flush`, `close_context`, `close_socket`, keep-alive `""`) and server messages (audio with
 * `alignment`/`normalizedAlignment` and `contextId`; `{ isFinal: true, contextId }`). Errors
 * arrive as `{ message, error, code }` and the socket then closes with 1008 (policy violation),
 * as the service does.
 */
import { z } from 'zod';
import type { AudioFormat } from '../../../audio/index.js';

export const TTS_PATH = /^\/v1\/text-to-speech\/([^/]*)\/multi-stream-input$/;
export const VOICES_PATH = '/v1/voices';
/** What the service closes with after an error message. */
export const POLICY_VIOLATION = 1008;
/** Open contexts per connection (the service's documented limit). */
export const MAX_CONTEXTS = 5;
export const DEFAULT_CHUNK_SCHEDULE = [120, 160, 250, 290] as const;

/** Every documented `output_format`; null where the offline peer cannot encode it (mp3, opus). */
export const OUTPUT_FORMATS: Readonly<Record<string, AudioFormat | null>> = {
  ulaw_8000: { type: 'audio/pcmu', rateHz: 8000 },
  alaw_8000: { type: 'audio/pcma', rateHz: 8000 },
  pcm_8000: { type: 'audio/pcm', rateHz: 8000 },
  pcm_16000: { type: 'audio/pcm', rateHz: 16_000 },
  pcm_22050: { type: 'audio/pcm', rateHz: 22_050 },
  pcm_24000: { type: 'audio/pcm', rateHz: 24_000 },
  pcm_44100: { type: 'audio/pcm', rateHz: 44_100 },
  mp3_22050_32: null, mp3_44100_32: null, mp3_44100_64: null, mp3_44100_96: null, mp3_44100_128: null, mp3_44100_192: null,
  opus_48000_32: null, opus_48000_64: null, opus_48000_96: null, opus_48000_128: null, opus_48000_192: null,
};

/** Voice ids the peer lists (premade ElevenLabs voices, the seed's sales voice among them). */
export const LISTED_VOICES: readonly { voice_id: string; name: string }[] = [
  { voice_id: '21m00Tcm4TlvDq8ikWAM', name: 'Rachel' },
  { voice_id: 'EXAVITQu4vr4xnSDxMaL', name: 'Sarah' },
  { voice_id: 'ErXwobaYiN019PkySvjV', name: 'Antoni' },
  { voice_id: 'TxGEqnHWrfWFTfGW9XjX', name: 'Josh' },
  { voice_id: 'pNInz6obpgDQGcFmaJgB', name: 'Adam' },
];
/** A voice id the peer accepts when no explicit list is configured. */
export const VOICE_ID = /^[A-Za-z0-9]{1,64}$/;
const MODEL_ID = /^eleven_[a-z0-9_]+$/;

export interface TtsError {
  message: string;
  error: string;
}

export interface TtsConnection {
  voiceId: string;
  modelId: string;
  outputFormat: string;
  format: AudioFormat;
  inactivityTimeoutMs: number;
  autoMode: boolean;
  /** The key given on the connection (header `xi-api-key`, or query `xi_api_key` / `authorization`). */
  key: string | undefined;
}

export interface ConnectionRules {
  /** Voices accepted; undefined: any id matching VOICE_ID. */
  voices?: readonly string[];
}

function bool(v: string | null, dflt: boolean): boolean | undefined {
  if (v === null) return dflt;
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

/** The connection's parameters, or the error the service sends before closing. */
export function parseConnection(url: URL, headers: Record<string, string | string[] | undefined>, rules: ConnectionRules): TtsConnection | TtsError {
  const voiceId = decodeURIComponent(TTS_PATH.exec(url.pathname)?.[1] ?? '');
  const known = rules.voices ? rules.voices.includes(voiceId) : VOICE_ID.test(voiceId);
  if (!known) return { error: 'voice_not_found', message: `A voice with the voice_id '${voiceId}' was not found.` };
  const q = url.searchParams;
  const modelId = q.get('model_id') ?? 'eleven_multilingual_v2';
  if (!MODEL_ID.test(modelId)) return { error: 'model_not_found', message: `A model with the model_id '${modelId}' was not found.` };
  const outputFormat = q.get('output_format') ?? 'mp3_44100_128';
  if (!(outputFormat in OUTPUT_FORMATS)) {
    return { error: 'invalid_output_format', message: `Invalid output_format '${outputFormat}'. Supported values are: ${Object.keys(OUTPUT_FORMATS).join(', ')}.` };
  }
  const format = OUTPUT_FORMATS[outputFormat];
  if (!format) return { error: 'unsupported_output_format', message: `output_format '${outputFormat}' is not produced by this offline peer; use ulaw_8000, alaw_8000 or pcm_*.` };
  const timeout = q.get('inactivity_timeout');
  const inactivity = timeout === null ? 20 : Number(timeout);
  if (!Number.isInteger(inactivity) || inactivity < 1 || inactivity > 180) {
    return { error: 'invalid_request', message: `Invalid inactivity_timeout '${timeout ?? ''}': expected an integer between 1 and 180.` };
  }
  const autoMode = bool(q.get('auto_mode'), false);
  if (autoMode === undefined || bool(q.get('sync_alignment'), false) === undefined) {
    return { error: 'invalid_request', message: 'auto_mode and sync_alignment must be true or false.' };
  }
  const header = headers['xi-api-key'];
  const auth = q.get('authorization');
  const key = (Array.isArray(header) ? header[0] : header) ?? q.get('xi_api_key') ?? (auth ? auth.replace(/^Bearer\s+/i, '') : undefined);
  return { voiceId, modelId, outputFormat, format, inactivityTimeoutMs: inactivity * 1000, autoMode, key: key || undefined };
}

const unit = z.number().min(0).max(1);
export const voiceSettingsSchema = z.looseObject({
  stability: unit.optional(),
  similarity_boost: unit.optional(),
  style: unit.optional(),
  use_speaker_boost: z.boolean().optional(),
  speed: z.number().min(0.7).max(1.2).optional(),
});

/** Every documented client message is one shape with optional fields; which fields are set decides what it does. */
export const clientMessageSchema = z.looseObject({
  text: z.string().optional(),
  context_id: z.string().min(1).max(256).optional(),
  flush: z.boolean().optional(),
  close_context: z.boolean().optional(),
  close_socket: z.boolean().optional(),
  voice_settings: voiceSettingsSchema.optional(),
  generation_config: z.looseObject({ chunk_length_schedule: z.array(z.number().min(50).max(500)).min(1).optional() }).optional(),
  pronunciation_dictionary_locators: z.array(z.looseObject({ pronunciation_dictionary_id: z.string(), version_id: z.string() })).optional(),
  xi_api_key: z.string().optional(),
  authorization: z.string().optional(),
});
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export interface Alignment {
  chars: string[];
  charStartTimesMs: number[];
  charDurationsMs: number[];
}

/**
 * Character timings of one audio chunk. The offline voice has no phoneme timings, so each
 * character of the segment gets an equal share of the segment's duration; a chunk carries the
 * characters that start inside it, with times relative to the chunk, as the service sends them.
 */
export function chunkAlignment(text: string, segmentMs: number, chunkStartMs: number, chunkEndMs: number, last: boolean): Alignment {
  const chars = [...text];
  const perChar = chars.length > 0 ? segmentMs / chars.length : 0;
  const out: Alignment = { chars: [], charStartTimesMs: [], charDurationsMs: [] };
  chars.forEach((c, i) => {
    const start = i * perChar;
    if (start < chunkStartMs || (start >= chunkEndMs && !last)) return;
    out.chars.push(c);
    out.charStartTimesMs.push(Math.round(start - chunkStartMs));
    out.charDurationsMs.push(Math.max(1, Math.round(perChar)));
  });
  return out;
}
