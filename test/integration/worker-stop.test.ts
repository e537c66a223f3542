/**
 * `npm run worker` as operators run it: npm runs node itself (`exec node --import tsx`, no tsx CLI
 * or shell in between), so a SIGTERM to the process group (a terminal, a container runtime)
 * reaches the worker, which stops after its running jobs, leaves the registry as a clean stop
 * and exits 0, though node receives the signal twice (directly and forwarded by npm).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createFleetDatabase } from './fleetProcs.js';
import { TEST_REDIS_URL } from './fleetHarness.js';
import { demoManifest } from './serverHelpers.js';
import { TEST_DATABASE_URL } from './storeSuite.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('drains and exits 0 when SIGTERM reaches npm run worker\'s process group', async () => {
  const database = await createFleetDatabase(TEST_DATABASE_URL, 'sb_wk');
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-worker-'));
  mkdirSync(join(dir, 'verticals', 'demo'), { recursive: true });
  writeFileSync(join(dir, 'verticals', 'demo', 'vertical.yaml'), demoManifest('demo', '+15550001212', 'Be helpful.'));
  const redis = new URL(TEST_REDIS_URL);
  redis.pathname = `/${5 + Math.floor(Math.random() * 11)}`;
  const id = `wk-stop-${randomUUID().slice(0, 8)}`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['OPENAI_API_KEY', 'JEST_WORKER_ID', 'NODE_OPTIONS', 'ADMIN_TOKEN', 'npm_config_loglevel']) delete env[k];
  Object.assign(env, {
    DATABASE_URL: database.url, REDIS_URL: redis.toString(), SWITCHBOARD_VERTICALS_DIR: join(dir, 'verticals'), SWITCHBOARD_DATA_DIR: join(dir, 'data'),
    SWITCHBOARD_INSTANCE_ID: id, SWITCHBOARD_HEARTBEAT_MS: '500', LOG_LEVEL: 'info', LOG_FORMAT: 'json', OTEL_EXPORTER_OTLP_ENDPOINT: '',
  });
  const child = spawn('npm', ['run', 'worker', '--silent'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const db = new pg.Client({ connectionString: database.url });
  try {
    const end = Date.now() + 90_000;
    while (!out.includes('post-call worker running')) {
      if (child.exitCode !== null || Date.now() > end) throw new Error(`the worker did not start:\n${out.slice(-3000)}`);
      await sleep(100);
    }
    // npm's child is node itself, running the worker with tsx as a loader.
    const children = execFileSync('ps', ['-o', 'args=', '--ppid', String(child.pid)]).toString().trim().split('\n');
    expect(children).toEqual([expect.stringMatching(/^\S*node --import tsx src\/bin\/worker\.ts$/)]);
    await db.connect();
    expect((await db.query('SELECT kind, stopped_at FROM instances WHERE id = $1', [id])).rows).toEqual([{ kind: 'worker', stopped_at: null }]);

    process.kill(-child.pid!, 'SIGTERM');
    const result = await Promise.race([exit, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the worker did not exit:\n${out.slice(-3000)}`)), 30_000).unref())]);
    expect(result).toEqual({ code: 0, signal: null });
    expect(out).toContain('stopping (SIGTERM) after the running jobs');
    expect(out).not.toContain('stopping now');
    const row = (await db.query('SELECT stopped_at FROM instances WHERE id = $1', [id])).rows[0] as { stopped_at: Date | null };
    expect(row.stopped_at).toBeInstanceOf(Date);
  } finally {
    try {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
    await db.end().catch(() => undefined);
    await database.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}, 150_000);
