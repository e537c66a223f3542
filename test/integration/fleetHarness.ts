/**
 * A real fleet for tests and benchmarks: N gateway processes (`tsx src/bin/server.ts`, each with
 * its own port and SWITCHBOARD_INSTANCE_ID) on a fresh Postgres database and a private Redis
 * database number, one shared Realtime emulator (so model sessions can be counted), the fake
 * Twilio REST API, and Debian's haproxy in front with the routing config the README documents
 * (`haproxyConfig`). Reusable: the drain and bench work start the same fleet.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startEmulator, type RunningEmulator } from '../../src/engines/emulator/index.js';
import { loadScenarios, type Scenario } from '../../src/scenarios/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createCatalog } from '../../src/catalog/index.js';
import { registry } from '../../tools/index.js';
import { startFakeTwilioApi, type FakeTwilioApi } from '../fakes/index.js';
import { TEST_DATABASE_URL } from './storeSuite.js';

export const HAPROXY = '/usr/sbin/haproxy';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The reason a proxy test cannot run here, or null. */
export function proxyUnavailable(): string | null {
  return existsSync(HAPROXY) ? null : `${HAPROXY} is not installed (apt-get install haproxy)`;
}

/**
 * The haproxy routing the README documents: webhooks and everything else round-robin over the
 * gateways that answer /healthz; a media stream whose path names an instance
 * (`/twilio/stream/<id>`) goes to that instance, or, when it is down, to any other (which claims
 * the call). WebSockets need the long tunnel timeout.
 */
export function haproxyConfig(listenPort: number, gateways: ReadonlyArray<{ id: string; host: string; port: number }>): string {
  const routes = gateways.map((g) => `  use-server ${g.id} if { path /twilio/stream/${g.id} }`).join('\n');
  const servers = gateways.map((g) => `  server ${g.id} ${g.host}:${g.port} check inter 1s fall 2 rise 1`).join('\n');
  return `global
  maxconn 4000

defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout tunnel 2h
  option http-server-close

frontend switchboard
  bind 127.0.0.1:${listenPort}
  default_backend gateways

backend gateways
  balance roundrobin
  option httpchk GET /healthz
${routes}
${servers}
`;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FleetGateway {
  id: string;
  port: number;
  url: string;
  proc: ChildProcess;
  /** Everything the process printed (JSON log lines). */
  output: string[];
  readonly exited: boolean;
  /** SIGKILL (kill -9) and wait for the exit. */
  kill9(): Promise<void>;
}

export interface Fleet {
  dir: string;
  verticalsDir: string;
  databaseUrl: string;
  redisUrl: string;
  adminToken: string;
  authToken: string;
  accountSid: string;
  /** The proxy's base URL, which is also every gateway's PUBLIC_URL. */
  proxyUrl: string;
  gateways: FleetGateway[];
  emulator: RunningEmulator;
  twilio: FakeTwilioApi;
  /** The fleet's database (core tables in public), for assertions. */
  store: Store;
  scenarios: Scenario[];
  close(): Promise<void>;
}

export interface FleetOptions {
  instances?: string[];
  /** Copied into the fleet's own verticals dir (default: salon only). */
  verticals?: string[];
  heartbeatMs?: number;
  lostAfterMs?: number;
  emulatorSpeed?: number;
  startTimeoutMs?: number;
}

async function waitHealthy(url: string, proc: FleetGateway, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (proc.exited) throw new Error(`gateway ${proc.id} exited during start-up:\n${proc.output.slice(-20).join('')}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`gateway ${proc.id} not healthy after ${timeoutMs} ms:\n${proc.output.slice(-20).join('')}`);
}

export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const ids = options.instances ?? ['gw-a', 'gw-b'];
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-fleet-'));
  const verticalsDir = join(dir, 'verticals');
  for (const v of options.verticals ?? ['salon']) cpSync(resolve('verticals', v), join(verticalsDir, v), { recursive: true });
  const dbName = `fleet_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const base = new URL(TEST_DATABASE_URL);
  base.pathname = `/${dbName}`;
  const databaseUrl = base.toString();
  const redis = new URL(TEST_REDIS_URL);
  redis.pathname = `/${5 + Math.floor(Math.random() * 11)}`;
  const redisUrl = redis.toString();
  const adminToken = `fleet-admin-${randomUUID()}`;
  const authToken = `fleet-twilio-${randomUUID().slice(0, 8)}`;
  const accountSid = 'AC' + 'f'.repeat(32);
  const scenarios = (await loadScenarios(verticalsDir)).list();
  const emulator = await startEmulator({ scenarios, pacing: { speed: options.emulatorSpeed ?? 4 } });
  const twilio = await startFakeTwilioApi({ accountSid, authToken });
  const proxyPort = await freePort();
  const proxyUrl = `http://127.0.0.1:${proxyPort}`;
  const gateways: FleetGateway[] = [];
  let haproxy: ChildProcess | undefined;
  const store = await openStore({ databaseUrl, poolSize: 4 });
  // The demo data the scenarios book against (a configured database is never seeded by the gateway).
  await store.migrate();
  const catalog = createCatalog({ verticalsDir, agentsDir: resolve('agents'), registry, cwd: dir });
  for (const v of catalog.list()) await store.seedVertical(v.manifest, v.dir);

  const close = async (): Promise<void> => {
    if (haproxy && haproxy.exitCode === null) {
      const gone = new Promise((r) => haproxy!.once('exit', r));
      haproxy.kill('SIGKILL');
      await gone;
    }
    await Promise.all(gateways.map(async (g) => {
      if (g.exited) return;
      const done = new Promise((r) => g.proc.once('exit', r));
      g.proc.kill('SIGTERM');
      await Promise.race([done, sleep(15_000).then(() => g.proc.kill('SIGKILL'))]);
    }));
    await emulator.close();
    await twilio.close();
    await store.close();
    const again = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await again.connect();
    await again.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await again.end();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (const id of ids) {
      const port = await freePort();
      const env = {
        ...process.env,
        NODE_OPTIONS: '', PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: proxyUrl, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl,
        SWITCHBOARD_INSTANCE_ID: id, ADMIN_TOKEN: adminToken, SWITCHBOARD_ENGINE: 'emulator', SWITCHBOARD_EMULATOR_URL: emulator.url,
        SWITCHBOARD_VERTICALS_DIR: verticalsDir, SWITCHBOARD_DATA_DIR: join(dir, `data-${id}`),
        SWITCHBOARD_HEARTBEAT_MS: String(options.heartbeatMs ?? 500), SWITCHBOARD_INSTANCE_LOST_MS: String(options.lostAfterMs ?? 3000),
        TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_API_BASE_URL: twilio.url,
        LOG_FORMAT: 'json', LOG_LEVEL: 'info', OTEL_EXPORTER_OTLP_ENDPOINT: '', SWITCHBOARD_CONSOLE: '0',
      };
      delete (env as Record<string, string | undefined>).OPENAI_API_KEY;
      // node itself runs the server (tsx as a loader, not a parent process): kill -9 hits the gateway.
      const proc = spawn(process.execPath, ['--import', 'tsx', 'src/bin/server.ts', '--with-worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const output: string[] = [];
      let exited = false;
      proc.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
      proc.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
      proc.once('exit', () => { exited = true; });
      gateways.push({
        id, port, url: `http://127.0.0.1:${port}`, proc, output,
        get exited() { return exited; },
        async kill9() {
          if (exited) return;
          const done = new Promise((r) => proc.once('exit', r));
          proc.kill('SIGKILL');
          await done;
        },
      });
    }
    // One at a time would double start-up; both migrate under the migration lock.
    await Promise.all(gateways.map((g) => waitHealthy(g.url, g, options.startTimeoutMs ?? 120_000)));
    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(cfg, haproxyConfig(proxyPort, gateways.map((g) => ({ id: g.id, host: '127.0.0.1', port: g.port }))));
    haproxy = spawn(HAPROXY, ['-f', cfg, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const proxyOut: string[] = [];
    haproxy.stderr!.on('data', (d: Buffer) => proxyOut.push(d.toString()));
    const end = Date.now() + 15_000;
    for (;;) {
      const ok = await fetch(`${proxyUrl}/healthz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (Date.now() > end) throw new Error(`haproxy did not come up:\n${proxyOut.join('')}`);
      await sleep(200);
    }
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  return { dir, verticalsDir, databaseUrl, redisUrl, adminToken, authToken, accountSid, proxyUrl, gateways, emulator, twilio, store, scenarios, close };
}
