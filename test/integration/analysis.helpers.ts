/**
 * Set-up shared by the post-call analysis integration tests: a store on the real test Postgres
 * with throwaway core and vertical schemas, a test vertical, a catalog-shaped manifest source,
 * finished calls written through the store's repositories, a unique BullMQ queue name and key
 * prefix per test, and a throwaway redis-server the test may stop and start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '../../src/config/index.js';
import { manifestSchema, type Manifest } from '../../src/manifest/schema.js';
import { openStore, type Store } from '../../src/store/index.js';
import type { ManifestSource } from '../../src/analysis/index.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const uniqueSuffix = (): string => randomUUID().replace(/-/g, '').slice(0, 10);

export function analysisManifest(id: string, schema: string, analysis: Record<string, unknown> = {}): Manifest {
  return manifestSchema.parse({
    id,
    name: 'Test Salon',
    languages: { default: 'en', supported: [{ code: 'en', voice: 'alloy' }] },
    greeting: 'Hello.',
    entryAgent: 'Front Desk',
    agents: [
      { name: 'Front Desk', description: 'desk', instructions: 'Help.', handoffs: ['Booking'] },
      { name: 'Booking', description: 'books', instructions: 'Book.', tools: ['salon_book_appointment'] },
    ],
    storage: { schema },
    analysis: {
      analyser: 'heuristic',
      minCallerTurns: 2,
      fields: [
        { name: 'service_requested', type: 'string', description: 'Service asked for.' },
        { name: 'topics', type: 'string[]', description: 'Topics.', keywords: { color: ['highlights', 'color'] } },
      ],
      intents: [{ name: 'book', tools: ['salon_book_appointment'], agents: ['Booking'], keywords: ['book'] }],
      leadScore: { base: 20, rubric: [{ reason: 'Booked', points: 50, when: { toolSucceeded: 'salon_book_appointment' } }] },
      ...analysis,
    },
  });
}

/** The manifest version recorded on test calls unless a test says otherwise. */
export const TEST_VERSION = 'test';

/** A catalog stand-in whose verticals (and their versions) the test can add, change and remove. */
export class TestCatalog extends EventEmitter<{ 'catalog.swapped': [] }> implements ManifestSource {
  readonly manifests = new Map<string, Manifest>();
  /** Version by vertical id; TEST_VERSION when unset. */
  readonly versions = new Map<string, string>();
  constructor(...manifests: Manifest[]) {
    super();
    for (const m of manifests) this.manifests.set(m.id, m);
  }
  /** A reload that put `version` of this manifest into service, as the catalog announces it. */
  swap(manifest: Manifest, version: string): void {
    this.manifests.set(manifest.id, manifest);
    this.versions.set(manifest.id, version);
    this.emit('catalog.swapped');
  }
  get(id: string) {
    const manifest = this.manifests.get(id);
    return manifest ? { manifest, version: this.versions.get(id) ?? TEST_VERSION } : undefined;
  }
  list() {
    return [...this.manifests.values()].map((manifest) => ({ manifest, version: this.versions.get(manifest.id) ?? TEST_VERSION }));
  }
}

export interface AnalysisTestEnv {
  store: Store;
  manifest: Manifest;
  catalog: TestCatalog;
  coreSchema: string;
  close(): Promise<void>;
}

export async function openAnalysisEnv(analysis: Record<string, unknown> = {}): Promise<AnalysisTestEnv> {
  const suffix = uniqueSuffix();
  const coreSchema = `t_an_${suffix}`;
  const manifest = analysisManifest(`an-${suffix}`, `t_anv_${suffix}`, analysis);
  const store = await openStore({ databaseUrl: TEST_DATABASE_URL, schema: coreSchema, poolSize: 6 });
  await store.migrate();
  // No vertical-specific migrations: only the framework's (call_analysis) run.
  await store.migrateVertical(manifest, join(tmpdir(), `no-vertical-${suffix}`));
  return {
    store, manifest, coreSchema, catalog: new TestCatalog(manifest),
    async close() {
      try {
        await store.db.query(`DROP SCHEMA IF EXISTS "${manifest.storage.schema}" CASCADE`);
        await store.db.query(`DROP SCHEMA IF EXISTS "${coreSchema}" CASCADE`);
        await store.db.query('DELETE FROM public.schema_migrations WHERE scope = ANY($1)', [[`core:${coreSchema}`, `vertical:${manifest.id}:${manifest.storage.schema}`]]);
      } finally {
        await store.close();
      }
    },
  };
}

export interface CallSpec {
  caller?: string[];
  assistant?: string[];
  tools?: Array<{ name: string; status?: 'ok' | 'error'; arguments?: Record<string, unknown> }>;
  handoffs?: Array<[string, string]>;
  status?: 'completed' | 'failed';
  endReason?: string;
  /** The manifest version the call ran on (default TEST_VERSION). */
  manifestVersion?: string;
}

export const BOOKING_CALL: CallSpec = {
  caller: ['Hi there', 'I would like to book highlights on Friday please', 'Perfect, thank you!'],
  assistant: ['Test Salon, how can I help?', 'Friday at ten is free. Booked.', 'See you then.'],
  tools: [{ name: 'salon_book_appointment', arguments: { service_requested: 'Highlights' } }],
  handoffs: [['Front Desk', 'Booking']],
};

/** Writes a call the way the runtime does (create, transcript, tools, handoffs); it is not finalised. */
export async function recordCall(env: AnalysisTestEnv, spec: CallSpec = BOOKING_CALL): Promise<string> {
  const id = randomUUID();
  const { store } = env;
  await store.calls.create({ id, callSid: `CA${id.replace(/-/g, '')}`, vertical: env.manifest.id, manifestVersion: spec.manifestVersion ?? TEST_VERSION, from: '+14155550100', to: '+14155550199' });
  const caller = spec.caller ?? [];
  const assistant = spec.assistant ?? [];
  for (let i = 0; i < Math.max(caller.length, assistant.length); i++) {
    if (assistant[i]) await store.transcripts.append(id, { role: 'assistant', agent: 'Front Desk', text: assistant[i]! });
    if (caller[i]) await store.transcripts.append(id, { role: 'caller', text: caller[i]! });
  }
  for (const [n, t] of (spec.tools ?? []).entries()) {
    const key = `${id}:tc${n}`;
    await store.toolInvocations.begin({ callId: id, toolCallId: `tc${n}`, toolName: t.name, agent: 'Booking', idempotencyKey: key, arguments: t.arguments ?? {} });
    await store.toolInvocations.finish(key, { status: t.status ?? 'ok', result: { ok: true }, durationMs: 5 });
  }
  for (const [from, to] of spec.handoffs ?? []) await store.handoffs.record(id, from, to);
  return id;
}

export async function finalizeCall(env: AnalysisTestEnv, id: string, spec: CallSpec = BOOKING_CALL): Promise<void> {
  const done = await env.store.calls.finalize(id, { status: spec.status ?? 'completed', endReason: spec.endReason ?? 'caller_hangup' });
  if (!done) throw new Error(`call ${id} was not finalised`);
}

export async function endedCall(env: AnalysisTestEnv, spec: CallSpec = BOOKING_CALL): Promise<string> {
  const id = await recordCall(env, spec);
  await finalizeCall(env, id, spec);
  return id;
}

export function testConfig(overrides: { redisUrl?: string | null; openAiKey?: string; openAiBaseUrl?: string; concurrency?: number; pollMs?: number } = {}): AppConfig {
  const base = loadConfig({ env: {} });
  return {
    ...base,
    redis: { url: overrides.redisUrl ?? null },
    openai: { ...base.openai, apiKey: overrides.openAiKey ?? null, ...(overrides.openAiBaseUrl ? { apiBaseUrl: overrides.openAiBaseUrl } : {}) },
    analysis: { concurrency: overrides.concurrency ?? 4, outboxPollMs: overrides.pollMs ?? 50 },
    log: { level: 'silent' },
  };
}

/** Polls `check` until it returns a value that is not undefined/false (10 s ceiling, a correctness bound, not a timing assertion). */
export async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/** A redis-server of the test's own on a free port (never the machine's shared one), stoppable and restartable. */
export class ThrowawayRedis {
  private child: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  static async start(): Promise<ThrowawayRedis> {
    const r = new ThrowawayRedis(await freePort());
    await r.startServer();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async startServer(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await eventually(() => ping(this.port), `redis-server on port ${this.port}`);
  }

  /** Kills the server (SIGKILL: as abrupt as a crash) and waits until the port refuses. */
  async stopServer(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGKILL'); });
  }
}
