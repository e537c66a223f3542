/**
 * Set-up shared by the numbers and canary command tests: two verticals in a temporary folder,
 * core tables and the verticals' schemas in throwaway schemas of the test Postgres, a Redis
 * channel of their own, the fake Twilio API, the CLI wired to all of them, and "gateway
 * instances": a catalog each, kept in sync with the stored routing like src/bin/server.ts does.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordManifestVersions } from '../../src/analysis/index.js';
import { createCatalog, startRoutingSync, type Catalog, type CompileOptions, type RoutingSync } from '../../src/catalog/index.js';
import { makeCanaryCommand } from '../../src/cli/commands/canary.js';
import { makeNumbersCommand } from '../../src/cli/commands/numbers.js';
import type { RoutingCommandDeps } from '../../src/cli/commands/routingDeps.js';
import type { CliRun } from '../../src/cli/context.js';
import { buildProgram } from '../../src/cli/main.js';
import { createRedisChangeFeed, openStore, type ChangeFeed, type Store } from '../../src/store/index.js';
import type { ToolRegistry } from '../../src/toolkit/types.js';
import { startFakeTwilioApi, type FakeTwilioApi } from '../fakes/twilioApi.js';
import { demoManifest, DEMO_NUMBER, OTHER_NUMBER } from './serverHelpers.js';
import { randomSchema, TEST_DATABASE_URL } from './storeSuite.js';

export { DEMO_NUMBER, OTHER_NUMBER };
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const ACCOUNT_SID = 'AC' + 'c'.repeat(32);
export const AUTH_TOKEN = 'routing-test-token';
export const PUBLIC_URL = 'https://gw.example.test';

const emptyRegistry: ToolRegistry = { get: () => undefined, has: () => false, names: () => [] };

export interface Instance {
  catalog: Catalog;
  sync: RoutingSync;
  store: Store;
  feed: ChangeFeed | undefined;
}

export interface RoutingEnv {
  root: string;
  compile: CompileOptions;
  coreSchema: string;
  demoSchema: string;
  store: Store;
  twilio: FakeTwilioApi;
  /** Settings the CLI sees (tests may change them). */
  settings: ReturnType<RoutingCommandDeps['settings']>;
  cli(...args: string[]): Promise<{ code: number; out: string; err: string }>;
  /** A gateway's catalog and routing sync: pushed through Redis when `redis`, polled every `refreshMs`. */
  instance(options: { redis: boolean; refreshMs: number }): Promise<Instance>;
  /** Writes a candidate copy of the demo vertical with other instructions; returns its folder. */
  candidate(instructions: string, over?: (yaml: string) => string): string;
  close(): Promise<void>;
}

export async function openRoutingEnv(): Promise<RoutingEnv> {
  const root = mkdtempSync(join(tmpdir(), 'sb-routing-'));
  const coreSchema = randomSchema('t');
  const demoSchema = randomSchema('demo');
  const otherSchema = randomSchema('other');
  const channel = `switchboard:routing:test:${randomUUID()}`;
  const verticalsDir = join(root, 'verticals');
  const agentsDir = join(root, 'agents');
  mkdirSync(agentsDir, { recursive: true });
  const write = (id: string, number: string, instructions: string, schema: string): void => {
    mkdirSync(join(verticalsDir, id), { recursive: true });
    writeFileSync(join(verticalsDir, id, 'vertical.yaml'), `${demoManifest(id, number, instructions)}storage:\n  schema: ${schema}\n`);
  };
  write('demo', DEMO_NUMBER, 'Be helpful.', demoSchema);
  write('other', OTHER_NUMBER, 'Be brief.', otherSchema);
  const compile: CompileOptions = { verticalsDir, agentsDir, registry: emptyRegistry, cwd: root };
  const open = (): Promise<Store> => openStore({ databaseUrl: TEST_DATABASE_URL, schema: coreSchema, poolSize: 2 });
  const store = await open();
  await store.migrate();
  const twilio = await startFakeTwilioApi({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const settings = {
    verticals: verticalsDir, agents: agentsDir, store: {}, redisUrl: TEST_REDIS_URL as string | null, publicUrl: PUBLIC_URL,
    twilio: { accountSid: ACCOUNT_SID as string | null, authToken: AUTH_TOKEN as string | null, apiBaseUrl: twilio.url },
  };
  const deps: RoutingCommandDeps = {
    settings: () => settings,
    loadRegistry: async () => emptyRegistry,
    openStore: open,
    changeFeed: (url) => createRedisChangeFeed(url, { channel }),
    twilioRest: { retryBaseMs: 1, timeoutMs: 3000 },
  };
  const instances: Instance[] = [];
  let candidates = 0;

  return {
    root, compile, coreSchema, demoSchema, store, twilio, settings,
    async cli(...args) {
      const out: string[] = [];
      const err: string[] = [];
      const run: CliRun = { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, exitCode: 0 };
      try {
        await buildProgram(run, [makeNumbersCommand(deps), makeCanaryCommand(deps)]).parseAsync(['node', 'switchboard', ...args]);
      } catch {
        if (run.exitCode === 0) run.exitCode = 2;
      }
      return { code: run.exitCode, out: out.join('\n'), err: err.join('\n') };
    },
    async instance({ redis, refreshMs }) {
      const catalog = createCatalog(compile);
      const own = await open();
      const feed = redis ? createRedisChangeFeed(TEST_REDIS_URL, { channel }) : undefined;
      const sync = startRoutingSync({
        catalog, compile, refreshMs, ...(feed ? { changes: feed } : {}),
        load: async () => ({ assignments: await own.phoneNumbers.list(), canaries: await own.canaries.list() }),
        onCandidate: async (c) => { await recordManifestVersions(own.manifestVersions, { list: () => [c] }); },
      });
      await sync.ready;
      const inst = { catalog, sync, store: own, feed };
      instances.push(inst);
      return inst;
    },
    candidate(instructions, over = (y) => y) {
      // A vertical folder is named after its id, a candidate's too.
      const dir = join(root, 'candidates', String(++candidates), 'demo');
      cpSync(join(verticalsDir, 'demo'), dir, { recursive: true });
      writeFileSync(join(dir, 'vertical.yaml'), over(`${demoManifest('demo', DEMO_NUMBER, instructions)}storage:\n  schema: ${demoSchema}\n`));
      return dir;
    },
    async close() {
      for (const i of instances) {
        await i.sync.close();
        await i.feed?.close();
        await i.store.close();
      }
      await twilio.close();
      for (const s of [coreSchema, demoSchema, otherSchema]) await store.db.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      await store.db.query('DELETE FROM public.schema_migrations WHERE scope LIKE $1 OR scope LIKE $2', [`%${coreSchema}%`, `%${demoSchema}%`]);
      await store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` holds (a correctness bound, not a timing assertion). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
