/**
 * Chat for the console: a WebSocket at /console/api/chat (one chat per socket, chatSocket.ts)
 * and typed turns into a live browser call (`POST /console/api/calls/:sid/messages`), which the
 * agent answers in its voice. Both pass the console's access rule (a session cookie, or loopback
 * when there is no ADMIN_TOKEN); the socket also refuses pages from another origin, since
 * browsers do not apply CORS to WebSockets.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { Logger } from '../../observability/index.js';
import type { Carrier } from '../../telephony/index.js';
import { CHAT_ERROR, isBrowserCallSid, isChatCarrier, MAX_CHAT_TEXT_CHARS } from '../../telephony/index.js';
import type { CallHandler, GatewayCatalog } from '../types.js';
import type { ConsoleAccess } from './access.js';
import { ChatSocket, type ChatCallHandler } from './chatSocket.js';

export const CHAT_SOCKET_PATH = '/console/api/chat';
/** Above this a socket is closed (1009); up to it, an over-long message gets a coded error. */
const MAX_SOCKET_PAYLOAD_BYTES = 2 * 1024 * 1024;

export interface ChatEndpoint {
  handles(url: string | undefined): boolean;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  readonly sockets: ReadonlySet<WebSocket>;
  terminateAll(): void;
  close(): Promise<void>;
}

export interface ChatEndpointOptions {
  carriers: readonly Carrier[];
  catalog: GatewayCatalog;
  handler: CallHandler;
  access: ConsoleAccess;
  isDraining: () => boolean;
  atCapacity?: () => boolean;
  log: Logger;
  readyTimeoutMs?: number;
  endWaitMs?: number;
  startTimeoutMs?: number;
}

export function chatCapable(handler: CallHandler): handler is ChatCallHandler {
  return typeof handler.typed === 'function' && typeof handler.observe === 'function';
}

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** A page from this gateway's own origin (or a client that sends none, like a test or a CLI). */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** The chat socket, when a chat carrier is registered and the handler can carry chats. */
export function chatEndpoint(opts: ChatEndpointOptions): ChatEndpoint | undefined {
  const carrier = opts.carriers.find(isChatCarrier);
  const { handler, log } = opts;
  if (!carrier || !chatCapable(handler)) return undefined;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_SOCKET_PAYLOAD_BYTES, perMessageDeflate: false });
  const sockets = new Set<WebSocket>();
  return {
    handles: (url) => (url ?? '').split('?')[0] === CHAT_SOCKET_PATH,
    handleUpgrade(req, socket, head) {
      socket.on('error', (err) => log.debug('chat upgrade socket error', { err }));
      const verdict = opts.access.allows(req);
      if (!verdict.ok) return refuse(socket, verdict.status, verdict.code, verdict.message);
      if (!sameOrigin(req)) return refuse(socket, 403, 'CONSOLE_CROSS_ORIGIN', 'the chat socket serves pages of this gateway only');
      if (opts.isDraining()) return refuse(socket, 503, 'SERVER_DRAINING', 'the gateway is shutting down');
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws);
        ws.on('close', () => sockets.delete(ws));
        new ChatSocket(ws, {
          carrier, handler, catalog: opts.catalog, isDraining: opts.isDraining, ...(opts.atCapacity ? { atCapacity: opts.atCapacity } : {}), log,
          readyTimeoutMs: opts.readyTimeoutMs ?? 15_000, endWaitMs: opts.endWaitMs ?? 10_000, startTimeoutMs: opts.startTimeoutMs ?? 60_000,
        });
      });
    },
    sockets,
    terminateAll() {
      for (const ws of sockets) ws.terminate();
    },
    close: () => new Promise<void>((resolve) => wss.close(() => resolve())),
  };
}

const typedBody = z.object({ text: z.string() });
const TYPED_STATUS: Record<string, number> = {
  [CHAT_ERROR.badMessage]: 400, [CHAT_ERROR.tooLarge]: 413, [CHAT_ERROR.notReady]: 503, CONSOLE_UNKNOWN_CALL: 404,
};

function fail(res: Response, code: string, message: string): void {
  res.status(TYPED_STATUS[code] ?? 500).json({ error: { code, message } });
}

/** `POST /api/calls/:sid/messages {"text": …}`: a typed turn in a live browser call. */
export function typedTurnRouter(handler: CallHandler, log: Logger): Router {
  const router = Router();
  if (!chatCapable(handler)) return router;
  router.post('/api/calls/:sid/messages', express.json({ limit: '32kb' }), (req: Request, res: Response) => {
    const sid = String(req.params.sid);
    const parsed = typedBody.safeParse(req.body);
    if (!parsed.success) return fail(res, CHAT_ERROR.badMessage, 'expected {"text": "…"}');
    const text = parsed.data.text.trim();
    if (text === '') return fail(res, CHAT_ERROR.badMessage, 'the message is empty');
    if (text.length > MAX_CHAT_TEXT_CHARS) return fail(res, CHAT_ERROR.tooLarge, `a message may be at most ${MAX_CHAT_TEXT_CHARS} characters`);
    // Only the page's own call: an operator's words must not pass for a phone caller's.
    const result = isBrowserCallSid(sid) ? handler.typed(sid, text) : 'unknown_call';
    if (result === 'unknown_call') return fail(res, 'CONSOLE_UNKNOWN_CALL', 'no live browser call with that id');
    if (result === 'not_ready') return fail(res, CHAT_ERROR.notReady, 'the agent is not listening yet; send it again');
    log.info('typed turn in a browser call', { callSid: sid, chars: text.length });
    res.status(202).json({ accepted: true });
  });
  const tooLarge: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    const e = err as { type?: string; status?: number };
    if (e.type === 'entity.too.large') return fail(res, CHAT_ERROR.tooLarge, 'the message is too large');
    if (e.type === 'entity.parse.failed') return fail(res, CHAT_ERROR.badMessage, 'not JSON: expected {"text": "…"}');
    next(err);
  };
  router.use('/api/calls/:sid/messages', tooLarge);
  return router;
}
