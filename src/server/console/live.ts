/**
 * Server-Sent Events for the console: the live calls list, and one call's records as they grow.
 * Both poll the store (every `pollMs`): the runtime writes transcript items, tool invocations and
 * handoffs as the call goes, so this works for calls served by any gateway on the same database.
 * An event is sent only when what it carries changed; a stream ends when its client goes.
 */
import type { Request, Response } from 'express';
import type { Logger } from '../../observability/index.js';
import type { GatewayCatalog } from '../types.js';
import { callDetail, callSummary, isLive, type ConsoleStore } from './views.js';

/** How many recent calls the live list looks through for calls in progress. */
const LIVE_SCAN = 200;
/** A comment line every so often keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

function openStream(req: Request, res: Response): { send(event: string, data: unknown): void; closed(): boolean; onClose(fn: () => void): void } {
  res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.flushHeaders();
  let closed = false;
  const closers: Array<() => void> = [];
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  req.on('close', () => {
    closed = true;
    clearInterval(keepalive);
    for (const fn of closers) fn();
  });
  return {
    send(event, data) {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    closed: () => closed,
    onClose: (fn) => closers.push(fn),
  };
}

/** Polls `read` every `pollMs` until the client goes or `read` says stop; sends changes only. */
function poll(stream: ReturnType<typeof openStream>, pollMs: number, log: Logger, read: () => Promise<{ event: string; data: unknown; last?: boolean } | null>): void {
  let previous = '';
  let timer: NodeJS.Timeout | undefined;
  stream.onClose(() => timer && clearTimeout(timer));
  const step = async () => {
    if (stream.closed()) return;
    let last = false;
    try {
      const r = await read();
      if (r) {
        const text = JSON.stringify(r.data);
        if (text !== previous) {
          previous = text;
          stream.send(r.event, r.data);
        }
        last = r.last === true;
      }
    } catch (err) {
      log.warn('console live poll failed', { err });
      stream.send('problem', { message: 'the store could not be read; retrying' });
    }
    if (last) {
      stream.send('end', {});
      return;
    }
    if (!stream.closed()) {
      timer = setTimeout(() => void step(), pollMs);
      timer.unref();
    }
  };
  void step();
}

export function liveCallsStream(store: ConsoleStore, pollMs: number, log: Logger) {
  return (req: Request, res: Response): void => {
    const stream = openStream(req, res);
    poll(stream, pollMs, log, async () => {
      const rows = await store.calls.list({ limit: LIVE_SCAN });
      return { event: 'calls', data: rows.filter(isLive).map(callSummary) };
    });
  };
}

export function callEventsStream(store: ConsoleStore, catalog: GatewayCatalog, pollMs: number, log: Logger) {
  return (req: Request, res: Response): void => {
    const id = String(req.params.id ?? '');
    const stream = openStream(req, res);
    let missing = 0;
    poll(stream, pollMs, log, async () => {
      const detail = await callDetail(store, catalog, id);
      if (!detail) {
        // The row appears when the call is prepared: give a new call a few polls.
        if (++missing > 20) return { event: 'problem', data: { message: `no call ${id}` }, last: true };
        return null;
      }
      const status = (detail.call as { status: string }).status;
      return { event: 'call', data: detail, last: status === 'completed' || status === 'failed' };
    });
  };
}
