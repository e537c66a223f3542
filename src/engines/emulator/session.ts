/**
 * One emulated Realtime session (one WebSocket connection): parses client events at the edge,
 * keeps the session resource, the input audio buffer with its voice-activity detector, the
 * stored conversation and at most one response in flight. A bad client event gets an `error`
 * event and the session carries on; nothing here throws to the socket.
 */
import { EnergyVad, bytesToMs, type SpeechSynthesizer, type VadEvent } from '../../audio/index.js';
import type { Logger } from '../../observability/index.js';
import { Conversation, type ConversationItem } from './conversation.js';
import { EventSink, type Send } from './emit.js';
import { ERR, type WireError } from './errors.js';
import { newWireId } from './ids.js';
import { ResponseRun, type CancelReason, type OutputPacing } from './responder.js';
import { defaultSession, formatLabel, isWireError, mergeSessionUpdate, toAudioFormat, type SessionResource } from './sessionConfig.js';
import { parseClientItem, typedText } from './clientItems.js';
import type { BrainSession } from './brain/types.js';
import { expireSession, stageFault, vadOptionsFor } from './faults.js';
import { responseParams } from './responseParams.js';

export const CLIENT_EVENT_TYPES = [
  'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear',
  'conversation.item.create', 'conversation.item.retrieve', 'conversation.item.truncate', 'conversation.item.delete',
  'response.create', 'response.cancel', 'output_audio_buffer.clear',
] as const;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MIN_COMMIT_MS = 100;
const ignoreVad = (): void => undefined;

export interface EmulatorSessionOptions {
  send: Send;
  brain: BrainSession;
  synth: SpeechSynthesizer;
  pacing: OutputPacing;
  now: () => Date;
  logger: Logger;
  model?: string;
  /** Sees every server event type (and the event, except audio deltas). */
  observe?: (type: string, event: Record<string, unknown> | null) => void;
  /** The connection, for staged faults: kill it without a close frame, or close it. */
  socket?: { drop(): void; close(code: number, reason: string): void };
  /** The service's session lifetime cap (default 60 minutes): then `session_expired` and the socket closes. */
  maxSessionMs?: number;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class EmulatorSession {
  readonly conversation = new Conversation();
  private session: SessionResource;
  private readonly sink: EventSink;
  private vad: EnergyVad;
  private bufferedMs = 0;
  private speechItemId: string | null = null;
  private speechStartMs = 0;
  private callerInputs = 0;
  private active: ResponseRun | undefined;
  private audioProduced = false;
  private readonly seenByBrain = new Set<string>();
  private scratch = Buffer.allocUnsafe(4096);
  private closed = false;
  /** A staged stall: nothing goes out, nothing is answered. */
  private silenced = false;
  private lifetimeTimer: NodeJS.Timeout | undefined;
  /** Counters for stats and tests. */
  readonly counts = { clientEvents: 0, errors: 0, responses: 0, cancelled: 0, speechSegments: 0, audioAppends: 0 };

  constructor(private readonly opts: EmulatorSessionOptions) {
    this.session = defaultSession(opts.model);
    this.sink = new EventSink((json) => {
      if (!this.silenced) opts.send(json);
    }, opts.observe);
    this.vad = new EnergyVad(this.inputFormat, this.vadOptions());
  }

  get resource(): Readonly<SessionResource> {
    return this.session;
  }

  /** Output audio sent on this session so far, in bytes. */
  get audioOutBytes(): number {
    return this.sink.audioBytes;
  }

  get responseInFlight(): boolean {
    return this.active !== undefined;
  }

  private get inputFormat(): ReturnType<typeof toAudioFormat> {
    return toAudioFormat(this.session.audio.input.format);
  }

  private vadOptions(): { threshold: number; prefixPaddingMs: number; silenceDurationMs: number } {
    return vadOptionsFor(this.session.audio.input.turn_detection);
  }

  start(): void {
    this.sink.emit('session.created', { session: this.session });
    this.lifetimeTimer = setTimeout(() => {
      this.active?.abort();
      expireSession(this.sink, (code, reason) => this.opts.socket?.close(code, reason));
    }, this.opts.maxSessionMs ?? 3_600_000);
    this.lifetimeTimer.unref();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.lifetimeTimer);
    this.active?.abort();
    this.active = undefined;
  }

  private error(err: WireError): void {
    this.counts.errors += 1;
    this.sink.emit('error', { error: err });
  }

  /** One client message off the socket. Never throws. */
  handleMessage(data: string): void {
    if (this.closed || this.silenced) return;
    this.counts.clientEvents += 1;
    let event: unknown;
    try {
      event = JSON.parse(data);
    } catch (err) {
      return this.error(ERR.invalidJson((err as Error).message));
    }
    if (!isObj(event)) return this.error(ERR.notAnObject());
    const id = typeof event.event_id === 'string' ? event.event_id : null;
    try {
      this.dispatch(event, id);
    } catch (err) {
      this.opts.logger.error('emulator failed on a client event', { err, type: String(event.type) });
      this.counts.errors += 1;
      this.sink.emit('error', { error: { type: 'server_error', code: null, message: 'The server had an error while processing your request.', param: null, event_id: id } });
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
      case 'conversation.item.create': return this.onItemCreate(event, id);
      case 'conversation.item.retrieve': return this.onRetrieve(event, id);
      case 'conversation.item.delete': return this.onDelete(event, id);
      case 'conversation.item.truncate': return this.onTruncate(event, id);
      case 'response.create': return this.onResponseCreate(event, id);
      case 'response.cancel': return this.onResponseCancel(event, id);
      case 'output_audio_buffer.clear':
        // WebRTC/SIP only; over WebSocket the client owns playback.
        return this.error(ERR.invalidValue('type', "'output_audio_buffer.clear' is only supported for WebRTC and SIP connections.", id));
      default:
        return this.error(ERR.unknownType(type, CLIENT_EVENT_TYPES, id));
    }
  }

  private onSessionUpdate(event: Record<string, unknown>, id: string | null): void {
    if (!('session' in event)) return this.error(ERR.missing('session', id));
    const merged = mergeSessionUpdate(this.session, event.session, { clientEventId: id, voiceLocked: this.audioProduced });
    if (isWireError(merged)) return this.error(merged);
    const formatChanged = JSON.stringify(merged.audio.input.format) !== JSON.stringify(this.session.audio.input.format);
    this.session = merged;
    if (formatChanged) this.vad.setFormat(this.inputFormat);
    this.vad.configure(this.vadOptions());
    this.sink.emit('session.updated', { session: this.session });
  }

  private onAppend(event: Record<string, unknown>, id: string | null): void {
    const audio = event.audio;
    if (audio === undefined) return this.error(ERR.missing('audio', id));
    if (typeof audio !== 'string') return this.error(ERR.invalidType('audio', 'a base64 string', id));
    const wire = this.session.audio.input.format;
    if (audio.length % 4 !== 0 || !BASE64.test(audio)) return this.error(ERR.badAudio(formatLabel(wire), id));
    const maxBytes = (audio.length / 4) * 3;
    if (this.scratch.length < maxBytes) this.scratch = Buffer.allocUnsafe(Math.max(maxBytes, this.scratch.length * 2));
    const n = this.scratch.write(audio, 'base64');
    const format = this.inputFormat;
    // 16-bit PCM comes in whole samples; an odd byte count is audio in some other format.
    if (format.type === 'audio/pcm' && n % 2 !== 0) return this.error(ERR.badAudio(formatLabel(wire), id));
    if (n === 0) return;
    this.counts.audioAppends += 1;
    this.bufferedMs += bytesToMs(n, format);
    // Without turn detection the clock still runs (a later commit is timed by it); events are dropped.
    this.vad.push(this.scratch, this.session.audio.input.turn_detection === null ? ignoreVad : this.onVad, n);
  }

  /** One function for every append: no closure per frame. */
  private readonly onVad = (e: VadEvent): void => {
    if (this.closed) return;
    if (e.type === 'speech_started') this.onSpeechStarted(e.audioStartMs);
    else this.onSpeechStopped(e.audioEndMs);
  };

  private onSpeechStarted(audioStartMs: number): void {
    this.speechItemId = newWireId('item');
    this.speechStartMs = audioStartMs;
    this.sink.emit('input_audio_buffer.speech_started', { audio_start_ms: audioStartMs, item_id: this.speechItemId });
    const td = this.session.audio.input.turn_detection;
    if (this.active && td?.interrupt_response) this.cancelActive('turn_detected');
  }

  private onSpeechStopped(audioEndMs: number): void {
    const itemId = this.speechItemId ?? newWireId('item');
    this.speechItemId = null;
    this.sink.emit('input_audio_buffer.speech_stopped', { audio_end_ms: audioEndMs, item_id: itemId });
    this.commitAudio(itemId, this.speechStartMs, audioEndMs);
    const td = this.session.audio.input.turn_detection;
    if (td?.create_response && !this.active) this.startResponse({}, null);
  }

  private onCommit(id: string | null): void {
    if (this.bufferedMs < MIN_COMMIT_MS) return this.error(ERR.commitEmpty(this.bufferedMs, id));
    const end = this.vad.positionMs;
    const itemId = this.speechItemId ?? newWireId('item');
    this.speechItemId = null;
    this.vad.resetSegment();
    this.commitAudio(itemId, end - this.bufferedMs, end);
  }

  private onClear(): void {
    this.bufferedMs = 0;
    this.speechItemId = null;
    this.vad.resetSegment();
    this.sink.emit('input_audio_buffer.cleared');
  }

  /** The caller's speech becomes a user item; its transcript comes from the brain's pairing. */
  private commitAudio(itemId: string, startMs: number, endMs: number): void {
    const index = this.callerInputs++;
    this.counts.speechSegments += 1;
    const transcript = this.opts.brain.callerInput({ kind: 'audio', index });
    const item: ConversationItem = {
      id: itemId, object: 'realtime.item', type: 'message', status: 'completed', role: 'user',
      content: [{ type: 'input_audio', transcript: null }],
    };
    const previous = this.conversation.insert(item, { origin: 'caller_audio', audioStartMs: startMs, audioEndMs: endMs });
    this.bufferedMs = 0;
    this.sink.emit('input_audio_buffer.committed', { previous_item_id: previous, item_id: itemId });
    this.sink.emit('conversation.item.added', { previous_item_id: previous, item });
    this.sink.emit('conversation.item.done', { previous_item_id: previous, item });
    if (this.session.audio.input.transcription) {
      const text = transcript ?? '';
      item.content![0]!.transcript = text;
      this.sink.emit('conversation.item.input_audio_transcription.completed', {
        item_id: itemId, content_index: 0, transcript: text, logprobs: null,
        usage: { type: 'duration', seconds: Math.max(0, (endMs - startMs) / 1000) },
      });
    }
  }

  private onItemCreate(event: Record<string, unknown>, id: string | null): void {
    if (!('item' in event)) return this.error(ERR.missing('item', id));
    const item = parseClientItem(event.item, id);
    if (isWireError(item)) return this.error(item);
    if (this.conversation.has(item.id)) return this.error(ERR.itemExists(item.id, id));
    let previousReq: string | null | undefined;
    if (event.previous_item_id !== undefined) {
      const p = event.previous_item_id;
      if (p !== null && typeof p !== 'string') return this.error(ERR.invalidType('previous_item_id', 'a string or null', id));
      if (typeof p === 'string' && p !== 'root' && !this.conversation.has(p)) return this.error(ERR.itemNotFound('previous_item_id', p, id));
      previousReq = p;
    }
    // An assistant message before any response: the client is restoring an earlier conversation.
    if (item.role === 'assistant' && this.counts.responses === 0) this.opts.brain.historyRestored?.();
    const typed = typedText(item);
    const previous = this.conversation.insert(item, { origin: typed !== undefined ? 'caller_text' : 'client' }, previousReq);
    if (typed !== undefined) this.opts.brain.callerInput({ kind: 'text', index: this.callerInputs++, text: typed });
    this.sink.emit('conversation.item.added', { previous_item_id: previous, item });
    this.sink.emit('conversation.item.done', { previous_item_id: previous, item });
  }

  private itemIdParam(event: Record<string, unknown>, id: string | null): string | undefined {
    if (typeof event.item_id !== 'string') {
      this.error(event.item_id === undefined ? ERR.missing('item_id', id) : ERR.invalidType('item_id', 'a string', id));
      return undefined;
    }
    if (!this.conversation.has(event.item_id)) {
      this.error(ERR.itemNotFound('item_id', event.item_id, id));
      return undefined;
    }
    return event.item_id;
  }

  private onRetrieve(event: Record<string, unknown>, id: string | null): void {
    const itemId = this.itemIdParam(event, id);
    if (itemId) this.sink.emit('conversation.item.retrieved', { item: this.conversation.get(itemId) });
  }

  private onDelete(event: Record<string, unknown>, id: string | null): void {
    const itemId = this.itemIdParam(event, id);
    if (!itemId) return;
    if (this.active?.streamingItemId === itemId) this.cancelActive('client_cancelled');
    this.conversation.delete(itemId);
    this.seenByBrain.delete(itemId);
    this.sink.emit('conversation.item.deleted', { item_id: itemId });
  }

  private onTruncate(event: Record<string, unknown>, id: string | null): void {
    const itemId = this.itemIdParam(event, id);
    if (!itemId) return;
    const endMs = event.audio_end_ms;
    if (typeof endMs !== 'number' || !Number.isInteger(endMs) || endMs < 0) {
      return this.error(endMs === undefined ? ERR.missing('audio_end_ms', id) : ERR.invalidValue('audio_end_ms', "Invalid 'audio_end_ms': expected a non-negative integer.", id));
    }
    const contentIndex = typeof event.content_index === 'number' ? event.content_index : 0;
    const item = this.conversation.get(itemId)!;
    const part = item.content?.[contentIndex];
    if (item.type !== 'message' || item.role !== 'assistant' || !part || (part.type !== 'output_audio' && part.type !== 'audio')) {
      return this.error(ERR.truncateNotAudio(itemId, id));
    }
    // Audio still streaming for this item stops here: the listener has cut it off.
    if (this.active?.streamingItemId === itemId) this.cancelActive('client_cancelled');
    const audioMs = this.conversation.meta(itemId)?.audioMs ?? 0;
    if (endMs > Math.ceil(audioMs)) return this.error(ERR.truncateTooLong(audioMs, endMs, id));
    this.conversation.truncate(itemId, contentIndex, endMs);
    this.sink.emit('conversation.item.truncated', { item_id: itemId, content_index: contentIndex, audio_end_ms: endMs });
  }

  private onResponseCreate(event: Record<string, unknown>, id: string | null): void {
    if (this.active) return this.error(ERR.activeResponse(this.active.id, id));
    const params = event.response;
    if (params !== undefined && params !== null && !isObj(params)) return this.error(ERR.invalidType('response', 'an object', id));
    const modalities = isObj(params) ? params.output_modalities : undefined;
    if (modalities !== undefined && !(Array.isArray(modalities) && modalities.length === 1 && (modalities[0] === 'audio' || modalities[0] === 'text'))) {
      return this.error(ERR.invalidValue('response.output_modalities', "Invalid 'response.output_modalities': expected ['audio'] or ['text'].", id));
    }
    this.startResponse(params ?? {}, id);
  }

  private onResponseCancel(event: Record<string, unknown>, id: string | null): void {
    const wanted = typeof event.response_id === 'string' ? event.response_id : undefined;
    if (!this.active || (wanted && wanted !== this.active.id)) return this.error(ERR.cancelNotActive(id));
    this.cancelActive('client_cancelled');
  }

  private cancelActive(reason: CancelReason): void {
    const run = this.active;
    if (!run) return;
    this.counts.cancelled += 1;
    run.cancel(reason);
  }

  private startResponse(params: Record<string, unknown>, id: string | null): void {
    const s = this.session;
    const run = new ResponseRun(
      this.sink, this.conversation, this.opts.synth, this.opts.pacing, responseParams(params, s, this.conversation.id),
      () => { this.audioProduced = true; },
      (done) => { if (this.active === done) this.active = undefined; },
    );
    this.active = run;
    this.counts.responses += 1;
    run.announce();
    const items = this.conversation.list();
    const newItems = items.filter((i) => !this.seenByBrain.has(i.id) && this.conversation.meta(i.id)?.origin !== 'model');
    for (const i of items) this.seenByBrain.add(i.id);
    const tools = Array.isArray(params.tools) ? params.tools : s.tools;
    let reply;
    try {
      reply = this.opts.brain.respond({
        session: { ...s, tools: tools as SessionResource['tools'], ...(typeof params.instructions === 'string' ? { instructions: params.instructions } : {}) },
        items,
        newItems,
        ...(typeof params.instructions === 'string' ? { responseInstructions: params.instructions } : {}),
        now: this.opts.now(),
      });
    } catch (err) {
      this.opts.logger.error('brain failed', { err, clientEventId: id });
      reply = { say: 'Sorry, something went wrong on my side.' };
    }
    if (reply.fault) {
      const socket = this.opts.socket;
      return stageFault(reply.fault, {
        sink: this.sink, run, silence: () => (this.silenced = true), drop: () => socket?.drop(), close: (code, reason) => socket?.close(code, reason),
      });
    }
    void run.play(reply).then(() => {
      // Items the response itself made are not news to the brain next time.
      for (const i of this.conversation.list()) if (this.conversation.meta(i.id)?.origin === 'model') this.seenByBrain.add(i.id);
    });
  }
}
