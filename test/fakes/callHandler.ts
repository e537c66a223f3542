/**
 * A fake `CallHandler` for gateway tests (the real one is src/realtime's CallManager). It
 * implements the interface for real: it keeps prepared calls by CallSid, takes over attached
 * carrier connections, records every event and error per call, greets with one audio frame and
 * a mark once the stream starts, and closes the connection on `stop` or shutdown.
 */
import type { CallHandler, CallStatusReport, PrepareInput } from '../../src/realtime/types.js';
import type { CallEvent, CarrierConnection, StartEvent } from '../../src/telephony/types.js';

export interface FakeCall {
  connection: CarrierConnection;
  start?: StartEvent;
  events: CallEvent[];
  errors: Array<{ code: string; message: string }>;
  closed?: { code: number; reason: string };
}

export class FakeCallHandler implements CallHandler {
  readonly prepared = new Map<string, PrepareInput>();
  readonly calls: FakeCall[] = [];
  readonly statusCallbacks: CallStatusReport[] = [];
  shutdownReason: string | null = null;
  /** When set, prepare throws it (e.g. at capacity). */
  refusePrepare: Error | null = null;
  private readonly waiters: Array<{ pred: () => boolean; resolve: () => void }> = [];

  prepare(input: PrepareInput): void {
    if (this.refusePrepare) throw this.refusePrepare;
    this.prepared.set(input.callSid, input);
    this.changed();
  }

  attach(connection: CarrierConnection): void {
    const call: FakeCall = { connection, events: [], errors: [] };
    this.calls.push(call);
    connection.on('event', (e) => {
      call.events.push(e);
      if (e.type === 'stop') connection.close(1000, 'stream stopped');
      this.changed();
    });
    connection.on('error', (err) => {
      call.errors.push(err);
      this.changed();
    });
    connection.on('close', (info) => {
      call.closed = info;
      this.changed();
    });
    connection.started.then(
      (start) => {
        call.start = start;
        connection.sendAudioFrame(Buffer.alloc(160, 0xff).toString('base64'));
        connection.sendMark('greeting');
        this.changed();
      },
      () => this.changed(),
    );
  }

  async statusChanged(report: CallStatusReport): Promise<void> {
    this.statusCallbacks.push(report);
    this.changed();
  }

  stats(): { active: number; byVertical: Record<string, number> } {
    const byVertical: Record<string, number> = {};
    let active = 0;
    for (const c of this.calls) {
      if (c.closed || !c.start) continue;
      active++;
      const v = c.start.customParameters.vertical ?? 'unknown';
      byVertical[v] = (byVertical[v] ?? 0) + 1;
    }
    return { active, byVertical };
  }

  async shutdown(reason: string): Promise<void> {
    this.shutdownReason = reason;
    for (const c of this.calls) if (!c.closed) c.connection.close(1001, 'server shutting down');
  }

  /** Resolves once `pred` holds (checked after every change). */
  until(pred: () => boolean, timeoutMs = 5000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('FakeCallHandler: condition not reached')), timeoutMs);
      this.waiters.push({ pred, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }

  private changed(): void {
    for (const w of [...this.waiters]) {
      if (w.pred()) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }
}
