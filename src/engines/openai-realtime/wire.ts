/**
 * Allocation-light reading of Realtime server events. Audio deltas are the bulk of the traffic
 * (tens of kilobytes a second per call): we read their few fields straight from the JSON text
 * instead of parsing it, and parse everything else once. Both paths give the same answer; the
 * fast one is only taken when the text starts exactly like a compact JSON object (`{"type":"`),
 * which is how the OpenAI service and our emulator write events.
 */

import type { AudioDeltaEvent } from '../modelSession.js';

const TYPE_PREFIX = '{"type":"';
export const AUDIO_DELTA = 'response.output_audio.delta';

/** The event's top-level `type` when it can be read without parsing, else undefined. */
export function peekType(text: string): string | undefined {
  if (!text.startsWith(TYPE_PREFIX)) return undefined;
  const end = text.indexOf('"', TYPE_PREFIX.length);
  return end < 0 ? undefined : text.slice(TYPE_PREFIX.length, end);
}

/**
 * The string value of `"key":"…"` in a flat event (audio deltas have no nested objects). Returns
 * undefined when absent or when the value holds an escape (the caller then parses the event).
 */
export function readStringField(text: string, key: string, from = 0): string | undefined {
  const needle = `"${key}":"`;
  const at = text.indexOf(needle, from);
  if (at < 0) return undefined;
  const start = at + needle.length;
  const end = text.indexOf('"', start);
  if (end < 0) return undefined;
  const value = text.slice(start, end);
  return value.includes('\\') ? undefined : value;
}

/** The integer value of `"key":123` in a flat event. */
export function readIntField(text: string, key: string): number | undefined {
  const needle = `"${key}":`;
  const at = text.indexOf(needle);
  if (at < 0) return undefined;
  let i = at + needle.length;
  let n = 0;
  let digits = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
    digits++;
  }
  return digits > 0 ? n : undefined;
}

/**
 * Reads an audio delta event's fields from its text into the one object the call receives;
 * undefined when it must be parsed instead.
 */
export function readAudioDelta(text: string, receivedAtMs: number): AudioDeltaEvent | undefined {
  const itemId = readStringField(text, 'item_id');
  const responseId = readStringField(text, 'response_id');
  const delta = readStringField(text, 'delta');
  if (itemId === undefined || responseId === undefined || delta === undefined) return undefined;
  return { type: 'audio_delta', delta, itemId, responseId, contentIndex: readIntField(text, 'content_index') ?? 0, receivedAtMs };
}

/** An audio delta from an already parsed event. */
export function audioDeltaFromEvent(event: Record<string, unknown>, receivedAtMs: number): AudioDeltaEvent | undefined {
  const { delta, item_id: itemId, response_id: responseId, content_index: contentIndex } = event;
  if (typeof delta !== 'string' || typeof itemId !== 'string' || typeof responseId !== 'string') return undefined;
  return { type: 'audio_delta', delta, itemId, responseId, contentIndex: typeof contentIndex === 'number' ? contentIndex : 0, receivedAtMs };
}

const APPEND_HEAD = '{"type":"input_audio_buffer.append","audio":"';
const APPEND_HEAD_BYTES = Buffer.from(APPEND_HEAD, 'latin1');

/**
 * `input_audio_buffer.append` built by concatenation: the carrier's base64 goes to the model
 * untouched (base64 never needs JSON escaping).
 */
export function appendEventText(audioBase64: string): string {
  return APPEND_HEAD + audioBase64 + '"}';
}

/**
 * The same event as UTF-8 bytes, written straight into one buffer (base64 is ASCII). Sent as a
 * text frame, a buffer lets `ws` mask it into a single write; a string costs an encode, a second
 * buffer and a two-part `writev` per caller frame.
 */
export function appendEventBytes(audioBase64: string): Buffer {
  const head = APPEND_HEAD_BYTES.length;
  const n = head + audioBase64.length + 2;
  const buf = Buffer.allocUnsafe(n);
  APPEND_HEAD_BYTES.copy(buf, 0);
  buf.write(audioBase64, head, 'latin1');
  buf[n - 2] = 0x22; // "
  buf[n - 1] = 0x7d; // }
  return buf;
}
