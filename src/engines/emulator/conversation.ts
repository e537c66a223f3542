/**
 * The stored conversation of one session: items in order, with their transcripts, as the
 * real service keeps them. `conversation.item.retrieve` reads from here, so transcripts the SDK
 * asks back for are never lost; truncation cuts an assistant transcript in proportion to the
 * audio the listener kept.
 */
import { newWireId } from './ids.js';

export interface ContentPart {
  type: 'input_text' | 'input_audio' | 'output_text' | 'output_audio' | 'text' | 'audio' | 'input_image';
  text?: string;
  transcript?: string | null;
  audio?: string;
  [extra: string]: unknown;
}

export interface ConversationItem {
  id: string;
  object: 'realtime.item';
  type: 'message' | 'function_call' | 'function_call_output' | string;
  status?: 'completed' | 'incomplete' | 'in_progress';
  role?: 'user' | 'assistant' | 'system';
  content?: ContentPart[];
  name?: string;
  call_id?: string;
  arguments?: string;
  output?: string;
  [extra: string]: unknown;
}

/** What the emulator knows about an item beyond its wire shape. */
export interface ItemMeta {
  /** Total assistant audio of the item, in ms (for truncation). */
  audioMs?: number;
  /** Where the caller's speech sat on the input clock. */
  audioStartMs?: number;
  audioEndMs?: number;
  /** The response that produced it. */
  responseId?: string;
  /** The brain's own note (e.g. which script step made it). */
  origin?: 'caller_audio' | 'caller_text' | 'model' | 'client';
  truncatedAtMs?: number;
}

export class Conversation {
  readonly id = newWireId('conv');
  private order: string[] = [];
  private readonly items = new Map<string, { item: ConversationItem; meta: ItemMeta }>();

  get size(): number {
    return this.order.length;
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  get(id: string): ConversationItem | undefined {
    return this.items.get(id)?.item;
  }

  meta(id: string): ItemMeta | undefined {
    return this.items.get(id)?.meta;
  }

  /** The id of the last item (what a new item's `previous_item_id` is when appended). */
  lastId(): string | null {
    return this.order.length > 0 ? this.order[this.order.length - 1]! : null;
  }

  /**
   * Inserts an item. `previous` undefined → append; `'root'` or null → at the front; an id →
   * right after it. Returns the id of the item before it (null at the front).
   */
  insert(item: ConversationItem, meta: ItemMeta = {}, previous?: string | null): string | null {
    let index: number;
    if (previous === undefined) index = this.order.length;
    else if (previous === null || previous === 'root') index = 0;
    else index = this.order.indexOf(previous) + 1;
    this.order.splice(index, 0, item.id);
    this.items.set(item.id, { item, meta });
    return index === 0 ? null : this.order[index - 1]!;
  }

  delete(id: string): boolean {
    if (!this.items.delete(id)) return false;
    this.order = this.order.filter((x) => x !== id);
    return true;
  }

  /** Items in conversation order. */
  list(): ConversationItem[] {
    return this.order.map((id) => this.items.get(id)!.item);
  }

  /** Items after `afterId` (all items when it is null or gone). */
  since(afterId: string | null): ConversationItem[] {
    const i = afterId === null ? -1 : this.order.indexOf(afterId);
    return this.order.slice(i + 1).map((id) => this.items.get(id)!.item);
  }

  /**
   * Cuts an assistant audio item to `audioEndMs`: the stored transcript keeps the share of its
   * words that the kept audio covers. Returns the new transcript.
   */
  truncate(id: string, contentIndex: number, audioEndMs: number): string | undefined {
    const entry = this.items.get(id);
    const part = entry?.item.content?.[contentIndex];
    if (!entry || !part) return undefined;
    const total = entry.meta.audioMs ?? 0;
    const transcript = typeof part.transcript === 'string' ? part.transcript : '';
    const kept = total > 0 ? cutTranscript(transcript, audioEndMs / total) : '';
    part.transcript = kept;
    entry.meta.audioMs = Math.min(total, audioEndMs);
    entry.meta.truncatedAtMs = audioEndMs;
    return kept;
  }
}

/** The leading share of a transcript, cut back to a word boundary. */
export function cutTranscript(transcript: string, fraction: number): string {
  if (fraction >= 1) return transcript;
  if (fraction <= 0) return '';
  const target = Math.floor(transcript.length * fraction);
  if (target >= transcript.length) return transcript;
  // Keep whole words only: a word the listener heard half of is not kept.
  const head = transcript.slice(0, target + 1);
  const lastSpace = head.lastIndexOf(' ');
  const cut = transcript[target] === ' ' || target === transcript.length ? transcript.slice(0, target) : lastSpace > 0 ? transcript.slice(0, lastSpace) : '';
  return cut.trimEnd();
}
