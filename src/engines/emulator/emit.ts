/**
 * Server events go out through one function that stamps `type` and `event_id` first. Audio
 * deltas are the hot path: their JSON is built as a template (base64 needs no escaping).
 */
import { newWireId } from './ids.js';

export type Send = (json: string) => void;

export class EventSink {
  /** Number of server events sent (for stats). */
  sent = 0;
  constructor(private readonly send: Send, private readonly observe?: (type: string, event: Record<string, unknown> | null) => void) {}

  emit(type: string, fields: Record<string, unknown> = {}): void {
    const event = { type, event_id: newWireId('event'), ...fields };
    this.sent += 1;
    this.observe?.(type, event);
    this.send(JSON.stringify(event));
  }

  /** `response.output_audio.delta` without building an object. */
  audioDelta(responseId: string, itemId: string, outputIndex: number, base64: string): void {
    this.sent += 1;
    this.observe?.('response.output_audio.delta', null);
    this.send(`{"type":"response.output_audio.delta","event_id":"${newWireId('event')}","response_id":"${responseId}","item_id":"${itemId}","output_index":${outputIndex},"content_index":0,"delta":"${base64}"}`);
  }
}
