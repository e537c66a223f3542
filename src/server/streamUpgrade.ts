/**
 * `GET /twilio/stream`: the Media Streams WebSocket. The upgrade is signature-checked (Twilio
 * signs the wss URL with no params), then the socket is wrapped in a CarrierSocket and handed to
 * the call handler. Nothing a client sends can throw out of here.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { webhooksTotal } from '../observability/metrics.js';
import type { Logger } from '../observability/logger.js';
import { CarrierSocket } from '../telephony/carrierSocket.js';
import { twilioSerializer } from '../telephony/serializers/twilio.js';
import { validateTwilioSignature } from '../telephony/signature.js';
import { STREAM_PATH, toWebSocketUrl } from './urls.js';
import type { GatewayOptions } from './types.js';

const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

function refuse(socket: Duplex, status: number, text: string): void {
  const body = JSON.stringify({ error: { code: status === 403 ? 'TWILIO_SIGNATURE_INVALID' : status === 503 ? 'SERVER_DRAINING' : 'NOT_FOUND', message: text } });
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
  const wsBase = toWebSocketUrl(opts.publicUrl);
  const sockets = new Set<WebSocket>();

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', (err) => log.debug('upgrade socket error', { err }));
    const url = req.url ?? '/';
    const path = url.split('?')[0];
    if (path !== STREAM_PATH) return refuse(socket, 404, 'Not Found');
    if (isDraining()) return refuse(socket, 503, 'Service Unavailable');
    if (opts.twilioAuthToken) {
      const signature = req.headers['x-twilio-signature'];
      const sig = Array.isArray(signature) ? signature[0] : signature;
      if (!validateTwilioSignature(opts.twilioAuthToken, sig, wsBase + url)) {
        webhooksTotal.inc({ route: 'stream', outcome: 'bad_signature' });
        log.warn('stream upgrade refused: bad signature');
        return refuse(socket, 403, 'Forbidden');
      }
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      webhooksTotal.inc({ route: 'stream', outcome: 'connected' });
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      const connection = new CarrierSocket(ws, twilioSerializer, {
        logger: log,
        ...(opts.streamStartTimeoutMs !== undefined ? { startTimeoutMs: opts.streamStartTimeoutMs } : {}),
      });
      try {
        opts.handler.attach(connection);
      } catch (err) {
        log.error('call handler refused the stream', { err });
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
