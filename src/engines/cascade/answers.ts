/**
 * The cascade engine's answers as the call sees them. Each model call of a run is one
 * response (as on the realtime engine, where a tool runs between the response that called it
 * and the one that follows): `response_created`, its spoken items (text streamed to the voice,
 * audio deltas back with their alignment), and `response_done` once the voice has sent the
 * last audio of every item. A cut (barge-in) ends open responses at once and drops late audio.
 * The voice speaks every context at once; the call hears them one after the other: audio of an
 * item waits here until the items before it have sent their last audio.
 */
import type { ModelEvent, ModelFailure } from '../modelSession.js';
import { addAudio, heardText, newSpokenItem, type SpokenItem } from './spoken.js';
import { speakableCut, type TtsClient, type TtsEvent } from './tts.js';

export interface Answer {
  id: string;
  spoken: SpokenItem[];
  current: SpokenItem | undefined;
  textFinished: boolean;
  usage: { inputTokens: number; outputTokens: number } | undefined;
}

/** Spoken items kept for a late truncate (an answer plays for seconds after it was generated). */
const KEPT_ITEMS = 16;

export class Answers {
  private readonly open = new Map<string, Answer>();
  private readonly items = new Map<string, SpokenItem>();
  /** Items whose audio is still to come, in the order they are heard; audio for later ones waits. */
  private readonly queue: SpokenItem[] = [];
  private readonly waiting = new Map<string, Array<Extract<TtsEvent, { type: 'audio' | 'final' }>>>();
  private marks = { request: false, token: false, audio: false };

  constructor(
    private readonly emit: (e: ModelEvent) => void,
    private readonly voice: () => TtsClient | undefined,
    private readonly nextId: (prefix: string) => string,
  ) {}

  /** A caller turn ended: the next first token and first audio are this turn's stages. */
  turnEnded(): void {
    this.marks = { request: false, token: false, audio: false };
  }

  /** The text model is about to be called; the first call after a turn is its `text_request` stage. */
  requesting(): void {
    if (this.marks.request) return;
    this.marks.request = true;
    this.emit({ type: 'stage_reached', stage: 'text_request', receivedAtMs: performance.now() });
  }

  begin(): Answer {
    const answer: Answer = { id: this.nextId('resp'), spoken: [], current: undefined, textFinished: false, usage: undefined };
    this.open.set(answer.id, answer);
    this.emit({ type: 'response_created', responseId: answer.id });
    return answer;
  }

  /** Streamed text: spoken from the first clause boundary on. */
  text(answer: Answer, delta: string): SpokenItem {
    if (!this.marks.token) {
      this.marks.token = true;
      this.emit({ type: 'stage_reached', stage: 'first_text_token', receivedAtMs: performance.now() });
    }
    const item = answer.current ?? this.openItem(answer);
    item.text += delta;
    item.pending += delta;
    const tts = this.voice();
    if (tts) {
      const cut = speakableCut(item.pending);
      if (cut > 0) {
        tts.text(item.id, item.pending.slice(0, cut));
        item.pending = item.pending.slice(cut);
      }
    }
    return item;
  }

  /** The whole text of an item at once (a line we choose). */
  line(answer: Answer, text: string): SpokenItem {
    const item = this.openItem(answer);
    item.text = text;
    item.pending = text;
    this.endText(answer);
    return item;
  }

  /** The current item's text is complete: the rest goes to the voice (in text mode it is done). */
  endText(answer: Answer): void {
    const item = answer.current;
    if (!item) return;
    answer.current = undefined;
    const tts = this.voice();
    if (tts) {
      if (item.pending.trim() !== '') tts.text(item.id, item.pending);
      item.pending = '';
      tts.end(item.id);
      return;
    }
    item.audioDone = true;
    this.itemDone(answer.id, item);
  }

  /** The model call is over: the answer is done once its audio is. */
  finish(answer: Answer, usage?: { inputTokens: number; outputTokens: number }): void {
    this.endText(answer);
    answer.textFinished = true;
    if (usage) answer.usage = usage;
    this.maybeDone(answer);
  }

  /** The model call failed: what it said so far is cut, the failure goes to the call. */
  fail(answer: Answer, failure: ModelFailure): void {
    this.cutItems(answer);
    this.open.delete(answer.id);
    this.emit({ type: 'response_done', responseId: answer.id, failure });
  }

  /** Every open answer ends now (barge-in, a new turn, the session closing). */
  cancelAll(): void {
    for (const answer of [...this.open.values()]) {
      this.cutItems(answer);
      this.open.delete(answer.id);
      this.emit({ type: 'response_done', responseId: answer.id });
    }
  }

  /** The caller heard `audioEndMs` of the item: its text is cut to those words, its late audio dropped. */
  truncate(itemId: string, audioEndMs: number): SpokenItem | undefined {
    const item = this.items.get(itemId);
    if (!item) return undefined;
    const heard = heardText(item, audioEndMs);
    item.text = heard;
    item.pending = '';
    item.truncated = true;
    this.emit({ type: 'assistant_transcript_done', itemId, transcript: heard, heard: true });
    if (item.audioDone) return item;
    item.cut = true;
    item.audioDone = true;
    this.voice()?.cancel(item.id);
    this.emit({ type: 'assistant_item_done', itemId, responseId: item.responseId, transcript: heard });
    const answer = this.open.get(item.responseId);
    if (answer) this.maybeDone(answer);
    this.drop(item);
    return item;
  }

  onVoice(e: Extract<TtsEvent, { type: 'audio' | 'final' }>): void {
    const item = this.items.get(e.contextId);
    if (!item || item.cut) return;
    if (this.queue[0] !== item) {
      const held = this.waiting.get(item.id);
      if (held) held.push(e);
      else this.waiting.set(item.id, [e]);
      return;
    }
    this.deliver(item, e);
    this.advance();
  }

  private deliver(item: SpokenItem, e: Extract<TtsEvent, { type: 'audio' | 'final' }>): void {
    if (e.type === 'final') {
      item.audioDone = true;
      this.itemDone(item.responseId, item);
      const answer = this.open.get(item.responseId);
      if (answer) this.maybeDone(answer);
      return;
    }
    if (!this.marks.audio) {
      this.marks.audio = true;
      this.emit({ type: 'stage_reached', stage: 'first_tts_audio', receivedAtMs: e.receivedAtMs });
    }
    addAudio(item, e.audio, e.chars, e.startsMs);
    // The words this audio speaks: a call that ends mid-answer records what was heard of them.
    if (e.chars && e.chars.length > 0) this.emit({ type: 'assistant_transcript_delta', itemId: item.id, delta: e.chars.join('') });
    this.emit({ type: 'audio_delta', delta: e.audio, itemId: item.id, responseId: item.responseId, contentIndex: 0, receivedAtMs: e.receivedAtMs });
  }

  /** Audio waiting for the head item goes out; a finished head makes way for the next. */
  private advance(): void {
    for (;;) {
      const head = this.queue[0];
      if (!head) return;
      const held = this.waiting.get(head.id);
      if (held) {
        this.waiting.delete(head.id);
        for (const e of held) if (!head.cut) this.deliver(head, e);
      }
      if (!head.audioDone) return;
      this.queue.shift();
    }
  }

  private openItem(answer: Answer): SpokenItem {
    this.endText(answer);
    const item = newSpokenItem(this.nextId('item'), answer.id);
    answer.spoken.push(item);
    answer.current = item;
    this.items.set(item.id, item);
    if (this.items.size > KEPT_ITEMS) this.items.delete(this.items.keys().next().value!);
    this.emit({ type: 'assistant_item_added', itemId: item.id, responseId: answer.id });
    const tts = this.voice();
    if (tts) {
      this.queue.push(item);
      tts.begin(item.id);
    }
    return item;
  }

  private cutItems(answer: Answer): void {
    answer.current = undefined;
    for (const item of answer.spoken) {
      if (item.audioDone) continue;
      item.cut = true;
      item.audioDone = true;
      if (!item.truncated) item.text = '';
      this.voice()?.cancel(item.id);
      this.emit({ type: 'assistant_item_done', itemId: item.id, responseId: answer.id, transcript: item.text });
      this.drop(item);
    }
  }

  /** A cut item leaves the queue with its waiting audio; the one after it may go out. */
  private drop(item: SpokenItem): void {
    this.waiting.delete(item.id);
    const at = this.queue.indexOf(item);
    if (at < 0) return;
    this.queue.splice(at, 1);
    this.advance();
  }

  private itemDone(responseId: string, item: SpokenItem): void {
    if (this.voice()) this.emit({ type: 'output_audio_done', itemId: item.id, responseId });
    this.emit({ type: 'assistant_transcript_done', itemId: item.id, transcript: item.text });
    this.emit({ type: 'assistant_item_done', itemId: item.id, responseId, transcript: item.text });
  }

  private maybeDone(answer: Answer): void {
    if (!answer.textFinished || answer.spoken.some((i) => !i.audioDone) || !this.open.has(answer.id)) return;
    this.open.delete(answer.id);
    this.emit({ type: 'response_done', responseId: answer.id, ...(answer.usage ? { usage: answer.usage } : {}) });
  }
}
