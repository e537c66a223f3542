/**
 * The browser console at /console: static pages (no build step, no CDN) and their APIs —
 * verticals with their agent graphs, the softphone's WebRTC signalling, live calls over
 * Server-Sent Events, and call history. Everything under /console passes the access guard.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { Router, type Request, type Response } from 'express';
import type { Logger } from '../../observability/index.js';
import type { Carrier } from '../../telephony/index.js';
import { isChatCarrier, isWebRtcCarrier } from '../../telephony/index.js';
import type { CallHandler, GatewayCatalog } from '../types.js';
import { consoleAccess } from './access.js';
import { chatCapable, chatEndpoint, typedTurnRouter, type ChatEndpoint } from './chat.js';
import { callEventsStream, liveCallsStream } from './live.js';
import { signallingRouter } from './signalling.js';
import { callDetail, callSummary, verticalViews, type ConsoleStore } from './views.js';

export { consoleAccess, CONSOLE_COOKIE, CONSOLE_ERROR } from './access.js';
export { CHAT_SOCKET_PATH, type ChatEndpoint } from './chat.js';
export type { ConsoleStore } from './views.js';

export const CONSOLE_PATH = '/console';
const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));

export interface ConsoleSettings {
  store: ConsoleStore;
  /** Session cookie lifetime when ADMIN_TOKEN is set (default 30 minutes). */
  sessionTtlMs?: number;
  /** How often live views read the store (default 500 ms). */
  pollMs?: number;
  /** A chat socket that starts no chat within this long is closed (default 60 s). */
  chatStartTimeoutMs?: number;
}

export interface ConsoleOptions extends ConsoleSettings {
  catalog: GatewayCatalog;
  handler: CallHandler;
  carriers: readonly Carrier[];
  adminToken: string | null;
  isDraining: () => boolean;
  /** At `server.maxCalls`: new browser calls and chats are refused (busy), as phone calls get their overflow answer. */
  atCapacity?: () => boolean;
  log: Logger;
}

const DEFAULT_SESSION_TTL_MS = 30 * 60_000;

/** The console's chat socket (upgrades at /console/api/chat), under the console's access rule. */
export function consoleChat(opts: Omit<ConsoleOptions, 'store' | 'pollMs'>): ChatEndpoint | undefined {
  const access = consoleAccess({ token: opts.adminToken, sessionTtlMs: opts.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS });
  return chatEndpoint({
    carriers: opts.carriers, catalog: opts.catalog, handler: opts.handler, access, isDraining: opts.isDraining, log: opts.log,
    ...(opts.atCapacity ? { atCapacity: opts.atCapacity } : {}),
    ...(opts.chatStartTimeoutMs !== undefined ? { startTimeoutMs: opts.chatStartTimeoutMs } : {}),
  });
}

const limitOf = (v: unknown): number => {
  const n = Number(v ?? 50);
  return Number.isInteger(n) && n >= 1 && n <= 500 ? n : 50;
};

export function consoleRouter(opts: ConsoleOptions): Router {
  const access = consoleAccess({ token: opts.adminToken, sessionTtlMs: opts.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS });
  const loginHtml = readFileSync(`${STATIC_DIR}login.html`, 'utf8');
  const pollMs = opts.pollMs ?? 500;
  const router = Router();
  const inner = Router();

  router.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), (req: Request, res: Response) => {
    const cookie = access.login((req.body as Record<string, unknown> | undefined)?.token);
    if (!cookie) return void res.status(401).type('html').send(loginHtml.replace('<!--problem-->', '<p class="problem">That token is not right.</p>'));
    res.setHeader('Set-Cookie', cookie);
    res.redirect(303, `${CONSOLE_PATH}/`);
  });
  router.post('/logout', (_req, res) => {
    res.setHeader('Set-Cookie', access.logoutCookie());
    res.redirect(303, `${CONSOLE_PATH}/`);
  });
  router.use(access.guard(() => loginHtml));
  router.use(inner);

  const webrtc = opts.carriers.find(isWebRtcCarrier);
  inner.get('/api/config', (_req, res) => {
    res.json({
      softphone: webrtc !== undefined, iceServers: webrtc?.iceServers ?? [], tokenRequired: access.tokenRequired,
      chat: chatCapable(opts.handler) && opts.carriers.some(isChatCarrier),
    });
  });
  inner.get('/api/verticals', (_req, res) => void res.json({ verticals: verticalViews(opts.catalog) }));
  inner.get('/api/calls', async (req, res, next) => {
    try {
      const vertical = typeof req.query.vertical === 'string' && req.query.vertical ? req.query.vertical : undefined;
      const rows = await opts.store.calls.list({ limit: limitOf(req.query.limit), ...(vertical ? { vertical } : {}) });
      res.json({ calls: rows.map(callSummary) });
    } catch (err) {
      next(err);
    }
  });
  inner.get('/api/live', liveCallsStream(opts.store, pollMs, opts.log));
  inner.get('/api/calls/:id', async (req, res, next) => {
    try {
      const detail = await callDetail(opts.store, opts.catalog, String(req.params.id));
      if (!detail) return void res.status(404).json({ error: { code: 'CONSOLE_UNKNOWN_CALL', message: 'no such call' } });
      res.json(detail);
    } catch (err) {
      next(err);
    }
  });
  inner.get('/api/calls/:id/events', callEventsStream(opts.store, opts.catalog, pollMs, opts.log));
  if (webrtc) inner.use(signallingRouter({ carrier: webrtc, catalog: opts.catalog, handler: opts.handler, isDraining: opts.isDraining, ...(opts.atCapacity ? { atCapacity: opts.atCapacity } : {}), log: opts.log }));
  inner.use(typedTurnRouter(opts.handler, opts.log));
  inner.use('/api', (req, res) => void res.status(404).json({ error: { code: 'NOT_FOUND', message: `no route for ${req.method} /console/api${req.path}` } }));
  inner.use(express.static(STATIC_DIR, { index: 'index.html', maxAge: 0, extensions: ['html'] }));
  return router;
}
