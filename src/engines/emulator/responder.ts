/**
 * One response, from `response.created` to `response.done`: an optional spoken (or written)
 * message, then an optional function call, streamed with the GA event sequence. Audio deltas
 * are paced faster than real time (`speed`× by default); cancelling stops them at once and
 * leaves the message `incomplete` with the transcript sent so far.
 */
import type { AudioFormat, SpeechClip, SpeechSynthesizer } from '../../audio/index.js';
import { bytesPerSample } from '../../audio/index.js';
import type { Conversation, ConversationItem } from './conversation.js';
import type { EventSink } from './emit.js';
import { newWireId } from './ids.js';
import type { BrainReply } from './brain/types.js';

export interface OutputPacing {
  /** Audio per delta, in ms (default 200). */
  chunkMs: number;
  /** How much faster than real time deltas go out; `Infinity` sends them all at once (default 4). */
  speed: number;
  /** Wait before the first delta, standing in for model latency (default 0). */
  firstAudioDelayMs: number;
}

export interface ResponseParams {
  modality: 'audio' | 'text';
  format: AudioFormat;
  wireFormat: unknown;
  voice: string;
  /** ISO 639-1 language the session is in, when it has one: the speech is in it (espeak-ng voices). */
  language?: string;
  inConversation: boolean;
  conversationId: string | null;
  metadata: unknown;
}

export type CancelReason = 'turn_detected' | 'client_cancelled';

/** Base64 chunks of a clip, computed once per clip and chunk size. */
const chunkCache = new WeakMap<SpeechClip, Map<number, string[]>>();
function clipChunks(clip: SpeechClip, chunkBytes: number): string[] {
  let byClip = chunkCache.get(clip);
  if (!byClip) chunkCache.set(clip, (byClip = new Map()));
  let out = byClip.get(chunkBytes);
  if (!out) {
    out = [];
    const buf = Buffer.from(clip.bytes.buffer, clip.bytes.byteOffset, clip.bytes.byteLength);
    for (let i = 0; i < buf.length; i += chunkBytes) out.push(buf.subarray(i, Math.min(buf.length, i + chunkBytes)).toString('base64'));
    byClip.set(chunkBytes, out);
  }
  return out;
}

/** Where the transcript stands after chunk k of n: the share of words the audio so far covers. */
function transcriptCut(text: string, k: number, n: number): number {
  if (k >= n - 1) return text.length;
  const target = Math.round((text.length * (k + 1)) / n);
  const space = text.indexOf(' ', target);
  return space < 0 ? text.length : space + 1;
}

interface MessageState {
  item: ConversationItem;
  outputIndex: number;
  text: string;
  sentChars: number;
  sentAudioMs: number;
  previousItemId: string | null;
}

export class ResponseRun {
  readonly id = newWireId('resp');
  status: 'in_progress' | 'completed' | 'cancelled' = 'in_progress';
  private readonly output: ConversationItem[] = [];
  private message: MessageState | undefined;
  private timer: NodeJS.Timeout | undefined;
  private outputTokens = 0;

  constructor(
    private readonly sink: EventSink,
    private readonly conversation: Conversation,
    private readonly synth: SpeechSynthesizer,
    private readonly pacing: OutputPacing,
    private readonly params: ResponseParams,
    private readonly onAudioProduced: () => void,
    private readonly onFinished: (run: ResponseRun) => void,
  ) {}

  get active(): boolean {
    return this.status === 'in_progress';
  }

  /** The assistant message currently streaming, if any. */
  get streamingItemId(): string | undefined {
    return this.message?.item.id;
  }

  private resource(extra: Record<string, unknown>): Record<string, unknown> {
    return {
      object: 'realtime.response',
      id: this.id,
      status: this.status,
      status_details: null,
      output: [],
      conversation_id: this.params.conversationId,
      output_modalities: [this.params.modality],
      max_output_tokens: 'inf',
      audio: { output: { format: this.params.wireFormat, voice: this.params.voice } },
      usage: null,
      metadata: this.params.metadata ?? null,
      ...extra,
    };
  }

  announce(): void {
    this.sink.emit('response.created', { response: this.resource({}) });
  }

  /** Plays the brain's reply; resolves when the response is done or cancelled. */
  async play(reply: BrainReply): Promise<void> {
    try {
      if (reply.say && reply.say.trim()) await this.playMessage(reply.say.trim());
      if (!this.active) return;
      if (reply.toolCall) this.playFunctionCall(reply.toolCall.name, reply.toolCall.arguments);
      if (this.active) this.finish();
    } catch (err) {
      if (this.active) this.fail(err);
    }
  }

  private addOutputItem(item: ConversationItem, outputIndex: number): string | null {
    this.sink.emit('response.output_item.added', { response_id: this.id, output_index: outputIndex, item });
    let previous: string | null = null;
    if (this.params.inConversation) {
      previous = this.conversation.insert(structuredClone(item), { origin: 'model', responseId: this.id });
      this.sink.emit('conversation.item.added', { previous_item_id: previous, item });
    }
    return previous;
  }

  private doneOutputItem(item: ConversationItem, outputIndex: number, previous: string | null): void {
    this.output.push(item);
    this.sink.emit('response.output_item.done', { response_id: this.id, output_index: outputIndex, item });
    if (this.params.inConversation && this.conversation.has(item.id)) {
      this.sink.emit('conversation.item.done', { previous_item_id: previous, item });
    }
  }

  private async playMessage(text: string): Promise<void> {
    const audio = this.params.modality === 'audio';
    const clip = audio ? await this.synth.clip(text, this.params.format, this.params.language) : undefined;
    if (!this.active) return;
    const outputIndex = this.output.length;
    const item: ConversationItem = { id: newWireId('item'), object: 'realtime.item', type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    const previous = this.addOutputItem(item, outputIndex);
    const stored = this.conversation.get(item.id);
    if (stored) stored.content = [audio ? { type: 'output_audio', transcript: '' } : { type: 'output_text', text: '' }];
    this.message = { item, outputIndex, text, sentChars: 0, sentAudioMs: 0, previousItemId: previous };
    const base = { response_id: this.id, item_id: item.id, output_index: outputIndex, content_index: 0 };
    this.sink.emit('response.content_part.added', { ...base, part: audio ? { type: 'audio', transcript: '' } : { type: 'text', text: '' } });
    this.outputTokens += Math.ceil(text.length / 4);

    if (!clip) {
      // Text modality: word-group deltas, no pacing needed.
      const words = text.split(/(?<= )/);
      for (let i = 0; i < words.length; i += 4) {
        const piece = words.slice(i, i + 4).join('');
        this.sink.emit('response.output_text.delta', { ...base, delta: piece });
        this.message.sentChars += piece.length;
      }
      if (stored?.content?.[0]) stored.content[0].text = text;
      this.sink.emit('response.output_text.done', { ...base, text });
      this.sink.emit('response.content_part.done', { ...base, part: { type: 'text', text } });
      const final: ConversationItem = { ...item, status: 'completed', content: [{ type: 'output_text', text }] };
      if (stored) stored.status = 'completed';
      this.message = undefined;
      this.doneOutputItem(final, outputIndex, previous);
      return;
    }

    const format = this.params.format;
    const chunkBytes = Math.max(bytesPerSample(format), Math.round((this.pacing.chunkMs * format.rateHz) / 1000) * bytesPerSample(format));
    const chunks = clipChunks(clip, chunkBytes);
    const chunkMs = (chunkBytes / bytesPerSample(format) / format.rateHz) * 1000;
    const intervalMs = Number.isFinite(this.pacing.speed) && this.pacing.speed > 0 ? chunkMs / this.pacing.speed : 0;
    this.outputTokens += Math.ceil(clip.durationMs / 50);
    const meta = this.conversation.meta(item.id);

    await new Promise<void>((resolve) => {
      let k = 0;
      const sendChunk = (): void => {
        const m = this.message;
        if (!this.active || !m) return resolve();
        if (k === 0) this.onAudioProduced();
        this.sink.audioDelta(this.id, item.id, outputIndex, chunks[k]!);
        const cut = transcriptCut(text, k, chunks.length);
        if (cut > m.sentChars) {
          this.sink.emit('response.output_audio_transcript.delta', { ...base, delta: text.slice(m.sentChars, cut) });
          m.sentChars = cut;
        }
        m.sentAudioMs = Math.min(clip.durationMs, (k + 1) * chunkMs);
        if (stored?.content?.[0]) stored.content[0].transcript = text.slice(0, m.sentChars);
        if (meta) meta.audioMs = m.sentAudioMs;
        k += 1;
        if (k >= chunks.length) return resolve();
        if (intervalMs <= 0) sendChunk();
        else this.timer = setTimeout(sendChunk, intervalMs);
      };
      if (this.pacing.firstAudioDelayMs > 0) this.timer = setTimeout(sendChunk, this.pacing.firstAudioDelayMs);
      else if (intervalMs <= 0) {
        // Everything at once, but one event-loop turn later, like a network would.
        this.timer = setTimeout(sendChunk, 0);
      } else sendChunk();
    });
    this.timer = undefined;
    if (!this.active) return;
    this.sink.emit('response.output_audio.done', base);
    this.sink.emit('response.output_audio_transcript.done', { ...base, transcript: text });
    this.sink.emit('response.content_part.done', { ...base, part: { type: 'audio', transcript: text } });
    if (stored) {
      stored.status = 'completed';
      if (stored.content?.[0]) stored.content[0].transcript = text;
    }
    if (meta) meta.audioMs = clip.durationMs;
    const final: ConversationItem = { ...item, status: 'completed', content: [{ type: 'output_audio', transcript: text }] };
    this.message = undefined;
    this.doneOutputItem(final, outputIndex, previous);
  }

  private playFunctionCall(name: string, args: string): void {
    const outputIndex = this.output.length;
    const callId = newWireId('call');
    const item: ConversationItem = { id: newWireId('item'), object: 'realtime.item', type: 'function_call', status: 'in_progress', name, call_id: callId, arguments: '' };
    const previous = this.addOutputItem(item, outputIndex);
    const base = { response_id: this.id, item_id: item.id, output_index: outputIndex, call_id: callId };
    this.sink.emit('response.function_call_arguments.delta', { ...base, delta: args });
    this.sink.emit('response.function_call_arguments.done', { ...base, name, arguments: args });
    const final: ConversationItem = { ...item, status: 'completed', arguments: args };
    const stored = this.conversation.get(item.id);
    if (stored) {
      stored.status = 'completed';
      stored.arguments = args;
    }
    this.outputTokens += Math.ceil(args.length / 4) + 4;
    this.doneOutputItem(final, outputIndex, previous);
  }

  private usage(): Record<string, unknown> {
    const inputChars = this.conversation.list().reduce((n, i) => n + JSON.stringify(i.content ?? i.arguments ?? i.output ?? '').length, 0);
    const inputTokens = Math.ceil(inputChars / 4) + 50;
    return {
      total_tokens: inputTokens + this.outputTokens,
      input_tokens: inputTokens,
      output_tokens: this.outputTokens,
      input_token_details: { text_tokens: inputTokens, audio_tokens: 0, image_tokens: 0, cached_tokens: 0, cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 } },
      output_token_details: { text_tokens: this.outputTokens, audio_tokens: 0 },
    };
  }

  private finish(): void {
    this.status = 'completed';
    this.sink.emit('response.done', { response: this.resource({ output: this.output, usage: this.usage() }) });
    this.onFinished(this);
  }

  /** Stops the response now: no further deltas; the message so far is kept as `incomplete`. */
  cancel(reason: CancelReason): void {
    if (!this.active) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.status = 'cancelled';
    const m = this.message;
    if (m) {
      const spoken = m.text.slice(0, m.sentChars);
      const audio = this.params.modality === 'audio';
      const part = audio ? { type: 'output_audio' as const, transcript: spoken } : { type: 'output_text' as const, text: spoken };
      const final: ConversationItem = { ...m.item, status: 'incomplete', content: [part] };
      const stored = this.conversation.get(m.item.id);
      if (stored) {
        stored.status = 'incomplete';
        stored.content = [{ ...part }];
      }
      this.message = undefined;
      this.output.push(final);
      this.sink.emit('response.output_item.done', { response_id: this.id, output_index: m.outputIndex, item: final });
      if (stored) this.sink.emit('conversation.item.done', { previous_item_id: m.previousItemId, item: final });
    }
    this.sink.emit('response.done', {
      response: this.resource({ output: this.output, status_details: { type: 'cancelled', reason }, usage: this.usage() }),
    });
    this.onFinished(this);
  }

  /** The brain or synthesis failed: the response ends `failed` and the session carries on. */
  private fail(err: unknown): void {
    this.failWith({ type: 'server_error', code: null, message: err instanceof Error ? err.message : String(err) });
  }

  /** Ends the response `failed` with `error` in its status details (a staged fault, or our own failure). */
  failWith(error: { type: string; code: string | null; message: string }): void {
    if (!this.active) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.status = 'completed';
    this.sink.emit('response.done', {
      response: this.resource({
        status: 'failed',
        output: this.output,
        status_details: { type: 'failed', error },
        usage: this.usage(),
      }),
    });
    this.onFinished(this);
  }

  /** Session closed: stop timers without sending anything. */
  abort(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.status = 'cancelled';
  }
}
