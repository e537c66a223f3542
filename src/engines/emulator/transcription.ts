/**
 * One emulated Realtime *transcription* session (`/v1/realtime?intent=transcription`): the
 * caller's audio comes in, the energy VAD on the sample clock finds the turns, and each
 * committed segment gets a transcript: its partials (`…transcription.delta`, several per turn
 * for the gpt-4o models, one whole delta for whisper-1, as the service streams them) then
 * `…transcription.completed`. The words come from the brain's pairing of speech segments with
 * the scenario's caller turns, as on the realtime emulator. No responses are ever created.
 * A bad client event gets an `error` event and the session carries on; nothing here throws.
 */
import { EnergyVad, bytesToMs, type VadEvent } from '../../audio/index.js';
import type { Logger } from '../../observability/index.js';
import { TRANSCRIPTION_MODELS, transcriptionSessionUpdateSchema, type TranscriptionSessionUpdate } from '../openai-realtime/events.js';
import { Conversation, type ConversationItem } from './conversation.js';
import { EventSink, type Send } from './emit.js';
import { ERR, wireError, type WireError } from './errors.js';
import { newWireId } from './ids.js';
import { AppendDecoder, vadOptionsFor } from './inputAudio.js';
import { readClientEvent, serverError } from './clientEvent.js';
import { formatLabel, toAudioFormat, type WireAudioFormat } from './sessionConfig.js';
import type { BrainSession } from './brain/types.js';

export const TRANSCRIPTION_CLIENT_EVENT_TYPES = ['session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear'] as const;

const MIN_COMMIT_MS = 100;
/** Words per partial transcript (the gpt-4o transcribe models stream a few words at a time). */
const WORDS_PER_DELTA = 3;

type Input = NonNullable<NonNullable<TranscriptionSessionUpdate['audio']>['input']>;

export interface TranscriptionSessionResource {
  type: 'transcription';
  object: 'realtime.transcription_session';
  id: string;
  expires_at: number;
  audio: {
    input: {
      format: WireAudioFormat;
      transcription: NonNullable<Input['transcription']> | null;
      noise_reduction: Input['noise_reduction'] | null;
      turn_detection: NonNullable<Input['turn_detection']> | null;
    };
  };
  include: string[] | null;
}

export interface TranscriptionSessionOptions {
  send: Send;
  /** Supplies what the caller said for each committed segment. */
  brain: BrainSession;
  logger: Logger;
  observe?: (type: string, event: Record<string, unknown> | null) => void;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function defaultTranscriptionSession(): TranscriptionSessionResource {
  return {
    type: 'transcription',
    object: 'realtime.transcription_session',
    id: newWireId('sess'),
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24_000 },
        transcription: { model: 'gpt-4o-mini-transcribe' },
        noise_reduction: null,
        turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500, idle_timeout_ms: null },
      },
    },
    include: null,
  };
}

function knownModel(model: string): boolean {
  return TRANSCRIPTION_MODELS.some((m) => model === m || model.startsWith(`${m}-20`));
}

/** A schema problem as the service words it: unknown parameters by name, others by path. */
function updateError(update: unknown, id: string | null): WireError | undefined {
  if (!isObj(update)) return ERR.missing('session', id);
  if (update.type !== 'transcription') {
    return update.type === undefined
      ? ERR.missing('session.type', id)
      : ERR.invalidValue('session.type', `Invalid value: '${String(update.type)}'. Supported values are: 'transcription'.`, id);
  }
  const parsed = transcriptionSessionUpdateSchema.safeParse(update);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = ['session', ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      const param = `${path}.${issue.keys[0] ?? ''}`;
      return wireError('unknown_parameter', `Unknown parameter: '${param}'.`, param, id);
    }
    return ERR.invalidValue(path, `Invalid '${path}': ${issue.message}.`, id);
  }
  const model = parsed.data.audio?.input?.transcription?.model;
  if (model !== undefined && !knownModel(model)) {
    const param = 'session.audio.input.transcription.model';
    return ERR.invalidValue(param, `Invalid value: '${model}'. Supported values are: ${TRANSCRIPTION_MODELS.map((m) => `'${m}'`).join(', ')}.`, id);
  }
  return undefined;
}

export class TranscriptionSession {
  readonly conversation = new Conversation();
  private session = defaultTranscriptionSession();
  private readonly sink: EventSink;
  private readonly decoder = new AppendDecoder();
  private vad: EnergyVad;
  private bufferedMs = 0;
  private speechItemId: string | null = null;
  private speechStartMs = 0;
  private segments = 0;
  private closed = false;
  readonly counts = { clientEvents: 0, errors: 0, speechSegments: 0, transcripts: 0 };

  constructor(private readonly opts: TranscriptionSessionOptions) {
    this.sink = new EventSink(opts.send, opts.observe);
    this.vad = new EnergyVad(this.inputFormat, vadOptionsFor(this.session.audio.input.turn_detection));
  }

  get resource(): Readonly<TranscriptionSessionResource> {
    return this.session;
  }

  private get inputFormat(): ReturnType<typeof toAudioFormat> {
    return toAudioFormat(this.session.audio.input.format);
  }

  start(): void {
    this.sink.emit('session.created', { session: this.session });
  }

  close(): void {
    this.closed = true;
  }

  private error(err: WireError): void {
    this.counts.errors += 1;
    this.sink.emit('error', { error: err });
  }

  /** One client message off the socket. Never throws. */
  handleMessage(data: string): void {
    if (this.closed) return;
    this.counts.clientEvents += 1;
    const read = readClientEvent(data);
    if ('code' in read) return this.error(read);
    try {
      this.dispatch(read.event, read.id);
    } catch (err) {
      this.opts.logger.error('transcription peer failed on a client event', { err, type: String(read.event.type) });
      this.error(serverError(read.id));
    }
  }

  private dispatch(event: Record<string, unknown>, id: string | null): void {
    const type = event.type;
    if (typeof type !== 'string') return this.error(ERR.missingType(id));
    switch (type) {
      case 'session.update': return this.onSessionUpdate(event, id);
      case 'input_audio_buffer.append': return this.onAppend(event, id);
      case 'input_audio_buffer.commit': return this.onCommit(id);
      case 'input_audio_buffer.clear': return this.onClear();
      default: return this.error(ERR.unknownType(type, TRANSCRIPTION_CLIENT_EVENT_TYPES, id));
    }
  }

  private onSessionUpdate(event: Record<string, unknown>, id: string | null): void {
    if (!('session' in event)) return this.error(ERR.missing('session', id));
    const problem = updateError(event.session, id);
    if (problem) return this.error(problem);
    const update = transcriptionSessionUpdateSchema.parse(event.session);
    const input = update.audio?.input;
    const current = this.session.audio.input;
    const format: WireAudioFormat | undefined = input?.format
      ? input.format.type === 'audio/pcm' ? { type: 'audio/pcm', rate: 24_000 } : { type: input.format.type }
      : undefined;
    const next: TranscriptionSessionResource = {
      ...this.session,
      audio: {
        input: {
          format: format ?? current.format,
          transcription: input?.transcription !== undefined ? input.transcription : current.transcription,
          noise_reduction: input?.noise_reduction !== undefined ? input.noise_reduction : current.noise_reduction,
          turn_detection: input?.turn_detection !== undefined ? input.turn_detection : current.turn_detection,
        },
      },
      include: update.include !== undefined ? update.include : this.session.include,
    };
    const formatChanged = JSON.stringify(next.audio.input.format) !== JSON.stringify(current.format);
    const prompt = next.audio.input.transcription?.prompt;
    if (prompt && prompt !== current.transcription?.prompt) this.primeFromPrompt(prompt);
    this.session = next;
    if (formatChanged) this.vad.setFormat(this.inputFormat);
    this.vad.configure(vadOptionsFor(next.audio.input.turn_detection));
    this.sink.emit('session.updated', { session: this.session });
  }

  /**
   * A client that replaces an earlier session prompts with what the caller said before, one line
   * each: the scripted brain takes those lines as turns already heard, so this session's speech
   * pairs with the turns that follow (the service just transcribes; the emulator must know where
   * the script stands).
   */
  private primeFromPrompt(prompt: string): void {
    for (const line of prompt.split('\n')) {
      const text = line.trim();
      if (text) this.opts.brain.callerInput({ kind: 'text', index: this.segments++, text });
    }
  }

  private onAppend(event: Record<string, unknown>, id: string | null): void {
    const format = this.inputFormat;
    const decoded = this.decoder.decode(event.audio, format, formatLabel(this.session.audio.input.format), id);
    if ('code' in decoded) return this.error(decoded);
    if (decoded.length === 0) return;
    this.bufferedMs += bytesToMs(decoded.length, format);
    // Without turn detection the clock still runs (a later commit is timed by it); events are dropped.
    this.vad.push(decoded.bytes, this.session.audio.input.turn_detection === null ? ignoreVad : this.onVad, decoded.length);
  }

  private readonly onVad = (e: VadEvent): void => {
    if (this.closed) return;
    if (e.type === 'speech_started') {
      this.speechItemId = newWireId('item');
      this.speechStartMs = e.audioStartMs;
      this.sink.emit('input_audio_buffer.speech_started', { audio_start_ms: e.audioStartMs, item_id: this.speechItemId });
      return;
    }
    const itemId = this.speechItemId ?? newWireId('item');
    this.speechItemId = null;
    this.sink.emit('input_audio_buffer.speech_stopped', { audio_end_ms: e.audioEndMs, item_id: itemId });
    this.commit(itemId, this.speechStartMs, e.audioEndMs);
  };

  private onCommit(id: string | null): void {
    if (this.bufferedMs < MIN_COMMIT_MS) return this.error(ERR.commitEmpty(this.bufferedMs, id));
    const end = this.vad.positionMs;
    const itemId = this.speechItemId ?? newWireId('item');
    this.speechItemId = null;
    this.vad.resetSegment();
    this.commit(itemId, end - this.bufferedMs, end);
  }

  private onClear(): void {
    this.bufferedMs = 0;
    this.speechItemId = null;
    this.vad.resetSegment();
    this.sink.emit('input_audio_buffer.cleared');
  }

  /** A committed segment: the user item, then its transcript as partials and a final. */
  private commit(itemId: string, startMs: number, endMs: number): void {
    const index = this.segments++;
    this.counts.speechSegments += 1;
    this.bufferedMs = 0;
    const item: ConversationItem = {
      id: itemId, object: 'realtime.item', type: 'message', status: 'completed', role: 'user',
      content: [{ type: 'input_audio', transcript: null }],
    };
    const previous = this.conversation.insert(item, { origin: 'caller_audio', audioStartMs: startMs, audioEndMs: endMs });
    this.sink.emit('input_audio_buffer.committed', { previous_item_id: previous, item_id: itemId });
    this.sink.emit('conversation.item.added', { previous_item_id: previous, item });
    this.sink.emit('conversation.item.done', { previous_item_id: previous, item });
    const transcription = this.session.audio.input.transcription;
    if (!transcription) return;
    const text = this.opts.brain.callerInput({ kind: 'audio', index }) ?? '';
    const model = transcription.model ?? 'gpt-4o-mini-transcribe';
    const withLogprobs = this.session.include?.includes('item.input_audio_transcription.logprobs') ?? false;
    const whisper = model.startsWith('whisper');
    const pieces = whisper ? [text] : deltaPieces(text);
    for (const delta of pieces) {
      if (delta === '') continue;
      this.sink.emit('conversation.item.input_audio_transcription.delta', {
        item_id: itemId, content_index: 0, delta, ...(withLogprobs ? { logprobs: logprobsOf(delta) } : {}),
      });
    }
    item.content![0]!.transcript = text;
    this.counts.transcripts += 1;
    const seconds = Math.max(0, (endMs - startMs) / 1000);
    const outputTokens = Math.ceil(text.length / 4);
    const audioTokens = Math.ceil(seconds * 10);
    this.sink.emit('conversation.item.input_audio_transcription.completed', {
      item_id: itemId, content_index: 0, transcript: text, logprobs: withLogprobs ? logprobsOf(text) : null,
      // whisper-1 bills by duration, the gpt-4o transcribe models by tokens.
      usage: whisper
        ? { type: 'duration', seconds }
        : { type: 'tokens', input_tokens: audioTokens, output_tokens: outputTokens, total_tokens: audioTokens + outputTokens, input_token_details: { text_tokens: 0, audio_tokens: audioTokens } },
    });
  }
}

const ignoreVad = (): void => undefined;

/** The transcript in a few-word partials that concatenate back to it exactly. */
export function deltaPieces(text: string): string[] {
  const words = text.split(/(?<= )/);
  const out: string[] = [];
  for (let i = 0; i < words.length; i += WORDS_PER_DELTA) out.push(words.slice(i, i + WORDS_PER_DELTA).join(''));
  return out;
}

function logprobsOf(text: string): { token: string; logprob: number; bytes: number[] }[] {
  return text.split(/(?<= )/).filter((t) => t !== '').map((token) => ({ token, logprob: 0, bytes: [...Buffer.from(token, 'utf8')] }));
}
