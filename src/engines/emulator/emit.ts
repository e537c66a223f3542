/**
 * Server events go out through one function that stamps `type` and `event_id` first. The
 * events the runtime reads are typed by the same zod schemas it parses them with
 * (openai-realtime/events.ts), so the emulator cannot drift from what the runtime expects.
 * Audio deltas are the hot path: their JSON is built as a template (base64 needs no escaping).
 */
import type { ServerEventFields, SharedServerEventType } from '../openai-realtime/events.js';
import { newWireId } from './ids.js';

export type Send = (json: string) => void;

/** A shared event's fields as its schema types them; any other event's fields are free. */
export type EventFields<T extends string> = T extends SharedServerEventType ? ServerEventFields<T> : Record<string, unknown>;

export class EventSink {
  private count = 0;
  /** Output audio bytes sent in deltas. */
  audioBytes = 0;
  constructor(private readonly send: Send, private readonly observe?: (type: string, event: Record<string, unknown> | null) => void) {}

  /** Number of server events sent (for stats). */
  get sent(): number {
    return this.count;
  }

  emit<T extends string>(type: T, ...fields: T extends SharedServerEventType ? [EventFields<T>] : [EventFields<T>?]): void {
    const event = { type, event_id: newWireId('event'), ...(fields[0] as Record<string, unknown> | undefined) };
    this.count += 1;
    this.observe?.(type, event);
    this.send(JSON.stringify(event));
  }

  /** `response.output_audio.delta` without building an object. */
  audioDelta(responseId: string, itemId: string, outputIndex: number, base64: string): void {
    this.count += 1;
    this.audioBytes += (base64.length * 3) / 4 - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0);
    this.observe?.('response.output_audio.delta', null);
    this.send(`{"type":"response.output_audio.delta","event_id":"${newWireId('event')}","response_id":"${responseId}","item_id":"${itemId}","output_index":${outputIndex},"content_index":0,"delta":"${base64}"}`);
  }
}
