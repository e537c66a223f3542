/**
 * `npm start -- --workers N|auto`: one gateway process per core on one machine.
 *
 * The primary owns the public port and does nothing else: it reads each new connection's first
 * request (headers and body, a few hundred bytes), picks a worker and hands it the socket itself
 * over IPC (with the bytes read), so after the hand-off the primary is off the data path.
 * A media stream's upgrade names the worker that answered the call's webhook (the worker puts
 * `?sbw=<id>` on the stream URL of its TwiML), and goes back to that worker, where the call is
 * prepared and its model session pre-warmed; every other connection goes round-robin.
 *
 * Signals reach the whole process group; workers ignore them and follow the primary, which
 * sends one `drain` (first signal) or `now` (second), then exits once every worker has.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import { aggregateMetrics, metricsSnapshot, workerHandoffMs, type Logger } from '../observability/index.js';
import { onStopSignals, STOP_SIGNALS } from '../server/index.js';

export const WORKER_QUERY = 'sbw';
export const WORKER_ID_ENV = 'SWITCHBOARD_WORKER_ID';
/** The most a primary reads of a connection before handing it off. */
const MAX_HEAD_BYTES = 64 * 1024;
const FIRST_REQUEST_TIMEOUT_MS = 10_000;

export type PrimaryMessage = { sb: 'conn'; head: string } | { sb: 'drain' } | { sb: 'now' } | { sb: 'metrics'; id: number };
export type WorkerMessage = { sb: 'ready' } | { sb: 'metrics'; id: number; data: object[] };
const METRICS_WAIT_MS = 2000;

/** `--workers N|auto` from argv (else `configured`); 1 means this process alone. */
export function workersWanted(argv: readonly string[], configured: number | 'auto'): number {
  const i = argv.indexOf('--workers');
  const raw = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--workers='))?.slice('--workers='.length);
  const value = raw ?? String(configured);
  if (value === 'auto') return availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`--workers must be a whole number from 1 to 256, or auto (got "${value}")`);
  return n;
}

/** The worker a request line names (`GET /twilio/stream?sbw=2 HTTP/1.1` → "2"). */
export function workerNamedBy(requestLine: string): string | undefined {
  const target = /^[A-Z]+ (\S+) HTTP\/1\.[01]$/.exec(requestLine)?.[1];
  if (!target?.includes('?')) return undefined;
  try {
    return new URL(target, 'http://x').searchParams.get(WORKER_QUERY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Whether `head` holds one whole request (headers, and the body its Content-Length announces). */
export function wholeRequest(head: Buffer): boolean {
  const end = head.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head.subarray(0, end).toString('latin1'))?.[1];
  return head.length >= end + 4 + (length ? Number(length) : 0);
}

export interface PrimaryOptions {
  count: number;
  port: number;
  host: string;
  log: Logger;
  /** The script and arguments a worker runs (this one, without --workers). */
  script: string;
  args: string[];
}

export async function runPrimary(opts: PrimaryOptions): Promise<void> {
  const { log } = opts;
  const workers = new Map<string, ChildProcess>();
  const ids = Array.from({ length: opts.count }, (_, i) => String(i + 1));
  let stopping: 'drain' | 'now' | undefined;
  let next = 0;

  let metricsSeq = 0;
  const metricsWaiters = new Map<number, (data: object[]) => void>();
  const spawnWorker = (id: string): Promise<void> => new Promise((resolve, reject) => {
    const child = fork(opts.script, opts.args, { env: { ...process.env, [WORKER_ID_ENV]: id }, stdio: 'inherit', execArgv: process.execArgv });
    workers.set(id, child);
    child.on('message', (m: WorkerMessage) => {
      if (m?.sb === 'ready') resolve();
      else if (m?.sb === 'metrics') metricsWaiters.get(m.id)?.(m.data);
    });
    child.once('exit', (code, signal) => {
      if (workers.get(id) === child) workers.delete(id);
      reject(new Error(`worker ${id} exited before it was ready (${signal ?? code})`));
      if (stopping) return;
      log.error('worker exited; starting another', { worker: id, code, signal });
      setTimeout(() => void spawnWorker(id).catch((err: unknown) => log.error('worker restart failed', { worker: id, err })), 1000).unref();
    });
  });

  const pick = (named: string | undefined): ChildProcess | undefined => {
    const owner = named !== undefined ? workers.get(named) : undefined;
    if (owner?.connected) return owner;
    for (let i = 0; i < ids.length; i++) {
      const w = workers.get(ids[next++ % ids.length]!);
      if (w?.connected) return w;
    }
    return undefined;
  };

  /** `GET /metrics` on the public port: every worker's registry, summed (one scrape target per machine). */
  const serveMetrics = async (socket: Socket): Promise<void> => {
    const live = [...workers.values()].filter((w) => w.connected);
    const snapshots = await Promise.all(live.map((w) => new Promise<object[]>((resolve) => {
      const id = ++metricsSeq;
      const timer = setTimeout(() => { metricsWaiters.delete(id); resolve([]); }, METRICS_WAIT_MS);
      metricsWaiters.set(id, (data) => { clearTimeout(timer); metricsWaiters.delete(id); resolve(data); });
      const msg: PrimaryMessage = { sb: 'metrics', id };
      w.send(msg);
    })));
    // The primary's own figures (the hand-off histogram) go in too.
    const { contentType, text } = await aggregateMetrics([await metricsSnapshot(), ...snapshots.filter((s) => s.length > 0)]);
    socket.end(`HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  };

  const route = (socket: Socket): void => {
    let head = Buffer.alloc(0);
    let firstByteAt = 0;
    socket.on('error', () => undefined);
    socket.setTimeout(FIRST_REQUEST_TIMEOUT_MS, () => socket.destroy());
    const onData = (chunk: Buffer): void => {
      if (head.length === 0) firstByteAt = performance.now();
      head = Buffer.concat([head, chunk]);
      if (!wholeRequest(head) && head.length < MAX_HEAD_BYTES) return;
      socket.off('data', onData);
      socket.pause();
      socket.setTimeout(0);
      const eol = head.indexOf('\r\n');
      const line = head.subarray(0, eol < 0 ? head.length : eol).toString('latin1');
      if (/^GET \/metrics(\?[^ ]*)? HTTP\/1\.[01]$/.test(line) && workerNamedBy(line) === undefined) {
        socket.resume();
        return void serveMetrics(socket).catch(() => socket.destroy());
      }
      const named = workerNamedBy(line);
      const worker = pick(named);
      if (!worker) return void socket.destroy();
      const msg: PrimaryMessage = { sb: 'conn', head: head.toString('base64') };
      worker.send(msg, socket, (err) => {
        if (err) return void socket.destroy();
        workerHandoffMs.observe({ kind: named !== undefined ? 'named' : 'round_robin' }, performance.now() - firstByteAt);
      });
    };
    socket.on('data', onData);
  };

  await Promise.all(ids.map(spawnWorker));
  const server: Server = createServer(route);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host;
  process.stdout.write(`Switchboard gateway listening on http://${shownHost}:${port}  (${opts.count} workers)\n`);

  const allExited = (): Promise<void> => new Promise((resolve) => {
    const check = (): void => {
      if ([...workers.values()].every((w) => w.exitCode !== null || w.signalCode !== null)) resolve();
      else setTimeout(check, 100);
    };
    check();
  });
  const tell = (msg: PrimaryMessage): void => {
    for (const w of workers.values()) if (w.connected) w.send(msg);
  };
  onStopSignals({
    log,
    drain: async () => {
      stopping = 'drain';
      tell({ sb: 'drain' });
      // Connections keep being routed while workers drain (overflow answers, streams of answered calls).
      await allExited();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    now: () => {
      stopping = 'now';
      tell({ sb: 'now' });
    },
  });
}

/** In a worker: serve the sockets the primary hands over, and stop when it says so. */
export function serveForPrimary(opts: { server: import('node:http').Server; drain(): void; now(): void; log: Logger }): void {
  // The group's signals reach workers too: the primary decides, once, for all of them.
  for (const s of STOP_SIGNALS) process.on(s, () => opts.log.debug('signal left to the primary', { signal: s }));
  process.on('message', (msg: PrimaryMessage, handle?: Socket) => {
    if (msg?.sb === 'conn' && handle) {
      opts.server.emit('connection', handle);
      handle.emit('data', Buffer.from(msg.head, 'base64'));
      handle.resume();
    } else if (msg?.sb === 'metrics') {
      void metricsSnapshot().then((data) => {
        const reply: WorkerMessage = { sb: 'metrics', id: msg.id, data };
        process.send?.(reply);
      });
    } else if (msg?.sb === 'drain') opts.drain();
    else if (msg?.sb === 'now') opts.now();
  });
  // The primary is gone: nothing routes here any more.
  process.on('disconnect', () => opts.now());
  const ready: WorkerMessage = { sb: 'ready' };
  process.send?.(ready);
}
