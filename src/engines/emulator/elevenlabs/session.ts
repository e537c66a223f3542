/**
 * One connection to the ElevenLabs-compatible TTS peer: up to five contexts, each with its own
 * text buffer. Text is generated when a context is flushed, when its buffer passes the chunk
 * length schedule (cut at the last space), or at a sentence end in `auto_mode`; each generated
 * segment is spoken by the local voice in the requested format and streamed as paced audio
 * chunks, every chunk with its alignment. `close_context` drops unflushed text, lets generated
 * audio finish and ends with `{ isFinal: true, contextId }`. Nothing here throws to the socket.
 */
import type { SpeechSynthesizer } from '../../../audio/index.js';
import { bytesPerSample } from '../../../audio/index.js';
import type { Logger } from '../../../observability/index.js';
import type { OutputPacing } from '../responder.js';
import {
  DEFAULT_CHUNK_SCHEDULE, MAX_CONTEXTS, POLICY_VIOLATION, chunkAlignment, clientMessageSchema,
  type ClientMessage, type TtsConnection, type TtsError,
} from './protocol.js';

/** The context a message without `context_id` speaks to. */
const DEFAULT_CONTEXT = 'default';

export interface TtsSessionOptions {
  connection: TtsConnection;
  /** When set, the key (connection or first message) must equal it; otherwise any non-empty key. */
  apiKey?: string;
  synth: SpeechSynthesizer;
  pacing: OutputPacing;
  send: (json: string) => void;
  close: (code: number, reason: string) => void;
  logger: Logger;
}

interface Context {
  id: string;
  buffer: string;
  queue: string[];
  segments: number;
  schedule: readonly number[];
  playing: boolean;
  closing: boolean;
}

const SENTENCE_END = /[.!?…](?:["')\]]*)(?=\s|$)/g;

export class TtsSession {
  private readonly contexts = new Map<string, Context>();
  private authed: boolean;
  private closed = false;
  private closingSocket = false;
  private inactivity: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly counts = { messages: 0, segments: 0, audioChunks: 0, contexts: 0 };

  constructor(private readonly opts: TtsSessionOptions) {
    this.authed = false;
  }

  /** Checks what the connection carried; an error closes the socket at once. */
  start(): void {
    const key = this.opts.connection.key;
    if (key !== undefined && !this.acceptKey(key)) return;
    this.authed = key !== undefined;
    this.touch();
  }

  close(): void {
    this.closed = true;
    if (this.inactivity) clearTimeout(this.inactivity);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private fail(err: TtsError): void {
    if (this.closed) return;
    this.opts.send(JSON.stringify({ message: err.message, error: err.error, code: POLICY_VIOLATION }));
    // A close reason is at most 123 bytes.
    this.opts.close(POLICY_VIOLATION, Buffer.from(err.message).subarray(0, 123).toString('utf8').replace(/\uFFFD$/, ''));
    this.close();
  }

  private acceptKey(key: string): boolean {
    if (key === '' || (this.opts.apiKey !== undefined && key !== this.opts.apiKey)) {
      this.fail({ error: 'invalid_api_key', message: 'Invalid API key' });
      return false;
    }
    return true;
  }

  private touch(): void {
    if (this.inactivity) clearTimeout(this.inactivity);
    const seconds = this.opts.connection.inactivityTimeoutMs / 1000;
    this.inactivity = setTimeout(() => this.fail({
      error: 'input_timeout_exceeded',
      message: `Have not received a new text input within the timeout of ${seconds} seconds. Streaming input terminated. Please make sure to either feed the input in the timely manner, or to send the end of input text (empty string "") when done.`,
    }), this.opts.connection.inactivityTimeoutMs);
  }

  /** One client message off the socket. Never throws. */
  handleMessage(data: string): void {
    if (this.closed || this.closingSocket) return;
    this.counts.messages += 1;
    let raw: unknown;
    try {
      raw = JSON.parse(data);
    } catch {
      return this.fail({ error: 'invalid_message', message: 'Invalid message: expected one JSON object per message.' });
    }
    const parsed = clientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return this.fail({ error: 'invalid_message', message: `Invalid message: ${issue.path.join('.') || 'message'}: ${issue.message}.` });
    }
    const msg = parsed.data;
    if (!this.authed) {
      const key = msg.xi_api_key ?? msg.authorization?.replace(/^Bearer\s+/i, '');
      if (key === undefined) return this.fail({ error: 'authentication_error', message: 'You must be authenticated to use this endpoint: send the xi-api-key header or xi_api_key in the first message.' });
      if (!this.acceptKey(key)) return;
      this.authed = true;
    }
    this.touch();
    try {
      this.dispatch(msg);
    } catch (err) {
      this.opts.logger.error('tts peer failed on a message', { err });
      this.fail({ error: 'internal_error', message: 'We are sorry, something went wrong.' });
    }
  }

  private dispatch(msg: ClientMessage): void {
    if (msg.close_socket) return this.closeSocket();
    const id = msg.context_id ?? DEFAULT_CONTEXT;
    if (msg.close_context) return this.closeContext(id);
    if (msg.text === undefined && !msg.flush) {
      return this.fail({ error: 'invalid_message', message: 'Invalid message: expected text, flush, close_context or close_socket.' });
    }
    let ctx = this.contexts.get(id);
    if (!ctx) {
      // An empty text only keeps a context alive; it never creates one.
      if (msg.text === '' && !msg.flush) return;
      if (this.contexts.size >= MAX_CONTEXTS) {
        return this.fail({ error: 'max_active_conversations', message: `Maximum simultaneous contexts per WebSocket connection exceeded (${MAX_CONTEXTS}). Please close an existing context before opening a new one.` });
      }
      ctx = { id, buffer: '', queue: [], segments: 0, schedule: msg.generation_config?.chunk_length_schedule ?? DEFAULT_CHUNK_SCHEDULE, playing: false, closing: false };
      this.contexts.set(id, ctx);
      this.counts.contexts += 1;
    }
    // The initialising " " (or any leading blank) is not text to speak.
    if (msg.text !== undefined && (ctx.buffer !== '' || msg.text.trim() !== '')) ctx.buffer += msg.text;
    this.generateReady(ctx, msg.flush === true);
  }

  /** Moves the buffer's ready text to the context's queue and starts speaking. */
  private generateReady(ctx: Context, flush: boolean): void {
    let cut = 0;
    if (flush) cut = ctx.buffer.length;
    else if (this.opts.connection.autoMode) {
      for (const m of ctx.buffer.matchAll(SENTENCE_END)) cut = m.index + m[0].length;
    } else {
      const threshold = ctx.schedule[Math.min(ctx.segments, ctx.schedule.length - 1)]!;
      if (ctx.buffer.length >= threshold) cut = ctx.buffer.lastIndexOf(' ') + 1;
    }
    if (cut <= 0) return;
    const text = ctx.buffer.slice(0, cut);
    ctx.buffer = ctx.buffer.slice(cut);
    if (text.trim() === '') return;
    ctx.segments += 1;
    ctx.queue.push(text);
    if (!ctx.playing) void this.play(ctx);
  }

  private closeContext(id: string): void {
    const ctx = this.contexts.get(id);
    if (!ctx) return;
    ctx.buffer = '';
    ctx.closing = true;
    if (!ctx.playing) this.finish(ctx);
  }

  private closeSocket(): void {
    this.closingSocket = true;
    for (const ctx of this.contexts.values()) {
      ctx.closing = true;
      if (!ctx.playing) this.finish(ctx);
    }
    this.maybeCloseSocket();
  }

  private maybeCloseSocket(): void {
    if (this.closingSocket && this.contexts.size === 0 && !this.closed) {
      this.opts.close(1000, '');
      this.close();
    }
  }

  private finish(ctx: Context): void {
    if (this.contexts.get(ctx.id) !== ctx) return;
    this.contexts.delete(ctx.id);
    if (!this.closed) this.opts.send(JSON.stringify({ isFinal: true, contextId: ctx.id }));
    this.maybeCloseSocket();
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  /** Speaks the context's queue, segment after segment, paced like the realtime emulator's audio. */
  private async play(ctx: Context): Promise<void> {
    ctx.playing = true;
    const { format } = this.opts.connection;
    const { chunkMs, speed, firstAudioDelayMs } = this.opts.pacing;
    try {
      if (firstAudioDelayMs > 0) await this.wait(firstAudioDelayMs);
      while (ctx.queue.length > 0 && !this.closed) {
        const text = ctx.queue.shift()!;
        const clip = await this.opts.synth.clip(text, format);
        this.counts.segments += 1;
        const sampleBytes = bytesPerSample(format);
        const chunkBytes = Math.max(sampleBytes, Math.round((chunkMs * format.rateHz) / 1000) * sampleBytes);
        const msPerChunk = (chunkBytes / sampleBytes / format.rateHz) * 1000;
        const bytes = Buffer.from(clip.bytes.buffer, clip.bytes.byteOffset, clip.bytes.byteLength);
        for (let offset = 0, k = 0; offset < bytes.length && !this.closed; offset += chunkBytes, k++) {
          const last = offset + chunkBytes >= bytes.length;
          const alignment = chunkAlignment(text, clip.durationMs, k * msPerChunk, (k + 1) * msPerChunk, last);
          this.opts.send(JSON.stringify({
            audio: bytes.subarray(offset, Math.min(bytes.length, offset + chunkBytes)).toString('base64'),
            normalizedAlignment: alignment, alignment, contextId: ctx.id,
          }));
          this.counts.audioChunks += 1;
          if (Number.isFinite(speed) && speed > 0) await this.wait(msPerChunk / speed);
        }
        if (!Number.isFinite(speed)) await this.wait(0);
      }
    } catch (err) {
      this.opts.logger.error('tts peer could not synthesise', { err });
      return this.fail({ error: 'internal_error', message: 'We are sorry, something went wrong.' });
    } finally {
      ctx.playing = false;
    }
    if (ctx.closing) this.finish(ctx);
  }
}
