/** One embedded PGlite, several processes: the owner shares it on loopback; others connect or get a coded error. */
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { openStore, ownerFile, type Store } from '../../src/store/index.js';
import { newCall } from './storeSuite.js';

// Creating an on-disk PGlite runs initdb in WebAssembly: slow on a busy machine.
jest.setTimeout(120_000);

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-store-'));
  dirs.push(dir);
  return dir;
};

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function runChild(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    execFile(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd(), env: { ...process.env, LOG_LEVEL: 'silent' }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolveRun({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('embedded PGlite shared by its owner', () => {
  let dataDir: string;
  let owner: Store;

  beforeAll(async () => {
    dataDir = tempDir();
    owner = await openStore({ dataDir, shareEmbedded: true });
    await owner.migrate();
  }, 120_000);
  afterAll(async () => {
    await owner?.close();
  });

  const wireClient = (password?: string) => {
    const rec = JSON.parse(readFileSync(ownerFile(dataDir), 'utf8'));
    return new pg.Client({ host: '127.0.0.1', port: owner.sharedPort!, user: 'postgres', database: 'postgres', password: password ?? rec.password });
  };

  it('records the owner pid, port and password in an owner-only pglite.json', () => {
    const rec = JSON.parse(readFileSync(ownerFile(dataDir), 'utf8'));
    expect(rec).toMatchObject({ pid: process.pid, port: owner.sharedPort, host: '127.0.0.1', password: expect.any(String) });
    expect(statSync(ownerFile(dataDir)).mode & 0o077).toBe(0);
    expect(owner.mode).toBe('pglite');
  });

  it('refuses a wire client without the password', async () => {
    const client = wireClient('wrong');
    client.on('error', () => undefined);
    await expect(client.connect()).rejects.toMatchObject({ code: '28P01' });
    await client.end().catch(() => undefined);
  });

  it('lets a second store use it over the wire: reads, writes, transactions, schema views, migrations', async () => {
    const created = await owner.calls.create(newCall());
    const remote = await openStore({ dataDir });
    try {
      expect(remote.mode).toBe('pglite-remote');
      expect(remote.db.kind).toBe('pglite');
      expect((await remote.calls.get(created.id))?.callSid).toBe(created.callSid);
      const mine = await remote.calls.create(newCall());
      expect((await owner.calls.get(mine.id))?.id).toBe(mine.id);
      expect(await remote.calls.finalize(mine.id, { status: 'completed', endReason: 'done' })).toBe(true);
      expect((await remote.migrate()).applied).toEqual([]);
      await remote.db.query('CREATE SCHEMA IF NOT EXISTS wire_view');
      const view = remote.db.withSchema('wire_view');
      await view.query('CREATE TABLE IF NOT EXISTS things (n int)');
      await view.query('INSERT INTO things VALUES ($1), ($2)', [1, 2]);
      const sum = await view.transaction(async (tx) => (await tx.query<{ s: number }>('SELECT sum(n)::int AS s FROM things')).rows[0]?.s);
      expect(sum).toBe(3);
      // SET LOCAL only: the owner's unqualified names still resolve in public.
      const ownerPath = await owner.db.query<{ p: string }>("SELECT current_setting('search_path') AS p");
      expect(ownerPath.rows[0]?.p).not.toMatch(/wire_view/);
    } finally {
      await remote.close();
    }
  });

  it('serves another process (a CLI command while the gateway runs)', async () => {
    const call = await owner.calls.create(newCall({ vertical: 'child-visible' }));
    const script = join(tempDir(), 'child.mts');
    writeFileSync(script, `
      import { openStore } from ${JSON.stringify(resolve('src/store/index.ts'))};
      const store = await openStore({ dataDir: ${JSON.stringify(dataDir)} });
      const calls = await store.calls.list({ limit: 10, vertical: 'child-visible' });
      console.log(JSON.stringify({ mode: store.mode, ids: calls.map((c) => c.id) }));
      await store.close();
    `);
    const out = await runChild(script);
    expect({ code: out.code, stderr: out.stderr.slice(0, 500) }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(out.stdout.trim().split('\n').pop()!)).toEqual({ mode: 'pglite-remote', ids: [call.id] });
  });

  it('rolls back a remote transaction whose client vanished, and lets the owner go on', async () => {
    const client = wireClient();
    await client.connect();
    const ghost = newCall();
    await client.query('BEGIN');
    await client.query('INSERT INTO calls (id, call_sid, vertical, manifest_version) VALUES ($1, $2, $3, $4)', [ghost.id, ghost.callSid, 'salon', 'v']);
    // While the remote transaction is open the owner waits; once the client is gone it proceeds.
    const order: string[] = [];
    const ownerRead = owner.calls.get(ghost.id).then((row) => { order.push('owner-read'); return row; });
    await new Promise((r) => setTimeout(r, 50));
    order.push('client-destroyed');
    (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    client.on('error', () => undefined);
    expect(await ownerRead).toBeNull();
    expect(order).toEqual(['client-destroyed', 'owner-read']);
    await client.end().catch(() => undefined);
  });

  it('waits for a remote transaction to commit before running the owner\'s statements', async () => {
    const client = wireClient();
    await client.connect();
    try {
      const row = newCall();
      await client.query('BEGIN');
      await client.query('INSERT INTO calls (id, call_sid, vertical, manifest_version) VALUES ($1, $2, $3, $4)', [row.id, row.callSid, 'salon', 'v']);
      const seen = owner.calls.get(row.id);
      await new Promise((r) => setTimeout(r, 50));
      await client.query('COMMIT');
      expect((await seen)?.id).toBe(row.id);
    } finally {
      await client.end();
    }
  });
});

describe('embedded PGlite ownership without sharing', () => {
  // One directory for both cases: initdb is the slow part, reopening is quick.
  const dataDir = tempDir();
  let callId: string;

  it('refuses a second opener with STORE_BUSY naming what to do, and frees the claim on close', async () => {
    const owner = await openStore({ dataDir });
    try {
      await owner.migrate();
      callId = (await owner.calls.create(newCall())).id;
      await expect(openStore({ dataDir })).rejects.toMatchObject({ code: 'STORE_BUSY', message: expect.stringMatching(/DATABASE_URL/) });
    } finally {
      await owner.close();
    }
    expect(existsSync(ownerFile(dataDir))).toBe(false);
  });

  it('takes over from a dead owner and keeps the data', async () => {
    writeFileSync(ownerFile(dataDir), JSON.stringify({ pid: 2 ** 22 + 12345, port: 1, host: '127.0.0.1' }));
    const second = await openStore({ dataDir });
    try {
      expect(second.mode).toBe('pglite');
      expect((await second.calls.get(callId))?.id).toBe(callId);
    } finally {
      await second.close();
    }
  });
});
