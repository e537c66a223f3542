/**
 * Serves an embedded PGlite over the Postgres wire protocol on loopback, so operator commands
 * (`switchboard calls`, `seed`, `migrate`) can use the database while the gateway holds it.
 *
 * Each connection's messages are framed and run in batches ending at Sync or Query; the
 * connection holds PGlite exclusively only while its batch runs or while it has a transaction
 * open (ReadyForQuery status other than idle), so the gateway's own statements interleave at
 * transaction boundaries. Remote clients must not change session state (SET without LOCAL):
 * the backend is shared. The store's own remote Db only uses SET LOCAL.
 *
 * With a password, the server asks for it (cleartext over loopback) before PGlite sees the
 * startup message; the owner keeps the password in its 0600 pglite.json.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createLogger } from '../../observability/index.js';
import type { PgliteDb } from './pglite.js';

const log = createLogger('store');

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);
/** AuthenticationCleartextPassword. */
const ASK_PASSWORD = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3]);

function fatal(code: string, message: string): Buffer {
  const body = Buffer.concat([
    Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0`, 'utf8'), Buffer.from([0]),
  ]);
  const head = Buffer.alloc(5);
  head[0] = 0x45; // E: ErrorResponse
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function samePassword(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Status byte of the last ReadyForQuery in a backend response ('I' idle, 'T' in tx, 'E' failed tx), if any. */
export function lastReadyStatus(resp: Uint8Array): string | undefined {
  let status: string | undefined;
  let i = 0;
  while (i + 5 <= resp.length) {
    const type = resp[i]!;
    const len = ((resp[i + 1]! << 24) | (resp[i + 2]! << 16) | (resp[i + 3]! << 8) | resp[i + 4]!) >>> 0;
    if (type === 0x5a && len === 5 && i + 5 < resp.length) status = String.fromCharCode(resp[i + 5]!);
    i += 1 + len;
  }
  return status;
}

class WireSession {
  private buf: Buffer = Buffer.alloc(0);
  private started = false;
  /** The startup message held back until the password is checked. */
  private pendingStartup: Buffer | null = null;
  private batch: Buffer[] = [];
  private chain: Promise<void> = Promise.resolve();
  private release: (() => void) | null = null;
  private closed = false;

  constructor(private readonly db: PgliteDb, private readonly socket: Socket, private readonly password: string | null) {
    socket.setNoDelay(true);
    socket.on('data', (data) => this.onData(data));
    socket.on('error', () => this.end());
    socket.on('close', () => this.end());
  }

  private onData(data: Buffer): void {
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    for (;;) {
      if (!this.started) {
        if (this.buf.length < 8) return;
        const len = this.buf.readInt32BE(0);
        if (this.buf.length < len) return;
        const code = this.buf.readInt32BE(4);
        const msg = this.buf.subarray(0, len);
        this.buf = this.buf.subarray(len);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          this.socket.write('N');
          continue;
        }
        if (code === CANCEL_REQUEST) {
          this.socket.end();
          return;
        }
        this.started = true;
        if (this.password !== null) {
          this.pendingStartup = Buffer.from(msg);
          this.socket.write(ASK_PASSWORD);
        } else {
          this.enqueue([Buffer.from(msg)], true);
        }
        continue;
      }
      if (this.buf.length < 5) return;
      const type = this.buf[0]!;
      const total = 1 + this.buf.readInt32BE(1);
      if (this.buf.length < total) return;
      const msg = Buffer.from(this.buf.subarray(0, total));
      this.buf = this.buf.subarray(total);
      if (type === 0x58 /* X: Terminate */) {
        this.socket.end();
        return;
      }
      if (this.pendingStartup) {
        const given = type === 0x70 /* p: PasswordMessage */ ? msg.subarray(5, msg.length - 1).toString('utf8') : '';
        if (this.password === null || !samePassword(given, this.password)) {
          this.socket.end(fatal('28P01', 'password authentication failed'));
          this.closed = true;
          return;
        }
        const startup = this.pendingStartup;
        this.pendingStartup = null;
        this.enqueue([startup], true);
        continue;
      }
      this.batch.push(msg);
      // Q: simple query, S: Sync, H: Flush – the points where a client waits for an answer.
      if (type === 0x51 || type === 0x53 || type === 0x48) {
        const batch = this.batch;
        this.batch = [];
        this.enqueue(batch, false);
      }
    }
  }

  private enqueue(messages: Buffer[], startup: boolean): void {
    this.chain = this.chain.then(() => this.execute(Buffer.concat(messages), startup)).catch((err: unknown) => {
      log.warn('wire session failed', { err });
      this.socket.destroy();
    });
  }

  private async execute(message: Buffer, startup: boolean): Promise<void> {
    if (this.closed) return;
    if (!this.release) this.release = await this.db.lease();
    if (this.closed || this.db.closed) {
      this.dropLease();
      return;
    }
    const resp = await this.db.pglite.execProtocolRaw(new Uint8Array(message));
    if (resp.length > 0 && this.socket.writable) this.socket.write(resp);
    const status = lastReadyStatus(resp);
    if (startup || status === 'I') this.dropLease();
  }

  private dropLease(): void {
    const release = this.release;
    this.release = null;
    release?.();
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    // A client gone mid-transaction: roll it back before anyone else uses the backend.
    this.chain = this.chain.then(async () => {
      if (!this.release) return;
      try {
        if (!this.db.closed) {
          await this.db.pglite.execProtocolRaw(new Uint8Array(SYNC));
          await this.db.pglite.exec('ROLLBACK');
        }
      } catch (err) {
        log.warn('rollback after client disconnect failed', { err });
      } finally {
        this.dropLease();
      }
    });
  }

  async shutdown(): Promise<void> {
    this.socket.destroy();
    this.end();
    await this.chain.catch(() => undefined);
  }
}

export interface WireServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface WireServerOptions {
  /** 0 (default) → any free port. */
  port?: number;
  host?: string;
  /** Required from clients when set. */
  password?: string | null;
}

/** Listens on 127.0.0.1 by default. */
export async function startWireServer(db: PgliteDb, options: WireServerOptions = {}): Promise<WireServer> {
  const port = options.port ?? 0;
  const host = options.host ?? '127.0.0.1';
  const password = options.password ?? null;
  const sessions = new Set<WireSession>();
  const server: Server = createServer((socket) => {
    const session = new WireSession(db, socket, password);
    sessions.add(session);
    socket.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    host,
    port: boundPort,
    async close() {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...sessions].map((s) => s.shutdown()));
      await closing;
    },
  };
}
