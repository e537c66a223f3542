/**
 * Media stream WebSocket upgrades for every carrier: the path names the carrier that owns it,
 * the carrier authenticates the upgrade (Twilio: a signature over the wss URL), then the socket
 * is wrapped in a CarrierSocket speaking that carrier's wire format and handed to the call
 * handler. Nothing a client sends can throw out of here.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { webhooksTotal } from '../observability/index.js';
import type { Logger } from '../observability/index.js';
import type { Carrier } from '../telephony/index.js';
import { CarrierSocket, matchStreamPath } from '../telephony/index.js';
import { HTTP_ERROR } from './errors.js';
import type { GatewayOptions } from './types.js';

const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

function refuse(socket: Duplex, status: number, code: string): void {
  const text = STATUS_CODES[status] ?? 'Error';
  const body = JSON.stringify({ error: { code, message: text } });
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export interface StreamEndpoint {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Open media sockets. */
  readonly sockets: ReadonlySet<WebSocket>;
  /** Terminates every media socket still open. */
  terminateAll(): void;
  close(): Promise<void>;
}

export function createStreamEndpoint(opts: GatewayOptions, log: Logger, isDraining: () => boolean): StreamEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxStreamMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, perMessageDeflate: false });
  const byPath = new Map<string, Carrier>(opts.carriers.map((c) => [c.stream.path, c]));
  const sockets = new Set<WebSocket>();

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', (err) => log.debug('upgrade socket error', { err }));
    const url = req.url ?? '/';
    // `/twilio/stream` or `/twilio/stream/<instance>`: the instance that prepared the call.
    const match = matchStreamPath(url.split('?')[0] ?? '', byPath.keys());
    const carrier = match && byPath.get(match.streamPath);
    if (!match || !carrier) return refuse(socket, 404, HTTP_ERROR.notFound);
    if (match.instance === null) {
      log.warn('stream upgrade refused', { carrier: carrier.name, code: 'STREAM_INSTANCE_INVALID' });
      return refuse(socket, 400, 'STREAM_INSTANCE_INVALID');
    }
    if (isDraining()) return refuse(socket, 503, HTTP_ERROR.draining);
    const verdict = carrier.stream.authenticate({ url, headers: req.headers });
    if (!verdict.ok) {
      webhooksTotal.inc({ route: carrier.stream.metricsRoute, outcome: verdict.outcome });
      log.warn('stream upgrade refused', { carrier: carrier.name, code: verdict.code });
      return refuse(socket, verdict.status, verdict.code);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      webhooksTotal.inc({ route: carrier.stream.metricsRoute, outcome: 'connected' });
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      const connection = new CarrierSocket(ws, carrier.serializer, {
        logger: log,
        ...(opts.streamStartTimeoutMs !== undefined ? { startTimeoutMs: opts.streamStartTimeoutMs } : {}),
      });
      try {
        opts.handler.attach(connection, match.instance ? { preparedBy: match.instance } : undefined);
      } catch (err) {
        log.error('call handler refused the stream', { carrier: carrier.name, err });
        connection.close(1011, 'internal error');
      }
    });
  };

  return {
    handleUpgrade,
    sockets,
    terminateAll() {
      for (const ws of sockets) ws.terminate();
    },
    close() {
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
