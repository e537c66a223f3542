/**
 * Who owns an on-disk PGlite. PGlite is one process only; the owner writes
 * `<dataDir>/pglite.json` {pid, port}. A process that finds a live owner sharing its database
 * (port set) connects to it over the wire; a live owner that does not share it is a coded error.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppError } from '../../shared/index.js';
import { PgliteDb } from './pglite.js';
import { PostgresDb } from './postgres.js';
import { startWireServer, type WireServer } from './wireServer.js';

export interface OwnerRecord {
  pid: number;
  /** Loopback port of the wire server; null when the owner does not share the database. */
  port: number | null;
  host: string;
  /** Password the wire server asks for (the file is readable by its owner only). */
  password: string | null;
  startedAt: string;
}

export const ownerFile = (dataDir: string): string => join(resolve(dataDir), 'pglite.json');
export const pgliteDir = (dataDir: string): string => join(resolve(dataDir), 'pglite');

function readOwner(file: string): OwnerRecord | null {
  try {
    const rec = JSON.parse(readFileSync(file, 'utf8')) as Partial<OwnerRecord>;
    if (typeof rec.pid !== 'number') return null;
    return {
      pid: rec.pid, port: typeof rec.port === 'number' ? rec.port : null, host: rec.host ?? '127.0.0.1',
      password: typeof rec.password === 'string' ? rec.password : null, startedAt: rec.startedAt ?? '',
    };
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function busy(dataDir: string, pid: number, why: string): AppError {
  return new AppError(
    'STORE_BUSY',
    `the embedded database in ${pgliteDir(dataDir)} is held by process ${pid} (${why}). ` +
      'Stop that process, start the gateway (it shares its database with CLI commands), or set DATABASE_URL to use Postgres.',
  );
}

export type EmbeddedHandle =
  | { kind: 'owner'; db: PgliteDb; share(port?: number): Promise<number>; close(): Promise<void> }
  | { kind: 'remote'; db: PostgresDb; owner: OwnerRecord; close(): Promise<void> };

async function connectRemote(dataDir: string, owner: OwnerRecord, poolSize: number): Promise<EmbeddedHandle> {
  const auth = owner.password ? `postgres:${encodeURIComponent(owner.password)}` : 'postgres';
  const db = PostgresDb.open({
    connectionString: `postgres://${auth}@${owner.host}:${owner.port}/postgres`,
    poolSize,
    schemaMode: 'set-local',
    kind: 'pglite',
  });
  try {
    await db.query('SELECT 1');
  } catch (err) {
    await db.close();
    throw new AppError('STORE_BUSY', busy(dataDir, owner.pid, `its database socket on port ${owner.port} did not answer`).message, { cause: err });
  }
  return { kind: 'remote', db, owner, close: () => db.close() };
}

/** Opens the embedded database at dataDir, or connects to the live process that owns it. */
export async function openEmbedded(dataDir: string, options: { poolSize?: number } = {}): Promise<EmbeddedHandle> {
  const file = ownerFile(dataDir);
  mkdirSync(resolve(dataDir), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    const owner = readOwner(file);
    if (owner && isAlive(owner.pid)) {
      if (owner.port !== null) return connectRemote(dataDir, owner, Math.min(options.poolSize ?? 2, 4));
      throw busy(dataDir, owner.pid, owner.pid === process.pid ? 'this process, not shared' : 'not shared');
    }
    if (owner) rmSync(file, { force: true }); // stale: its process is gone
    const record: OwnerRecord = { pid: process.pid, port: null, host: '127.0.0.1', password: null, startedAt: new Date().toISOString() };
    try {
      writeFileSync(file, JSON.stringify(record), { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue; // lost a race: look again
      throw err;
    }
    let db: PgliteDb;
    try {
      db = await PgliteDb.open({ dataDir: pgliteDir(dataDir) });
    } catch (err) {
      rmSync(file, { force: true });
      throw new AppError('STORE_OPEN_FAILED', `could not open the embedded database in ${pgliteDir(dataDir)}: ${(err as Error).message}`, { cause: err });
    }
    let server: WireServer | null = null;
    return {
      kind: 'owner',
      db,
      async share(port = 0) {
        if (!server) {
          const password = randomBytes(18).toString('base64url');
          server = await startWireServer(db, { port, password });
          writeFileSync(file, JSON.stringify({ ...record, port: server.port, password }), { mode: 0o600 });
        }
        return server.port;
      },
      async close() {
        if (server) await server.close();
        await db.close();
        const current = readOwner(file);
        if (current?.pid === process.pid) rmSync(file, { force: true });
      },
    };
  }
  throw new AppError('STORE_BUSY', `could not claim ${file}: another process keeps claiming it`);
}
