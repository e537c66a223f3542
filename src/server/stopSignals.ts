/**
 * How a gateway process stops on signals. The first SIGTERM or SIGINT drains (live calls run to
 * their end); a second one stops at once, still writing every call's records. The same signal
 * again within `duplicateWindowMs` of the last one taken is the same request delivered twice:
 * a terminal (Ctrl-C) or a container runtime signals `npm start`'s whole process group, and npm
 * forwards what it received to its child as well, so node sees one stop request as two signals.
 */
import type { Logger } from '../observability/index.js';

export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

export interface StopSignalHandlers {
  /** The graceful stop; the process exits 0 when it resolves (1 when it rejects). */
  drain(signal: StopSignal): Promise<void>;
  /** Cut the drain short: end every call now (their records are still written). */
  now(signal: StopSignal): void;
  log: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  /** Default 1000 ms. */
  duplicateWindowMs?: number;
  /** After the second signal, the process exits 1 if still running this much later (default 60 s). */
  hardExitMs?: number;
  exit?: (code: number) => void;
}

export interface StopSignalState {
  /** What a signal does (exported for tests without sending real signals). */
  receive(signal: StopSignal): 'drain' | 'now' | 'duplicate' | 'ignored';
  dispose(): void;
}

export function onStopSignals(h: StopSignalHandlers, install = true): StopSignalState {
  const windowMs = h.duplicateWindowMs ?? 1000;
  const exit = h.exit ?? ((code: number) => process.exit(code));
  let last: { signal: StopSignal; atMs: number } | undefined;
  let taken = 0;
  const receive = (signal: StopSignal): 'drain' | 'now' | 'duplicate' | 'ignored' => {
    const atMs = Date.now();
    if (last && last.signal === signal && atMs - last.atMs < windowMs) {
      h.log.debug('the same stop signal again (npm forwards the group\'s signal): one request', { signal });
      return 'duplicate';
    }
    last = { signal, atMs };
    taken++;
    if (taken === 1) {
      h.log.info('draining: no new calls, live calls run to their end (signal again to stop now)', { signal });
      h.drain(signal).then(
        () => exit(0),
        (err: unknown) => {
          h.log.error('shutdown failed', { err });
          exit(1);
        },
      );
      return 'drain';
    }
    if (taken === 2) {
      h.log.warn('second stop signal: ending every call now', { signal });
      const hard = setTimeout(() => {
        h.log.error('stopping took too long: exiting without waiting');
        exit(1);
      }, h.hardExitMs ?? 60_000);
      hard.unref();
      h.now(signal);
      return 'now';
    }
    h.log.warn('already stopping', { signal });
    return 'ignored';
  };
  const listener = (signal: NodeJS.Signals) => void receive(signal as StopSignal);
  if (install) for (const s of STOP_SIGNALS) process.on(s, listener);
  return {
    receive,
    dispose: () => {
      for (const s of STOP_SIGNALS) process.off(s, listener);
    },
  };
}
