/**
 * Post-call analysis figures (a `npm run bench` section; also runnable alone:
 * `npx tsx bench/analysis.ts [--throughput-calls 1000] [--burst 500]`).
 *
 * 1. Heuristic analyses per second with ONE BullMQ worker at concurrency 4: N finished calls of
 *    the salon vertical are published first, then the worker starts and the clock runs until the
 *    last analysis is stored (each job: read the call in one query, analyse, upsert). Target ≥ 200/s.
 * 2. Call-end → analysis-stored latency under a burst: 500 recorded calls are finalised at once
 *    (outbox row in the finalising transaction, relay nudged) while the relay and a worker
 *    (concurrency 4) run; latency is `call_analysis.created_at − calls.ended_at`, both from the
 *    database clock. Target p95 < 2 s.
 * Real Postgres and Redis (DATABASE_URL/REDIS_URL, else the test defaults), throwaway schemas and
 * a unique queue, all removed afterwards.
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import {
  analyseHeuristically, buildProcessor, createBullmqPublisher, createBullmqWorker, startPostCallProcessing, type ManifestSource,
} from '../src/analysis/index.js';
import { loadConfig, type AppConfig } from '../src/config/index.js';
import { loadManifest, type Manifest } from '../src/manifest/index.js';
import { setLogLevel } from '../src/observability/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { registry } from '../tools/index.js';

/** The shapes of bench/types.ts, restated so this file also runs on its own. */
export interface AnalysisBenchContext {
  databaseUrl: string;
  redisUrl: string;
  log(line: string): void;
}
interface Figure { name: string; value: string; ok?: boolean | undefined }
interface SectionResult { heading: string; figures: Figure[]; raw?: unknown }

const THROUGHPUT_TARGET_PER_S = 200;
const LATENCY_P95_TARGET_MS = 2000;
const CONCURRENCY = 4;

const CALLER = ['Hi there', 'I would like to book a haircut with highlights on Friday please', 'Ten works, my name is Dana', 'Perfect, thank you so much!'];
const AGENT = ['Snip Salon, how can I help?', 'Let me check Friday for you.', 'Booked for ten on Friday.', 'See you then.'];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Env {
  store: Store;
  manifest: Manifest;
  catalog: ManifestSource;
  coreSchema: string;
  config: AppConfig;
  close(): Promise<void>;
}

async function openEnv(ctx: AnalysisBenchContext): Promise<Env> {
  const suffix = randomUUID().replace(/-/g, '').slice(0, 10);
  const coreSchema = `bench_an_${suffix}`;
  const here = fileURLToPath(new URL('..', import.meta.url));
  const { vertical } = loadManifest(join(here, 'verticals', 'salon', 'vertical.yaml'), { registry, agentsDir: join(here, 'agents') });
  if (!vertical) throw new Error('bench: the salon manifest does not load');
  const manifest: Manifest = { ...vertical.manifest, storage: { ...vertical.manifest.storage, schema: `bench_anv_${suffix}` } };
  const store = await openStore({ databaseUrl: ctx.databaseUrl, schema: coreSchema, poolSize: 12 });
  await store.migrate();
  await store.migrateVertical(manifest, join(tmpdir(), `bench-no-vertical-${suffix}`));
  const base = loadConfig({ env: {} });
  const config: AppConfig = { ...base, redis: { url: ctx.redisUrl }, openai: { ...base.openai, apiKey: null }, analysis: { concurrency: CONCURRENCY, outboxPollMs: 500 }, log: { level: 'warn' } };
  return {
    store, manifest, coreSchema, config,
    catalog: { get: (id) => (id === manifest.id ? { manifest, version: 'bench' } : undefined), list: () => [{ manifest, version: 'bench' }] },
    async close() {
      try {
        await store.db.query(`DROP SCHEMA IF EXISTS "${manifest.storage.schema}" CASCADE`);
        await store.db.query(`DROP SCHEMA IF EXISTS "${coreSchema}" CASCADE`);
        await store.db.query('DELETE FROM public.schema_migrations WHERE scope LIKE $1', [`%${suffix}%`]);
      } finally {
        await store.close();
      }
    },
  };
}

/** Records a finished-looking salon call (transcript, two tools, a handoff); not finalised. */
async function recordCall(env: Env): Promise<string> {
  const id = randomUUID();
  const { store } = env;
  await store.calls.create({ id, callSid: `CA${id.replace(/-/g, '')}`, vertical: env.manifest.id, manifestVersion: 'bench' });
  for (let i = 0; i < CALLER.length; i++) {
    await store.transcripts.append(id, { role: 'assistant', agent: 'Front Desk', text: AGENT[i]! });
    await store.transcripts.append(id, { role: 'caller', text: CALLER[i]! });
  }
  for (const [n, tool] of ['salon_check_availability', 'salon_book_appointment'].entries()) {
    const key = `${id}:${n}`;
    await store.toolInvocations.begin({ callId: id, toolCallId: `t${n}`, toolName: tool, agent: 'Booking', idempotencyKey: key, arguments: { service: 'Haircut' } });
    await store.toolInvocations.finish(key, { status: 'ok', result: { ok: true }, durationMs: 12 });
  }
  await store.handoffs.record(id, 'Front Desk', 'Booking');
  return id;
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

async function recordCalls(env: Env, n: number): Promise<string[]> {
  const ids: string[] = [];
  await inBatches(Array.from({ length: n }, (_, i) => i), 10, async () => { ids.push(await recordCall(env)); });
  return ids;
}

async function obliterate(ctx: AnalysisBenchContext, queueName: string, prefix: string): Promise<void> {
  const q = new Queue(queueName, { connection: { url: ctx.redisUrl }, prefix });
  await q.obliterate({ force: true });
  await q.close();
}

async function measureThroughput(ctx: AnalysisBenchContext, env: Env, n: number): Promise<{ perSecond: number; elapsedMs: number; cpuMsPerAnalysis: number; n: number }> {
  const suffix = randomUUID().slice(0, 8);
  const settings = { redisUrl: ctx.redisUrl, queueName: `bench-post-call-${suffix}`, prefix: `bench-${suffix}` };
  const ids = await recordCalls(env, n);
  await inBatches(ids, 10, (id) => env.store.calls.finalize(id, { status: 'completed', endReason: 'caller_hangup' }));
  const publisher = createBullmqPublisher(settings);
  try {
    for (let i = 0; i < ids.length; i += 500) await publisher.publish(ids.slice(i, i + 500).map((callId) => ({ callId, vertical: env.manifest.id })));
    // Published here, not by the relay: mark their outbox rows sent as the relay would, or the
    // burst's relay would publish these 1000 calls again ahead of its own.
    await env.store.outbox.markSent(ids);
    const processor = buildProcessor({ config: env.config, store: env.store, catalog: env.catalog });
    let done = 0;
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    const worker = createBullmqWorker(settings, processor, { concurrency: CONCURRENCY, onCompleted: () => { done++; } });
    await eventually(async () => done >= n, 'the throughput run');
    const elapsedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    await worker.close();
    return { perSecond: n / (elapsedMs / 1000), elapsedMs, cpuMsPerAnalysis: (cpu.user + cpu.system) / 1000 / n, n };
  } finally {
    await publisher.close();
    await obliterate(ctx, settings.queueName, settings.prefix);
  }
}

interface BurstResult {
  p50Ms: number; p95Ms: number; maxMs: number; minMs: number; n: number;
  /** Call end → outbox row handed to the queue, and queue → analysis stored. */
  publishedP50Ms: number; publishedP95Ms: number; storedP50Ms: number; storedP95Ms: number;
}

async function measureBurst(ctx: AnalysisBenchContext, env: Env, n: number): Promise<BurstResult> {
  const suffix = randomUUID().slice(0, 8);
  const queueName = `bench-post-call-${suffix}`;
  const prefix = `bench-${suffix}`;
  const ids = await recordCalls(env, n);
  const vdb = env.store.dbForVertical(env.manifest);
  const before = await env.store.analysis.count(vdb);
  const processing = await startPostCallProcessing({ config: env.config, store: env.store, catalog: env.catalog, withWorker: true, queueName, prefix });
  const gatewayStore = await openStore({ databaseUrl: ctx.databaseUrl, schema: env.coreSchema, poolSize: 12 });
  try {
    // Let the worker connect before the burst, as a running worker would be.
    await processing.worker!.waitUntilReady();
    // The calls end on the gateway's own connections, as in a deployment: a shared pool would
    // make the analyses queue behind the burst of finalising transactions.
    await inBatches(ids, 25, async (id) => {
      await gatewayStore.calls.finalize(id, { status: 'completed', endReason: 'caller_hangup' });
      processing.nudge();
    });
    await eventually(async () => (await env.store.analysis.count(vdb)) >= before + n, 'the burst to be analysed');
    const latencies: number[] = [];
    await inBatches(ids, 20, async (id) => {
      const [call, analysis] = await Promise.all([env.store.calls.get(id), env.store.analysis.get(vdb, id)]);
      if (call?.endedAt && analysis) latencies.push(analysis.createdAt.getTime() - call.endedAt.getTime());
    });
    latencies.sort((a, b) => a - b);
    // Where the time goes: call end → handed to the queue (outbox sent_at), then → stored.
    const { rows } = await env.store.db.query<{ published_ms: number; stored_ms: number }>(
      `SELECT extract(epoch FROM (o.sent_at - c.ended_at)) * 1000 AS published_ms,
              extract(epoch FROM (a.created_at - o.sent_at)) * 1000 AS stored_ms
         FROM calls c JOIN post_call_outbox o ON o.call_id = c.id JOIN "${env.manifest.storage.schema}".call_analysis a ON a.call_id = c.id
        WHERE c.id = ANY($1::uuid[])`,
      [ids],
    );
    const published = rows.map((r) => Number(r.published_ms)).sort((a, b) => a - b);
    const stored = rows.map((r) => Number(r.stored_ms)).sort((a, b) => a - b);
    return {
      p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95), maxMs: latencies.at(-1) ?? NaN, minMs: latencies[0] ?? NaN, n: latencies.length,
      publishedP50Ms: percentile(published, 50), publishedP95Ms: percentile(published, 95), storedP50Ms: percentile(stored, 50), storedP95Ms: percentile(stored, 95),
    };
  } finally {
    await processing.close();
    await gatewayStore.close();
    await obliterate(ctx, queueName, prefix);
  }
}

function measureAnalyserCpu(env: Env): number {
  const bundle = {
    call: { id: randomUUID(), vertical: env.manifest.id, manifestVersion: 'bench', status: 'completed' as const, endReason: 'caller_hangup', startedAt: new Date(), endedAt: new Date(), durationMs: 95_000 },
    transcript: CALLER.flatMap((c, i) => [
      { seq: 2 * i + 1, role: 'assistant' as const, agent: 'Front Desk', text: AGENT[i]!, interrupted: false },
      { seq: 2 * i + 2, role: 'caller' as const, agent: null, text: c, interrupted: false },
    ]),
    tools: [{ toolName: 'salon_book_appointment', agent: 'Booking', status: 'ok', arguments: { service: 'Haircut' }, errorCode: null }],
    handoffs: [{ fromAgent: 'Front Desk', toAgent: 'Booking' }],
  };
  const rounds = 2000;
  const started = performance.now();
  for (let i = 0; i < rounds; i++) analyseHeuristically({ bundle, manifest: env.manifest });
  return rounds / ((performance.now() - started) / 1000);
}

export async function runAnalysisBench(ctx: AnalysisBenchContext, options: { throughputCalls?: number; burstCalls?: number } = {}): Promise<SectionResult[]> {
  setLogLevel('warn');
  const throughputCalls = options.throughputCalls ?? 1000;
  const burstCalls = options.burstCalls ?? 500;
  const env = await openEnv(ctx);
  try {
    ctx.log(`analysis: recording ${throughputCalls} calls for the throughput run`);
    const t = await measureThroughput(ctx, env, throughputCalls);
    ctx.log(`analysis: recording ${burstCalls} calls for the burst`);
    const b = await measureBurst(ctx, env, burstCalls);
    const cpu = measureAnalyserCpu(env);
    return [
      {
        heading: `heuristic analyses, one BullMQ worker, concurrency ${CONCURRENCY} (${t.n} salon calls, Postgres + Redis)`,
        figures: [
          { name: 'analyses per second', value: `${t.perSecond.toFixed(0)}/s (target ≥ ${THROUGHPUT_TARGET_PER_S})`, ok: t.perSecond >= THROUGHPUT_TARGET_PER_S },
          { name: 'wall time', value: `${(t.elapsedMs / 1000).toFixed(2)} s` },
          { name: 'worker CPU per analysis', value: `${t.cpuMsPerAnalysis.toFixed(2)} ms (Node side; ≈ ${(1000 / t.cpuMsPerAnalysis).toFixed(0)}/s per free core)` },
          { name: 'machine load (1 min)', value: `${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores` },
          { name: 'analyser alone (CPU, no I/O)', value: `${cpu.toFixed(0)}/s` },
        ],
        raw: { ...t, analyserOnlyPerSecond: cpu },
      },
      {
        heading: `call end → analysis stored, burst of ${burstCalls} calls (relay + worker concurrency ${CONCURRENCY})`,
        figures: [
          { name: 'p50', value: `${b.p50Ms.toFixed(0)} ms` },
          { name: 'p95', value: `${b.p95Ms.toFixed(0)} ms (target < ${LATENCY_P95_TARGET_MS})`, ok: b.p95Ms < LATENCY_P95_TARGET_MS },
          { name: 'min / max', value: `${b.minMs.toFixed(0)} / ${b.maxMs.toFixed(0)} ms` },
          { name: 'of which: end → queued p50 / p95', value: `${b.publishedP50Ms.toFixed(0)} / ${b.publishedP95Ms.toFixed(0)} ms` },
          { name: 'of which: queued → stored p50 / p95', value: `${b.storedP50Ms.toFixed(0)} / ${b.storedP95Ms.toFixed(0)} ms` },
          { name: 'calls measured', value: String(b.n), ok: b.n === burstCalls },
        ],
        raw: b,
      },
    ];
  } finally {
    await env.close();
  }
}

/** For bench/run.ts (a BenchSection). */
export const analysisSection = {
  name: 'analysis',
  title: 'Post-call analysis (BullMQ)',
  run: (ctx: AnalysisBenchContext) => runAnalysisBench(ctx),
};

// Run alone: npx tsx bench/analysis.ts
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string): number | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const ctx: AnalysisBenchContext = {
    databaseUrl: process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: process.env.REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    log: (line) => process.stderr.write(`${line}\n`),
  };
  const tc = arg('throughput-calls');
  const bc = arg('burst');
  runAnalysisBench(ctx, { ...(tc ? { throughputCalls: tc } : {}), ...(bc ? { burstCalls: bc } : {}) }).then((results) => {
    process.stdout.write(`\n== ${analysisSection.title}\n`);
    for (const r of results) {
      process.stdout.write(`\n  ${r.heading}\n`);
      const width = Math.max(...r.figures.map((f) => f.name.length));
      for (const f of r.figures) process.stdout.write(`    ${f.name.padEnd(width)}  ${f.value}${f.ok === undefined ? '' : f.ok ? '  ✓' : '  ✗ target missed'}\n`);
    }
  }, (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
