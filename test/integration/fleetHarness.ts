/**
 * A real fleet for tests: N gateway processes (`node --import tsx src/bin/server.ts`, each with
 * its own port and SWITCHBOARD_INSTANCE_ID) on a fresh Postgres database and a private Redis
 * database number, one shared Realtime emulator (so model sessions can be counted), the fake
 * Twilio REST API, and Debian's haproxy in front with the routing config the README documents
 * (`haproxyConfig`). The processes themselves are launched by fleetProcs.ts, which the
 * benchmark's fleet section shares.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startEmulator, type RunningEmulator } from '../../src/engines/emulator/index.js';
import { loadScenarios, type Scenario } from '../../src/scenarios/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createCatalog } from '../../src/catalog/index.js';
import { registry } from '../../tools/index.js';
import { startFakeTwilioApi, type FakeTwilioApi } from '../fakes/index.js';
import { TEST_DATABASE_URL } from './storeSuite.js';
import {
  createFleetDatabase, freePort, launchGateway, startHaproxy, waitHealthy, type FleetGateway, type RunningProxy,
} from './fleetProcs.js';

export { HAPROXY, haproxyConfig, proxyUnavailable, freePort, type FleetGateway } from './fleetProcs.js';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

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
  /** Starts instance `id` again (same port and environment) after it exited; resolves once healthy. */
  restart(id: string): Promise<FleetGateway>;
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
  /** Added to every gateway's environment (e.g. SWITCHBOARD_DRAIN_TIMEOUT_MS). */
  env?: Record<string, string>;
}

export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const ids = options.instances ?? ['gw-a', 'gw-b'];
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-fleet-'));
  const verticalsDir = join(dir, 'verticals');
  for (const v of options.verticals ?? ['salon']) cpSync(resolve('verticals', v), join(verticalsDir, v), { recursive: true });
  const database = await createFleetDatabase(TEST_DATABASE_URL);
  const databaseUrl = database.url;
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
  let haproxy: RunningProxy | undefined;
  const store = await openStore({ databaseUrl, poolSize: 4 });
  // The demo data the scenarios book against (a configured database is never seeded by the gateway).
  await store.migrate();
  const catalog = createCatalog({ verticalsDir, agentsDir: resolve('agents'), registry, cwd: dir });
  for (const v of catalog.list()) await store.seedVertical(v.manifest, v.dir);

  const close = async (): Promise<void> => {
    await haproxy?.close();
    await Promise.all(gateways.map((g) => g.stop(15_000)));
    await emulator.close();
    await twilio.close();
    await store.close();
    await database.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };

  const envOf = (id: string): Record<string, string | undefined> => ({
    PUBLIC_URL: proxyUrl, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl,
    ADMIN_TOKEN: adminToken, SWITCHBOARD_ENGINE: 'emulator', SWITCHBOARD_EMULATOR_URL: emulator.url,
    SWITCHBOARD_VERTICALS_DIR: verticalsDir, SWITCHBOARD_DATA_DIR: join(dir, `data-${id}`),
    SWITCHBOARD_HEARTBEAT_MS: String(options.heartbeatMs ?? 500), SWITCHBOARD_INSTANCE_LOST_MS: String(options.lostAfterMs ?? 3000),
    TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_API_BASE_URL: twilio.url,
    LOG_FORMAT: 'json', LOG_LEVEL: 'info', OTEL_EXPORTER_OTLP_ENDPOINT: '', SWITCHBOARD_CONSOLE: '0', OPENAI_API_KEY: undefined,
    ...options.env,
  });
  const restart = async (id: string): Promise<FleetGateway> => {
    const i = gateways.findIndex((g) => g.id === id);
    if (i < 0 || !gateways[i]!.exited) throw new Error(`gateway ${id} is not a stopped instance of this fleet`);
    const g = launchGateway(id, gateways[i]!.port, envOf(id), ['--with-worker']);
    gateways[i] = g;
    await waitHealthy(g, options.startTimeoutMs ?? 120_000);
    return g;
  };

  try {
    // node itself runs the server (tsx as a loader, not a parent process): kill -9 and SIGTERM hit the gateway.
    for (const id of ids) gateways.push(launchGateway(id, await freePort(), envOf(id), ['--with-worker']));
    // One at a time would double start-up; both migrate under the migration lock.
    await Promise.all(gateways.map((g) => waitHealthy(g, options.startTimeoutMs ?? 120_000)));
    haproxy = await startHaproxy(dir, proxyPort, gateways);
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  return { dir, verticalsDir, databaseUrl, redisUrl, adminToken, authToken, accountSid, proxyUrl, gateways, emulator, twilio, store, scenarios, restart, close };
}
