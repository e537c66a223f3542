/**
 * Outbound audio towards the carrier: μ-law bytes of any chunk size leave as exact frames of the
 * carrier's media format (Twilio: 20 ms, 160 bytes), followed every few frames by a mark. The
 * carrier echoes a mark when its audio has been played, so the acknowledged marks tell us what
 * the caller actually heard: that, not the wall clock, is where a barge-in truncates the model's
 * item.
 */
import type { MediaFormat } from '../telephony/index.js';
import { PCMU_8K_20MS } from '../telephony/index.js';

/** Where frames go: the carrier connection, or a queue until it is attached. */
export interface CarrierOut {
  audio(payloadBase64: string): void;
  mark(name: string): void;
  clear(): void;
}

interface MarkInfo {
  name: string;
  itemId: string;
  /** Milliseconds of this item's audio played once this mark is acknowledged. */
  endMs: number;
  /** The item's last mark: its audio has been played completely. */
  final: boolean;
}

interface ItemState {
  itemId: string;
  responseId: string;
  contentIndex: number;
  sentBytes: number;
  heardMs: number;
  /** The final mark has been sent (no more audio for this item). */
  ended: boolean;
}

/** An item whose playback a `clear` cut short. */
export interface CutItem {
  itemId: string;
  responseId: string;
  contentIndex: number;
  /** What the caller heard (last acknowledged mark). */
  heardMs: number;
  /** What had been sent to the carrier. */
  sentMs: number;
}

export interface PlaybackListener {
  /** An item's audio was played to its end (its final mark acknowledged). */
  onItemPlayed?(itemId: string, playedMs: number): void;
  /** Nothing is queued at the carrier any more. */
  onIdle?(): void;
  /** The first frame of an item went out. */
  onFirstFrame?(itemId: string, responseId: string): void;
}

export interface PlaybackOptions {
  /** A mark every N frames (1 = every 20 ms). Fewer marks cost less; more give finer truncation. */
  markEveryFrames?: number;
  /** The carrier's media format (frame size and duration, silence); G.711 μ-law 20 ms by default. */
  media?: MediaFormat;
}

export class Playback {
  private readonly markEvery: number;
  /** Bytes of one outbound frame, and of one millisecond, in the carrier's format. */
  private readonly frameBytes: number;
  private readonly bytesPerMs: number;
  private readonly silenceByte: number;
  private readonly pending: Buffer;
  private pendingLen = 0;
  private scratch = Buffer.allocUnsafe(8192);
  private framesSinceMark = 0;
  private markSeq = 0;
  /** Marks sent and not yet acknowledged, oldest first. */
  private marks: MarkInfo[] = [];
  private marksHead = 0;
  private readonly items = new Map<string, ItemState>();
  private current: ItemState | undefined;
  private frames = 0;

  constructor(private out: CarrierOut, private readonly listener: PlaybackListener = {}, options: PlaybackOptions = {}) {
    this.markEvery = Math.max(1, options.markEveryFrames ?? 5);
    const media = options.media ?? PCMU_8K_20MS;
    this.frameBytes = media.frameBytes;
    this.bytesPerMs = media.frameBytes / media.frameMs;
    this.silenceByte = media.silenceByte;
    this.pending = Buffer.alloc(media.frameBytes);
  }

  /** Re-points the output (the carrier attached after the greeting started). */
  setOut(out: CarrierOut): void {
    this.out = out;
  }

  /** Frames sent in total (bench and tests). */
  get framesSent(): number {
    return this.frames;
  }

  /** The item whose audio is being sent now. */
  get currentItemId(): string | undefined {
    return this.current?.itemId;
  }

  /** True when every frame sent has been played (all marks acknowledged) and nothing is held. */
  get idle(): boolean {
    return this.marksHead >= this.marks.length && this.pendingLen === 0 && this.current === undefined;
  }

  /** Audio of `itemId` as base64 μ-law (the model's passthrough format). */
  pushBase64(itemId: string, responseId: string, contentIndex: number, base64: string): void {
    const max = (base64.length >>> 2) * 3 + 3;
    if (this.scratch.length < max) this.scratch = Buffer.allocUnsafe(Math.max(max, this.scratch.length * 2));
    const n = this.scratch.write(base64, 0, 'base64');
    this.pushBytes(itemId, responseId, contentIndex, this.scratch, n);
  }

  /** Audio of `itemId` as μ-law bytes (`bytes[0..length)`). */
  pushBytes(itemId: string, responseId: string, contentIndex: number, bytes: Uint8Array, length = bytes.length): void {
    const item = this.itemFor(itemId, responseId, contentIndex);
    const src = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const frameBytes = this.frameBytes;
    let off = 0;
    if (this.pendingLen > 0) {
      const take = Math.min(frameBytes - this.pendingLen, length);
      src.copy(this.pending, this.pendingLen, 0, take);
      this.pendingLen += take;
      off = take;
      if (this.pendingLen < frameBytes) return;
      this.pendingLen = 0;
      this.emitFrame(item, this.pending.toString('base64'));
    }
    while (length - off >= frameBytes) {
      this.emitFrame(item, src.toString('base64', off, off + frameBytes));
      off += frameBytes;
    }
    if (off < length) {
      src.copy(this.pending, 0, off, length);
      this.pendingLen = length - off;
    }
  }

  /** The item's audio is complete: pad and send its last frame, then its final mark. */
  endItem(itemId: string): void {
    const item = this.items.get(itemId);
    if (!item || item.ended) return;
    if (this.current === item && this.pendingLen > 0) {
      this.pending.fill(this.silenceByte, this.pendingLen);
      this.pendingLen = 0;
      this.emitFrame(item, this.pending.toString('base64'));
    }
    item.ended = true;
    this.sendMark(item, true);
    if (this.current === item) this.current = undefined;
  }

  /** A mark came back from the carrier. Unknown names (cleared, or not ours) are ignored. */
  acknowledge(name: string): void {
    const marks = this.marks;
    let i = this.marksHead;
    while (i < marks.length && marks[i]!.name !== name) i++;
    if (i >= marks.length) return;
    // Marks are played in order: an acknowledged mark settles every earlier one.
    for (let j = this.marksHead; j <= i; j++) this.settle(marks[j]!);
    this.marksHead = i + 1;
    if (this.marksHead > 64 && this.marksHead * 2 > marks.length) {
      this.marks = marks.slice(this.marksHead);
      this.marksHead = 0;
    }
    if (this.idle) this.listener.onIdle?.();
  }

  /**
   * Barge-in: the carrier drops what it holds (`clear` goes out first, before any bookkeeping),
   * the partial frame is discarded, and the items cut short are returned with what was heard.
   */
  clear(): CutItem[] {
    this.out.clear();
    this.pendingLen = 0;
    this.framesSinceMark = 0;
    const cut: CutItem[] = [];
    const played: ItemState[] = [];
    for (const item of this.items.values()) {
      const sentMs = item.sentBytes / this.bytesPerMs;
      if (item.heardMs < sentMs || !item.ended) {
        cut.push({ itemId: item.itemId, responseId: item.responseId, contentIndex: item.contentIndex, heardMs: item.heardMs, sentMs });
      } else {
        played.push(item);
      }
    }
    this.items.clear();
    for (const item of played) this.listener.onItemPlayed?.(item.itemId, item.heardMs);
    this.current = undefined;
    this.marks = [];
    this.marksHead = 0;
    return cut;
  }

  /** What the caller has heard of an item so far (ms), when it is still tracked. */
  heardMs(itemId: string): number | undefined {
    return this.items.get(itemId)?.heardMs;
  }

  private itemFor(itemId: string, responseId: string, contentIndex: number): ItemState {
    const cur = this.current;
    if (cur !== undefined && cur.itemId === itemId) return cur;
    // A new item: whatever the previous one left half a frame of ends here.
    if (cur !== undefined) this.endItem(cur.itemId);
    let item = this.items.get(itemId);
    if (!item) {
      item = { itemId, responseId, contentIndex, sentBytes: 0, heardMs: 0, ended: false };
      this.items.set(itemId, item);
    }
    this.current = item;
    return item;
  }

  private emitFrame(item: ItemState, payload: string): void {
    const first = item.sentBytes === 0;
    this.out.audio(payload);
    this.frames++;
    item.sentBytes += this.frameBytes;
    if (first) this.listener.onFirstFrame?.(item.itemId, item.responseId);
    if (++this.framesSinceMark >= this.markEvery) this.sendMark(item, false);
  }

  private sendMark(item: ItemState, final: boolean): void {
    this.framesSinceMark = 0;
    const name = `m${++this.markSeq}`;
    this.marks.push({ name, itemId: item.itemId, endMs: item.sentBytes / this.bytesPerMs, final });
    this.out.mark(name);
  }

  private settle(mark: MarkInfo): void {
    const item = this.items.get(mark.itemId);
    if (!item) return;
    if (mark.endMs > item.heardMs) item.heardMs = mark.endMs;
    if (mark.final) {
      this.items.delete(item.itemId);
      this.listener.onItemPlayed?.(item.itemId, item.heardMs);
    }
  }
}
