/**
 * The Realtime (GA) server events that both our runtime reads and our emulator writes, as zod
 * schemas: one source for both sides, so they agree. Each schema names only what is needed to
 * act on the event (extra keys are stripped, fields the runtime can do without are optional).
 * Parsing never throws: an event of another type, or one that fails its schema, comes back as a
 * generic `{ type, ... }`. Audio deltas never come here (see wire.ts).
 */
import { z } from 'zod';

const contentPart = z.object({
  type: z.string(),
  text: z.string().nullable().optional(),
  transcript: z.string().nullable().optional(),
});

export const realtimeItemSchema = z.object({
  id: z.string(),
  object: z.literal('realtime.item').optional(),
  type: z.string(),
  status: z.enum(['completed', 'incomplete', 'in_progress']).optional(),
  role: z.enum(['user', 'assistant', 'system']).optional(),
  content: z.array(contentPart).optional(),
  name: z.string().optional(),
  call_id: z.string().optional(),
  arguments: z.string().optional(),
});
export type RealtimeWireItem = z.infer<typeof realtimeItemSchema>;

const responseResource = z.object({
  id: z.string().optional(),
  status: z.string().optional(),
  /** Why a response ended `failed` / `cancelled` / `incomplete`. */
  status_details: z.object({
    type: z.string().optional(),
    reason: z.string().nullable().optional(),
    error: z.object({ type: z.string().optional(), code: z.string().nullable().optional(), message: z.string().optional() }).nullable().optional(),
  }).nullable().optional().catch(undefined),
  usage: z.object({ input_tokens: z.number().int().min(0), output_tokens: z.number().int().min(0) }).nullable().optional().catch(undefined),
});

const turnDetection = z.object({
  type: z.string(),
  interrupt_response: z.boolean().optional(),
});

const sessionResource = z.object({
  audio: z.object({
    input: z.object({ turn_detection: turnDetection.nullable().optional() }).optional(),
  }).optional(),
});

const wireError = z.object({
  type: z.string(),
  code: z.string().nullable().optional(),
  message: z.string(),
  param: z.string().nullable().optional(),
  event_id: z.string().nullable().optional(),
});

function event<T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.object({ type: z.literal(type), event_id: z.string().optional(), ...shape });
}

const itemEvent = { response_id: z.string(), output_index: z.number().int().optional(), item: realtimeItemSchema };
const audioPart = {
  response_id: z.string().optional(),
  item_id: z.string(),
  output_index: z.number().int().optional(),
  content_index: z.number().int().optional(),
};

/** Schemas by event type. */
export const SERVER_EVENT_SCHEMAS = {
  'session.created': event('session.created', { session: sessionResource }),
  'session.updated': event('session.updated', { session: sessionResource }),
  'input_audio_buffer.speech_started': event('input_audio_buffer.speech_started', { audio_start_ms: z.number(), item_id: z.string().optional() }),
  'input_audio_buffer.speech_stopped': event('input_audio_buffer.speech_stopped', { audio_end_ms: z.number(), item_id: z.string().optional() }),
  'conversation.item.input_audio_transcription.completed': event('conversation.item.input_audio_transcription.completed', {
    item_id: z.string(),
    content_index: z.number().int().optional(),
    transcript: z.string(),
    logprobs: z.array(z.unknown()).nullable().optional(),
    usage: z.unknown().optional(),
  }),
  'conversation.item.added': event('conversation.item.added', { previous_item_id: z.string().nullable().optional(), item: realtimeItemSchema }),
  'response.created': event('response.created', { response: responseResource }),
  'response.output_item.added': event('response.output_item.added', itemEvent),
  'response.output_item.done': event('response.output_item.done', itemEvent),
  'response.output_audio.done': event('response.output_audio.done', audioPart),
  'response.output_audio_transcript.delta': event('response.output_audio_transcript.delta', { ...audioPart, delta: z.string() }),
  'response.output_audio_transcript.done': event('response.output_audio_transcript.done', { ...audioPart, transcript: z.string() }),
  'response.done': event('response.done', { response: responseResource }),
  error: event('error', { error: wireError }),
} as const;

type Schemas = typeof SERVER_EVENT_SCHEMAS;
export type SharedServerEventType = keyof Schemas;

/** A shared event as the runtime reads it. */
export type KnownServerEvent = { [K in SharedServerEventType]: z.infer<Schemas[K]> }[SharedServerEventType];

/** The fields a sender supplies for a shared event (`type` and `event_id` are stamped by the sender). */
export type ServerEventFields<T extends SharedServerEventType> = Omit<z.input<Schemas[T]>, 'type' | 'event_id'>;

/** Any other server event, or a shared one that failed its schema. */
export type GenericServerEvent = { type: string; [key: string]: unknown };

export type ParsedServerEvent =
  | { known: true; event: KnownServerEvent }
  | { known: false; event: GenericServerEvent };

function isShared(type: string): type is SharedServerEventType {
  return Object.prototype.hasOwnProperty.call(SERVER_EVENT_SCHEMAS, type);
}

/** Classifies an already JSON-parsed value. Never throws; undefined when it is not an event at all. */
export function classifyServerEvent(value: unknown): ParsedServerEvent | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const generic = value as GenericServerEvent;
  if (typeof generic.type !== 'string') return undefined;
  if (!isShared(generic.type)) return { known: false, event: generic };
  const result = SERVER_EVENT_SCHEMAS[generic.type].safeParse(value);
  return result.success ? { known: true, event: result.data as KnownServerEvent } : { known: false, event: generic };
}

/** One JSON parse, then the event's schema. Undefined when the text is not a JSON event. */
export function parseServerEvent(text: string): ParsedServerEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // An unparsable event is dropped by the SDK as well.
    return undefined;
  }
  return classifyServerEvent(value);
}

/**
 * The back-off a service message names ("Please try again in 1.5s", "… in 300ms"), in ms;
 * undefined when it names none.
 */
export function retryAfterMsOf(message: string | undefined): number | undefined {
  const m = message ? /try again in\s+([0-9]+(?:\.[0-9]+)?)\s*(ms|s)\b/i.exec(message) : null;
  if (!m) return undefined;
  const n = Number(m[1]);
  return Math.round(m[2]!.toLowerCase() === 'ms' ? n : n * 1000);
}

/** The words of an item's content parts (transcripts of audio, or text), joined; undefined when none. */
export function itemText(item: RealtimeWireItem): string | undefined {
  const content = item.content;
  if (!content) return undefined;
  const parts = content.map((c) => c.transcript ?? c.text ?? '').filter((t) => t !== '');
  return parts.length ? parts.join(' ') : undefined;
}

/*
 * Transcription sessions (`/v1/realtime?intent=transcription`): the GA events a speech-to-text
 * client reads, with their own map so the realtime conformance test (every shared event is sent
 * by a realtime session) keeps its meaning. The emulator's transcription peer writes them.
 */
export const TRANSCRIPTION_EVENT_SCHEMAS = {
  'session.created': event('session.created', { session: z.object({ type: z.literal('transcription') }) }),
  'session.updated': event('session.updated', { session: z.object({ type: z.literal('transcription') }) }),
  'input_audio_buffer.speech_started': SERVER_EVENT_SCHEMAS['input_audio_buffer.speech_started'],
  'input_audio_buffer.speech_stopped': SERVER_EVENT_SCHEMAS['input_audio_buffer.speech_stopped'],
  'input_audio_buffer.committed': event('input_audio_buffer.committed', { previous_item_id: z.string().nullable().optional(), item_id: z.string() }),
  'conversation.item.added': SERVER_EVENT_SCHEMAS['conversation.item.added'],
  'conversation.item.input_audio_transcription.delta': event('conversation.item.input_audio_transcription.delta', {
    item_id: z.string(),
    content_index: z.number().int().optional(),
    delta: z.string(),
    logprobs: z.array(z.unknown()).nullable().optional(),
  }),
  'conversation.item.input_audio_transcription.completed': SERVER_EVENT_SCHEMAS['conversation.item.input_audio_transcription.completed'],
  error: SERVER_EVENT_SCHEMAS.error,
} as const;

type TranscriptionSchemas = typeof TRANSCRIPTION_EVENT_SCHEMAS;
export type TranscriptionEventType = keyof TranscriptionSchemas;
export type TranscriptionEvent = { [K in TranscriptionEventType]: z.infer<TranscriptionSchemas[K]> }[TranscriptionEventType];
export type TranscriptionEventFields<T extends TranscriptionEventType> = Omit<z.input<TranscriptionSchemas[T]>, 'type' | 'event_id'>;

export type ParsedTranscriptionEvent =
  | { known: true; event: TranscriptionEvent }
  | { known: false; event: GenericServerEvent };

/** Like `classifyServerEvent`, for a transcription session's events. Never throws. */
export function classifyTranscriptionEvent(value: unknown): ParsedTranscriptionEvent | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const generic = value as GenericServerEvent;
  if (typeof generic.type !== 'string') return undefined;
  if (!Object.prototype.hasOwnProperty.call(TRANSCRIPTION_EVENT_SCHEMAS, generic.type)) return { known: false, event: generic };
  const result = TRANSCRIPTION_EVENT_SCHEMAS[generic.type as TranscriptionEventType].safeParse(value);
  return result.success ? { known: true, event: result.data as TranscriptionEvent } : { known: false, event: generic };
}

/** Like `parseServerEvent`, for a transcription session's events. Never throws. */
export function parseTranscriptionEvent(text: string): ParsedTranscriptionEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return classifyTranscriptionEvent(value);
}

/** Transcription models a transcription session accepts (dated snapshots of these too). */
export const TRANSCRIPTION_MODELS = [
  'whisper-1', 'gpt-4o-transcribe', 'gpt-4o-mini-transcribe', 'gpt-4o-transcribe-diarize',
  'gpt-transcribe', 'gpt-live-transcribe', 'gpt-realtime-whisper',
] as const;

/**
 * The `session` of a transcription session's `session.update` (GA shape), as a client sends it
 * and the emulator's peer validates it. Unknown keys are refused, as the service does.
 */
export const transcriptionSessionUpdateSchema = z.strictObject({
  type: z.literal('transcription'),
  audio: z.strictObject({
    input: z.strictObject({
      format: z.union([
        z.strictObject({ type: z.literal('audio/pcm'), rate: z.literal(24_000).optional() }),
        z.strictObject({ type: z.enum(['audio/pcmu', 'audio/pcma']) }),
      ]).optional(),
      transcription: z.strictObject({
        model: z.string().min(1).optional(),
        language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, 'must be an ISO-639-1 language code like "en"').optional(),
        prompt: z.string().optional(),
      }).nullable().optional(),
      turn_detection: z.union([
        z.strictObject({
          type: z.literal('server_vad'),
          threshold: z.number().min(0).max(1).optional(),
          prefix_padding_ms: z.number().int().min(0).max(10_000).optional(),
          silence_duration_ms: z.number().int().min(10).max(10_000).optional(),
          idle_timeout_ms: z.number().int().min(0).max(600_000).nullable().optional(),
          // Accepted and echoed; a transcription session never creates responses.
          create_response: z.boolean().optional(),
          interrupt_response: z.boolean().optional(),
        }),
        z.strictObject({
          type: z.literal('semantic_vad'),
          eagerness: z.enum(['low', 'medium', 'high', 'auto']).optional(),
          create_response: z.boolean().optional(),
          interrupt_response: z.boolean().optional(),
        }),
        z.null(),
      ]).optional(),
      noise_reduction: z.strictObject({ type: z.enum(['near_field', 'far_field']).optional(), strength: z.number().optional() }).nullable().optional(),
    }).optional(),
  }).optional(),
  include: z.array(z.literal('item.input_audio_transcription.logprobs')).nullable().optional(),
});
export type TranscriptionSessionUpdate = z.infer<typeof transcriptionSessionUpdateSchema>;
