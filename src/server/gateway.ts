/**
 * The gateway: one express app and one http server carrying every registered carrier's webhooks
 * and media stream upgrades, health, metrics and the admin API. `close()` drains: it stops
 * accepting calls, lets the handler end every live call, then closes sockets and the server.
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
import { createCarrierPort } from './carrierPort.js';
import { createStreamEndpoint, type StreamEndpoint } from './streamUpgrade.js';
import type { GatewayOptions } from './types.js';
import { CONSOLE_PATH, consoleChat, consoleRouter, type ConsoleSettings } from './console/index.js';

export interface Gateway {
  readonly app: Express;
  readonly server: Server;
  /** Listens and resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host?: string): Promise<{ port: number; host: string; url: string }>;
  readonly draining: boolean;
  /** Stop accepting, end live calls through the handler, close every socket. Idempotent. */
  close(reason?: string): Promise<void>;
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
  if (opts.console) app.use(CONSOLE_PATH, consoleRouter({ ...opts.console, catalog: opts.catalog, handler: opts.handler, carriers: opts.carriers, adminToken: opts.adminToken ?? null, isDraining, log }));
  const port = createCarrierPort(opts, log, isDraining);
  for (const carrier of opts.carriers) app.use(carrier.webhooks(port));
  app.use(express.json({ limit: '64kb' }), adminRouter(opts, log));
  app.use((req, res) => sendError(res, HTTP_ERROR.notFound, `no route for ${req.method} ${req.path}`));
  app.use(errorHandler);

  const server = createServer(app);
  server.keepAliveTimeout = 5000;
  const stream: StreamEndpoint = createStreamEndpoint(opts, log, isDraining);
  const chat = opts.console ? consoleChat({ ...opts.console, catalog: opts.catalog, handler: opts.handler, carriers: opts.carriers, adminToken: opts.adminToken ?? null, isDraining, log }) : undefined;
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

  return {
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
    close(reason = 'shutdown') {
      closing ??= (async () => {
        draining = true;
        log.info('gateway draining', { reason, liveCalls: opts.handler.stats().active, sockets: stream.sockets.size });
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
}
