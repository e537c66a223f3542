/**
 * Dialling a service socket: the socket, and a `settle` that resolves the connect once the
 * service is ready, or rejects it (and drops the socket) on a refusal, an error or the timeout.
 */
import WebSocket from 'ws';

export interface Dialled {
  ws: WebSocket;
  /** Ready (no argument) or failed; only the first call counts. */
  settle(err?: Error): void;
  /** The connect: settled by `settle`. */
  ready: Promise<void>;
}

export function dial(url: string, headers: Record<string, string>, timeoutMs: number, what: string, onFail: () => void): Dialled {
  const ws = new WebSocket(url, { headers });
  let settled = false;
  let resolveReady!: () => void;
  let rejectReady!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  const settle = (err?: Error): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (!err) return resolveReady();
    onFail();
    ws.terminate();
    rejectReady(err);
  };
  const timer = setTimeout(() => settle(new Error(`${what} not ready within ${timeoutMs} ms`)), timeoutMs);
  ws.on('unexpected-response', (_req, res) => settle(new Error(`${what} refused: HTTP ${res.statusCode ?? '?'}`)));
  ws.on('error', (err) => settle(err));
  ws.on('close', (code) => settle(new Error(`${what} closed (${code})`)));
  return { ws, settle, ready };
}
