/**
 * A recording WebSocket proxy between the gateway and the model (the emulator): it keeps every
 * event in both directions, in the order it passed, and can cut the connections to simulate a
 * model failure.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

export interface ProxiedEvent {
  dir: 'client' | 'server';
  type: string;
  event: Record<string, any>;
  at: number;
  /** Which proxied connection (0, 1, …). */
  conn: number;
}

export interface ModelProxy {
  /** ws://127.0.0.1:<port>/v1/realtime */
  url: string;
  readonly events: ProxiedEvent[];
  readonly connections: number;
  /** Kills every open connection abruptly (both sides see the socket die). */
  killAll(): void;
  /** Later connection attempts are refused (503) while true. */
  refuse: boolean;
  /** Rewrites server events on their way to the gateway (e.g. to break a tool call's arguments). */
  rewriteServer: ((event: Record<string, any>) => Record<string, any>) | undefined;
  /** Later connections are held this long before they reach the model (a slow model start). */
  upgradeDelayMs: number;
  /** Stops reading what the gateway sends on connection `conn` (default: every open one), a stalled model socket. */
  pauseReading(conn?: number): void;
  close(): Promise<void>;
}

export async function startModelProxy(target: () => string): Promise<ModelProxy> {
  const events: ProxiedEvent[] = [];
  const pairs = new Set<{ a: WebSocket; b: WebSocket; conn?: number }>();
  let connections = 0;
  // HTTP (the Responses API a cascade engine calls) goes straight through to the emulator.
  const http: Server = createServer((req, res) => {
    const to = new URL(req.url ?? '/', target().replace(/^ws/, 'http'));
    const out = request(to, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  const wss = new WebSocketServer({ noServer: true });
  const state: { refuse: boolean; rewrite: ((event: Record<string, any>) => Record<string, any>) | undefined; delayMs: number } = { refuse: false, rewrite: undefined, delayMs: 0 };
  http.on('upgrade', (req, socket, head) => {
    if (state.delayMs > 0) {
      setTimeout(() => upgrade(req, socket, head), state.delayMs);
      return;
    }
    upgrade(req, socket, head);
  });
  const upgrade = (req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void => {
    if (state.refuse) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    // The path is kept: a cascade engine's transcription and TTS sockets reach their peers.
    const to = new URL(url.pathname === '/' ? '' : url.pathname, target());
    to.search = url.search;
    const upstream = new WebSocket(to.toString(), { headers: { authorization: String(req.headers.authorization ?? ''), 'xi-api-key': String(req.headers['xi-api-key'] ?? '') } });
    upstream.once('error', () => socket.destroy());
    upstream.once('open', () => {
      wss.handleUpgrade(req, socket, head, (client) => {
        const conn = connections++;
        const pair = { a: client, b: upstream, conn };
        pairs.add(pair);
        const record = (dir: 'client' | 'server', data: string) => {
          const event = JSON.parse(data) as Record<string, any>;
          events.push({ dir, type: String(event.type), event, at: performance.now(), conn });
        };
        client.on('message', (d) => {
          record('client', d.toString());
          if (upstream.readyState === WebSocket.OPEN) upstream.send(d.toString());
        });
        upstream.on('message', (d) => {
          let text = d.toString();
          if (state.rewrite) text = JSON.stringify(state.rewrite(JSON.parse(text) as Record<string, any>));
          record('server', text);
          if (client.readyState === WebSocket.OPEN) client.send(text);
        });
        const end = () => {
          pairs.delete(pair);
          client.terminate();
          upstream.terminate();
        };
        client.on('close', end);
        upstream.on('close', end);
        client.on('error', end);
        upstream.on('error', end);
      });
    });
  };
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  const killAll = (): void => {
    for (const p of pairs) {
      p.a.terminate();
      p.b.terminate();
    }
    pairs.clear();
  };
  return {
    url: `ws://127.0.0.1:${port}/v1/realtime`,
    events,
    get connections() {
      return connections;
    },
    get refuse() {
      return state.refuse;
    },
    set refuse(v: boolean) {
      state.refuse = v;
    },
    get rewriteServer() {
      return state.rewrite;
    },
    set rewriteServer(fn) {
      state.rewrite = fn;
    },
    get upgradeDelayMs() {
      return state.delayMs;
    },
    set upgradeDelayMs(v: number) {
      state.delayMs = v;
    },
    pauseReading(conn?: number) {
      for (const p of pairs) {
        if (conn !== undefined && p.conn !== conn) continue;
        // `ws` resumes a socket it paused itself: this one stays paused.
        const socket = (p.a as unknown as { _socket?: { pause(): void; resume(): unknown } })._socket;
        socket?.pause();
        if (socket) socket.resume = () => socket;
      }
    },
    killAll,
    async close() {
      killAll();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
