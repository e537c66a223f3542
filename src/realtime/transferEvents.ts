/**
 * The one hook on transfers: `onTransferEvent(cb)` on the CallManager. Post-call webhooks (or
 * anything else) subscribe here; a listener that throws is logged and never reaches the call.
 *
 *   transfer.started   the transfer was asked for (cold: the caller is put through; warm: on hold, person dialled)
 *   transfer.answered  warm: the person picked up and is hearing the briefing
 *   transfer.bridged   warm: the person took the call; caller and person are talking
 *   transfer.failed    warm: no answer, busy, failed, declined, or the wait ran out; the caller is back with the agent
 */
import type { Logger } from '../observability/index.js';

export type TransferEventType = 'transfer.started' | 'transfer.answered' | 'transfer.bridged' | 'transfer.failed';

export interface TransferEvent {
  type: TransferEventType;
  /** Our call id, the carrier's call SID and the vertical. */
  callId: string;
  callSid: string;
  vertical: string;
  /** One id per attempt (call_transfers.id). */
  transferId: string;
  mode: 'cold' | 'warm';
  /** transfer.failed: why. */
  failure?: string;
  /** Epoch milliseconds. */
  atMs: number;
}

export type TransferListener = (event: TransferEvent) => void;

export class TransferEvents {
  private listeners: TransferListener[] = [];

  constructor(private readonly log?: Logger) {}

  /** Subscribes; returns the unsubscribe function. */
  on(listener: TransferListener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit(event: TransferEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log?.warn('transfer event listener failed', { type: event.type, err: err as Error });
      }
    }
  }
}
