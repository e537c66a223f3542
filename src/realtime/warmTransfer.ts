/**
 * One call's transfers to a person. Cold: the carrier puts the caller straight through (the call
 * session's `transferTo`); only `transfer.started` is known. Warm: the caller is held in the
 * carrier's waiting room while the person is dialled and briefed (briefing.ts); the person taking
 * the call bridges them and the agent's part of the call ends ('transferred'). Anything else (no
 * answer within the ring time, busy, failed, declined, the wait running out) cancels the person's
 * leg and brings the caller back to the agent on a new media stream of the SAME call session: the
 * model connection stayed open throughout, so the conversation is intact, and the transfer tool's
 * result (the failure) is what the agent answers next ("offer to take a message").
 * Every transition goes to `call_transfers` and to the `onTransferEvent` hook.
 */
import type { ReplayItem } from '../engines/index.js';
import type { TransferSpec } from '../manifest/index.js';
import type { Logger } from '../observability/index.js';
import { AppError, describeError, newId } from '../shared/index.js';
import type { TransferState, TransfersRepository } from '../store/index.js';
import type { WarmTransferControl } from '../telephony/index.js';
import type { TransferResult } from '../toolkit/index.js';
import type { StreamSplice } from './streamSplice.js';
import { buildBriefing } from './briefing.js';
import type { TransferEvents, TransferEventType } from './transferEvents.js';

/** After the ring time, how long the person may take to hear the briefing and press the key. */
export const ACCEPT_WINDOW_MS = 45_000;
/** How long the caller's new media stream may take to arrive after they are brought back. */
export const RESUME_WAIT_MS = 15_000;

export const TRANSFER_ERROR = {
  unavailable: 'TRANSFER_WARM_UNAVAILABLE',
  holdFailed: 'TRANSFER_HOLD_FAILED',
} as const;

type Failure = Extract<TransferResult, { transferred: false }>['failure'];

export interface WarmTransferDeps {
  /** Each transfer event is also a call event for the vertical's webhooks (metadata only). */
  record?: (type: TransferEventType, data: { transferId: string; mode: 'cold' | 'warm'; failure?: string; reason?: string }) => void;
  callId(): string;
  callSid: string;
  vertical: string;
  /** The business line's name, for the briefing. */
  line: string;
  spec: TransferSpec;
  /** Caller ID shown to the person: the number the caller dialled. */
  from: string;
  control: WarmTransferControl | undefined;
  store: Pick<TransfersRepository, 'start' | 'transition'>;
  events: TransferEvents | undefined;
  log: Logger;
  signal: AbortSignal;
  rowReady: Promise<void>;
  splice(): StreamSplice | undefined;
  streamParams(): Record<string, string>;
  conversation(): readonly ReplayItem[];
  /** The person took the call: the agent's part is over. */
  bridged(): void;
  timing?: { acceptWindowMs?: number; resumeWaitMs?: number };
}

export class CallTransfers {
  constructor(private readonly d: WarmTransferDeps) {}

  /** Whether a warm transfer can be tried on this call (the carrier can hold and dial). */
  get warmAvailable(): boolean {
    return this.d.control !== undefined && this.d.splice() !== undefined;
  }

  /** A cold transfer was asked for: recorded and announced (the carrier does the rest). */
  coldStarted(reason = 'transferred'): void {
    const id = newId();
    const write = this.d.rowReady.then(() => this.d.store.start({ id, callId: this.d.callId(), mode: 'cold' }));
    write.catch((err: unknown) => this.d.log.warn('recording a transfer failed', { err: describeError(err) }));
    this.emit('transfer.started', id, 'cold', undefined, reason);
  }

  async warm(to: string, reason: string): Promise<TransferResult> {
    const { control } = this.d;
    const splice = this.d.splice();
    if (!control || !splice) throw new AppError(TRANSFER_ERROR.unavailable, 'this call cannot be transferred warm (no carrier support)');
    const id = newId();
    const t0 = Date.now();
    let chain = this.d.rowReady.then(() => this.d.store.start({ id, callId: this.d.callId(), mode: 'warm' }));
    const step = (type: TransferEventType, state: TransferState, extra: { failure?: string; legSid?: string } = {}): void => {
      chain = chain.then(() => this.d.store.transition(id, { type, atMs: Date.now() - t0, state, ...extra }));
      this.emit(type, id, 'warm', extra.failure);
    };
    this.emit('transfer.started', id, 'warm');
    this.d.log.info('warm transfer started', { transferId: id });

    splice.hold();
    try {
      await control.hold(this.d.callSid, `sb-${id}`, { say: this.d.spec.holdMessage, ...(this.d.spec.holdMusicUrl ? { waitUrl: this.d.spec.holdMusicUrl } : {}) });
    } catch (err) {
      splice.release();
      step('transfer.failed', 'failed', { failure: 'error' });
      await this.settle(chain);
      throw new AppError(TRANSFER_ERROR.holdFailed, 'the caller could not be put on hold', { cause: err });
    }

    const outcome = await this.dial(id, to, reason, step);
    if (outcome === 'bridged') {
      step('transfer.bridged', 'bridged');
      await this.settle(chain);
      this.d.log.info('warm transfer bridged', { transferId: id, waitedMs: Date.now() - t0 });
      this.d.bridged();
      return { mode: 'warm', transferred: true };
    }
    step('transfer.failed', 'failed', { failure: outcome });
    this.d.log.info('warm transfer did not connect; back to the agent', { transferId: id, failure: outcome, waitedMs: Date.now() - t0 });
    if (!this.d.signal.aborted) await this.bringBack(splice);
    await this.settle(chain);
    return { mode: 'warm', transferred: false, failure: outcome };
  }

  /** Dials the person and waits for them to take the call, or for the reason they did not. */
  private dial(id: string, to: string, reason: string, step: (type: TransferEventType, state: TransferState, extra?: { legSid?: string }) => void): Promise<'bridged' | Failure> {
    const { control, spec, signal } = this.d;
    const waitMs = spec.ringTimeoutSec * 1000 + (this.d.timing?.acceptWindowMs ?? ACCEPT_WINDOW_MS);
    if (signal.aborted) return Promise.resolve('canceled');
    return new Promise((resolve) => {
      let settled = false;
      let leg: { cancel(): Promise<void> } | undefined;
      const done = (o: 'bridged' | Failure): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (o !== 'bridged') void leg?.cancel();
        resolve(o);
      };
      const timer = setTimeout(() => done('timeout'), waitMs);
      const onAbort = (): void => done('canceled');
      signal.addEventListener('abort', onAbort, { once: true });
      const briefing = buildBriefing({ line: this.d.line, reason, conversation: this.d.conversation() });
      control!.dialHuman({
        room: `sb-${id}`, to, from: this.d.from, briefing, ringTimeoutSec: spec.ringTimeoutSec,
        onEvent: (e) => {
          if (e.type === 'answered') step('transfer.answered', 'answered');
          else if (e.type === 'accepted') done('bridged');
          else if (e.type === 'ended') done(e.failure);
        },
      }).then(
        (l) => {
          leg = l;
          if (settled) void l.cancel();
        },
        (err: unknown) => {
          this.d.log.warn('dialling the person failed', { code: err instanceof AppError ? err.code : 'UNKNOWN', twilioCode: err instanceof AppError ? err.details?.twilioCode : undefined });
          done('error');
        },
      );
    });
  }

  /** The caller back on a new media stream; if that fails, the call is over. */
  private async bringBack(splice: StreamSplice): Promise<void> {
    try {
      await this.d.control!.resume(this.d.callSid, this.d.streamParams());
    } catch (err) {
      this.d.log.error('the caller could not be brought back from hold', { err: describeError(err) });
      splice.release();
      return;
    }
    if (!(await splice.swapped(this.d.timing?.resumeWaitMs ?? RESUME_WAIT_MS))) {
      this.d.log.warn('the caller did not come back from hold; ending the call');
      splice.release();
    }
  }

  private async settle(chain: Promise<void>): Promise<void> {
    await chain.catch((err: unknown) => this.d.log.warn('recording a transfer failed', { err: describeError(err) }));
  }

  private emit(type: TransferEventType, transferId: string, mode: 'cold' | 'warm', failure?: string, reason?: string): void {
    this.d.record?.(type, { transferId, mode, ...(failure ? { failure } : {}), ...(reason ? { reason } : {}) });
    this.d.events?.emit({
      type, callId: this.d.callId(), callSid: this.d.callSid, vertical: this.d.vertical, transferId, mode,
      ...(failure ? { failure } : {}), atMs: Date.now(),
    });
  }
}
