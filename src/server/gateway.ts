/**
 * The gateway: one express app and one http server carrying every registered carrier's webhooks
 * and media stream upgrades, health, metrics and the admin API. `drain()` is the graceful stop:
 * readiness fails, new calls get their vertical's overflow answer, calls already answered still
 * get their stream and live calls run to their end (or hear the goodbye when the time is up),
 * then `close()`. `close()` alone stops at once: every live call ends, its records are written,
 * then sockets and the server close.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { createLogger } from '../observability/index.js';
import { setActiveCallsProvider } from '../observability/index.js';
import { errorHandler, HTTP_ERROR, sendError } from './errors.js';
import { healthRouter } from './health.js';
import { checkCarriers } from '../telephony/index.js';
import { adminRouter } from './admin.js';
import { atCapacity, createCarrierPort } from './carrierPort.js';
import { createStreamEndpoint, type StreamEndpoint } from './streamUpgrade.js';
import type { GatewayOptions } from './types.js';
import { CONSOLE_PATH, consoleChat, consoleRouter, type ConsoleSettings } from './console/index.js';

export interface Gateway {
  readonly app: Express;
  readonly server: Server;
  /** Listens and resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host?: string): Promise<{ port: number; host: string; url: string }>;
  readonly draining: boolean;
  /**
   * Graceful stop: no new calls, live ones run to their end for up to `timeoutMs`, then hear
   * the goodbye; then `close()`. A `close()` meanwhile cuts it short. Idempotent.
   */
  drain(timeoutMs: number, reason?: string): Promise<void>;
  /** Stop accepting, end live calls through the handler, close every socket. Idempotent. */
  close(reason?: string): Promise<void>;
}

/** After the drain's time is up, how long the goodbyes may take before calls are cut. */
const FAREWELL_CAP_MS = 20_000;

/** Resolves with true when `p` settled first, false after `ms` or when `cut` resolves. */
function within(p: Promise<unknown>, ms: number, cut: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  return Promise.race([p.then(() => true), late, cut.then(() => false)]).finally(() => clearTimeout(timer));
}

/** `console`: serve the browser console at /console (it reads calls from this store). */
export function createGateway(opts: GatewayOptions & { console?: ConsoleSettings }): Gateway {
  const log = opts.logger ?? createLogger('server');
  let draining = false;
  const isDraining = () => draining;
  checkCarriers(opts.carriers);
  setActiveCallsProvider(() => opts.handler.stats());

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(healthRouter(opts, isDraining));
  // Browser calls and chats are admitted like phone calls: refused while draining or at maxCalls.
  const full = () => atCapacity(opts);
  if (opts.console) app.use(CONSOLE_PATH, consoleRouter({ ...opts.console, catalog: opts.catalog, handler: opts.handler, carriers: opts.carriers, adminToken: opts.adminToken ?? null, isDraining, atCapacity: full, log }));
  const port = createCarrierPort(opts, log, isDraining);
  for (const carrier of opts.carriers) app.use(carrier.webhooks(port));
  app.use(express.json({ limit: '64kb' }), adminRouter(opts, log));
  app.use((req, res) => sendError(res, HTTP_ERROR.notFound, `no route for ${req.method} ${req.path}`));
  app.use(errorHandler);

  const server = createServer(app);
  server.keepAliveTimeout = 5000;
  // Streams keep coming while draining (calls answered before it began); refused once closing.
  const stream: StreamEndpoint = createStreamEndpoint(opts, log, () => closing !== null);
  const chat = opts.console ? consoleChat({ ...opts.console, catalog: opts.catalog, handler: opts.handler, carriers: opts.carriers, adminToken: opts.adminToken ?? null, isDraining, atCapacity: full, log }) : undefined;
  server.on('upgrade', (req, socket, head) => {
    try {
      if (chat?.handles(req.url)) chat.handleUpgrade(req, socket, head);
      else stream.handleUpgrade(req, socket, head);
    } catch (err) {
      log.error('upgrade failed', { err });
      socket.destroy();
    }
  });
  server.on('clientError', (err, socket) => {
    log.debug('client error', { err });
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  let closing: Promise<void> | null = null;
  let drainingDone: Promise<void> | null = null;
  let closeRequested!: () => void;
  const cut = new Promise<void>((resolve) => { closeRequested = resolve; });

  const gateway: Gateway = {
    app,
    server,
    get draining() {
      return draining;
    },
    listen(port, host = '0.0.0.0') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const addr = server.address() as AddressInfo;
          const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
          resolve({ port: addr.port, host: addr.address, url: `http://${shownHost}:${addr.port}` });
        });
      });
    },
    drain(timeoutMs, reason = 'drain') {
      drainingDone ??= (async () => {
        draining = true;
        opts.handler.drain?.();
        log.info('gateway draining', { reason, liveCalls: opts.handler.stats().active, timeoutMs });
        const idle = opts.handler.whenIdle?.() ?? Promise.resolve();
        if (!(await within(idle, timeoutMs, cut)) && closing === null) {
          log.warn('drain time is up: live calls hear the goodbye', { liveCalls: opts.handler.stats().active });
          opts.handler.farewell?.();
          await within(idle, FAREWELL_CAP_MS, cut);
        }
        await gateway.close(reason);
      })();
      return drainingDone;
    },
    close(reason = 'shutdown') {
      closeRequested();
      closing ??= (async () => {
        draining = true;
        log.info('gateway closing: ending live calls', { reason, liveCalls: opts.handler.stats().active, sockets: stream.sockets.size });
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        try {
          await opts.handler.shutdown(reason);
        } catch (err) {
          log.error('call handler shutdown failed', { err });
        }
        stream.terminateAll();
        chat?.terminateAll();
        await Promise.all([stream.close(), chat?.close()]);
        server.closeAllConnections();
        await serverClosed;
        log.info('gateway closed');
      })();
      return closing;
    },
  };
  return gateway;
}
