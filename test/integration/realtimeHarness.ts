/**
 * A whole gateway for the realtime tests, every part real: Postgres (a throwaway schema), a
 * catalog compiled from a test vertical with test tools, the emulator on loopback playing
 * scripted scenarios, the fake Twilio REST API behind the real call-control client, the
 * CallManager, and the gateway's Twilio routes and Media Streams socket.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { setTracingDisabled } from '@openai/agents';
import { createCatalog, type Catalog } from '../../src/catalog/index.js';
import { loadConfig } from '../../src/config/index.js';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/engines/emulator/index.js';
import { createEngineSelector } from '../../src/engines/select.js';
import type { ModelAudio } from '../../src/engines/modelSession.js';
import { CallManager, type CallSessionOptions } from '../../src/realtime/index.js';
import { parseScenario, type Scenario } from '../../src/scenarios/index.js';
import { createGateway, type Gateway } from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createTwilioCarrier, type Carrier } from '../../src/telephony/index.js';
import { createRegistry, defineTool, ToolError } from '../../src/toolkit/index.js';
import { startFakeTwilioApi, type FakeTwilioApi } from '../fakes/index.js';
import { commonTools } from '../../tools/common/index.js';
import { buildProgram } from '../../src/cli/main.js';
import type { CliIo, CliRun } from '../../src/cli/context.js';
import { makeCallsCommand } from '../../src/cli/commands/calls.js';
import { randomSchema, TEST_DATABASE_URL } from './storeSuite.js';
import { startModelProxy, type ModelProxy } from './modelProxy.js';

export const RT_NUMBER = '+15550109999';
export const HUMAN_NUMBER = '+15550108888';
const ACCOUNT_SID = 'AC' + 'a'.repeat(32);
const AUTH_TOKEN = 'test-token';

/** How long the slow tool takes (long enough to hang up during it). */
export const SLOW_TOOL_MS = 4000;

export const testTools = [
  defineTool({
    name: 'rt_lookup',
    description: 'Looks up the opening hours.',
    input: z.object({ day: z.string() }),
    output: z.object({ hours: z.string() }),
    idempotent: true,
    execute: async ({ day }) => ({ hours: day === 'sunday' ? 'closed' : '9 to 5' }),
  }),
  defineTool({
    name: 'rt_slow',
    description: 'A slow back-office check.',
    input: z.object({ ref: z.string() }),
    output: z.object({ ok: z.boolean() }),
    idempotent: false,
    timeoutMs: 20_000,
    execute: async (_input, ctx) => {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, SLOW_TOOL_MS);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          reject(new ToolError('CANCELLED', 'cancelled'));
        }, { once: true });
      });
      return { ok: true };
    },
  }),
];

export interface ManifestOverrides {
  limits?: string;
  fallback?: string;
  turnDetection?: string;
  /** A `webhooks:` block (the call path records the events its webhooks hear). */
  webhooks?: string;
  /** The Front Desk agent's tools (a YAML flow list's inside). */
  tools?: string;
  /** More top-level YAML (e.g. `transfer:` / `recording:` blocks). */
  extra?: string;
  /** More keys of the Billing agent (e.g. `    engine: cascade`). */
  billing?: string;
}

export function rtManifest(o: ManifestOverrides = {}): string {
  return [
    'id: rt',
    'name: Realtime test line',
    `numbers: ["${RT_NUMBER}"]`,
    'languages:',
    '  default: en',
    '  supported: [{ code: en, voice: alloy }]',
    'greeting: Hello, thanks for calling the test line.',
    'entryAgent: Front Desk',
    'agents:',
    '  - name: Front Desk',
    '    description: Answers every call.',
    '    instructions: Be helpful.',
    `    tools: [${o.tools ?? 'rt_lookup, rt_slow, end_call, transfer_to_human'}]`,
    '    handoffs: [Billing]',
    '  - name: Billing',
    '    description: Billing questions.',
    '    instructions: Talk about bills.',
    '    handoffs: [Front Desk]',
    o.billing ?? '',
    o.turnDetection ?? 'turnDetection: { type: server_vad, threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500, interruptResponse: true }',
    o.limits ?? '',
    o.fallback ?? `fallback: { message: One moment please., retries: 1, humanNumber: "${HUMAN_NUMBER}" }`,
    o.webhooks ?? '',
    o.extra ?? '',
    '',
  ].join('\n');
}

export function rtScenario(name: string, yaml: string): Scenario {
  return parseScenario(yaml, { vertical: 'rt', name });
}

export interface HarnessOptions {
  manifest?: ManifestOverrides;
  scenarios?: Scenario[];
  audio?: ModelAudio;
  session?: Partial<CallSessionOptions>;
  /** Carriers served beside Twilio (each with its own call services). */
  carriers?: readonly Carrier[];
  /** Emulator options beyond the scenarios and pacing (e.g. its session lifetime cap). */
  emulator?: Pick<EmulatorOptions, 'maxSessionMs'>;
}

export interface Harness {
  store: Store;
  catalog: Catalog;
  emulator: RunningEmulator;
  /** Between the gateway and the emulator: records both directions, can kill connections. */
  proxy: ModelProxy;
  twilio: FakeTwilioApi;
  manager: CallManager;
  gateway: Gateway;
  baseUrl: string;
  /** Restarts a closed emulator on the same port. */
  restartEmulator(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  setTracingDisabled(true);
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-rt-'));
  mkdirSync(join(dir, 'verticals', 'rt'), { recursive: true });
  mkdirSync(join(dir, 'agents'));
  writeFileSync(join(dir, 'verticals', 'rt', 'vertical.yaml'), rtManifest(options.manifest));
  const registry = createRegistry([...testTools, ...commonTools]);
  const catalog = createCatalog({ verticalsDir: join(dir, 'verticals'), agentsDir: join(dir, 'agents'), registry, cwd: dir });

  const schema = randomSchema('rt');
  const store = await openStore({ databaseUrl: TEST_DATABASE_URL, schema, poolSize: 4 });
  await store.migrate();

  const scenarios = options.scenarios ?? [];
  let emulator = await startEmulator({ scenarios, pacing: { speed: 4 }, ...options.emulator });
  const emulatorPort = emulator.port;
  const twilio = await startFakeTwilioApi({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  // The test phone is unsigned; call control authenticates to the fake REST API.
  const carrier = createTwilioCarrier({
    publicUrl: 'http://127.0.0.1:1', accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: twilio.url, checkSignatures: false, rest: { retries: 0, timeoutMs: 2000 },
  });
  const config = loadConfig({ env: { SWITCHBOARD_ENGINE: 'emulator' } });
  const proxy = await startModelProxy(() => emulator.url);
  const engines = createEngineSelector({ config, emulatorUrl: proxy.url, ...(options.audio ? { audio: options.audio } : {}) });
  const manager = new CallManager({
    store, engines, carriers: [carrier, ...(options.carriers ?? [])], resolveVertical: (id) => catalog.get(id),
    session: { endGraceMs: 300, connectTimeoutMs: 2000, ...options.session },
  });
  const gateway = createGateway({ catalog, handler: manager, carriers: [carrier, ...(options.carriers ?? [])], engine: 'emulator' });
  const { port } = await gateway.listen(0, '127.0.0.1');

  return {
    store, catalog, get emulator() { return emulator; }, proxy, twilio, manager, gateway,
    baseUrl: `http://127.0.0.1:${port}`,
    async restartEmulator() {
      emulator = await startEmulator({ scenarios, pacing: { speed: 4 }, port: emulatorPort, ...options.emulator });
    },
    async close() {
      await gateway.close('test over');
      await proxy.close();
      await emulator.close().catch(() => undefined);
      await twilio.close();
      await store.db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await store.db.query(`DELETE FROM public.schema_migrations WHERE scope LIKE $1`, [`%${schema}%`]);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `fn` returns a truthy value. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `switchboard calls show <id>` over the harness's store (which the command must not close). */
export async function callsShow(store: Store, id: string): Promise<string> {
  const out: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => out.push(t) };
  const run: CliRun = { io, exitCode: 0 };
  const shared = new Proxy(store, { get: (t, p) => (p === 'close' ? async () => undefined : Reflect.get(t, p)) });
  await buildProgram(run, [makeCallsCommand({ storeOptions: () => ({}), openStore: async () => shared })]).parseAsync(['node', 'switchboard', 'calls', 'show', id]);
  return out.join('\n');
}
