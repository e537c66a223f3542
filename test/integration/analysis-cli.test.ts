/**
 * The analysis CLI on real Postgres and Redis: `switchboard worker` analyses calls until stopped,
 * the `calls show` analysis section reads it back, `jobs failed` lists a failure and `jobs retry`
 * re-runs it.
 */
import { tmpdir } from 'node:os';
import { Queue } from 'bullmq';
import { buildProgram } from '../../src/cli/main.js';
import type { CliIo, CliRun } from '../../src/cli/context.js';
import { makeJobsCommand } from '../../src/cli/commands/jobs.js';
import { makeWorkerCommand } from '../../src/cli/commands/worker.js';
import { makeCallAnalysisSection } from '../../src/cli/commands/callAnalysis.js';
import { openStore } from '../../src/store/index.js';
import {
  TEST_DATABASE_URL, TEST_REDIS_URL, endedCall, eventually, openAnalysisEnv, testConfig, uniqueSuffix, type AnalysisTestEnv,
} from './analysis.helpers.js';

let env: AnalysisTestEnv;
const suffix = uniqueSuffix();
const queue = { queueName: `post-call-${suffix}`, prefix: `sbtest-${suffix}` };

beforeAll(async () => { env = await openAnalysisEnv(); });
afterAll(async () => {
  const q = new Queue(queue.queueName, { connection: { url: TEST_REDIS_URL }, prefix: queue.prefix });
  await q.obliterate({ force: true });
  await q.close();
  await env.close();
});

function cli() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const run: CliRun = { io, exitCode: 0 };
  const config = () => ({ ...testConfig({ redisUrl: TEST_REDIS_URL }), database: { url: TEST_DATABASE_URL, poolSize: 4 } });
  let stop: (reason: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => { stop = resolve; });
  const program = buildProgram(run, [
    makeWorkerCommand({
      config,
      openStore: (o) => openStore({ ...o, schema: env.coreSchema }),
      loadCatalog: async () => ({ ...env.catalog, get: (id: string) => env.catalog.get(id), list: () => env.catalog.list().map((v) => ({ ...v, dir: tmpdir() })) }),
      stopSignal: () => stopped,
      onReloadRequest: () => () => undefined,
      tuning: { ...queue, retry: { attempts: 2, backoffMs: 20 } },
    }),
    makeJobsCommand({ config, openStore: (o) => openStore({ ...o, schema: env.coreSchema }), queue }),
  ]);
  return { run, out, err, stop, exec: (...args: string[]) => program.parseAsync(['node', 'switchboard', ...args]) };
}

it('runs the worker until stopped, shows the analysis, and lists and retries failed jobs', async () => {
  const worker = cli();
  const running = worker.exec('worker', '--concurrency', '2');
  try {
    const callId = await endedCall(env);
    await eventually(() => env.store.analysis.get(env.store.dbForVertical(env.manifest), callId).then((r) => r ?? undefined), 'the worker to analyse the call');

    const section = makeCallAnalysisSection({ manifestFor: async (id) => env.catalog.get(id)?.manifest });
    const shown = await section.load(env.store, { call: { id: callId, vertical: env.manifest.id } });
    expect(shown?.json).toMatchObject({ intent: 'book', leadScore: 70, analyser: 'heuristic', isShort: false, revision: 1 });
    expect(shown?.text).toMatch(/Lead score: 70\/100\n\s+\+50 {2}Booked/);
    const pending = await section.load(env.store, { call: { id: '00000000-0000-4000-8000-000000000000', vertical: env.manifest.id } });
    expect(pending).toEqual({ text: '  Analysis: pending (no analysis stored yet)', json: null });

    env.catalog.manifests.delete(env.manifest.id);
    const failing = await endedCall(env);
    const listed = await eventually(async () => {
      const c = cli();
      await c.exec('jobs', 'failed', '--json');
      const l = JSON.parse(c.out.join('\n')) as { source: string; jobs: Array<{ id: string; reason: string }> };
      return l.jobs.length > 0 ? l : undefined;
    }, 'the failed job');
    expect(listed.source).toBe('redis');
    expect(listed.jobs[0]).toMatchObject({ id: failing, reason: expect.stringMatching(/^ANALYSIS_UNKNOWN_VERTICAL/) });
    const human = cli();
    await human.exec('jobs', 'failed');
    expect(human.out.join('\n')).toContain(`${failing}  ${env.manifest.id}`);

    env.catalog.manifests.set(env.manifest.id, env.manifest);
    const retry = cli();
    await retry.exec('jobs', 'retry', failing);
    expect([retry.run.exitCode, retry.out]).toEqual([0, [`job ${failing} is queued again`]]);
    await eventually(() => env.store.analysis.get(env.store.dbForVertical(env.manifest), failing).then((r) => r ?? undefined), 'the retried analysis');
    const again = cli();
    await again.exec('jobs', 'retry', failing);
    expect(again.run.exitCode).toBe(1);
  } finally {
    env.catalog.manifests.set(env.manifest.id, env.manifest);
    worker.stop('SIGTERM');
    await running;
  }
  expect(worker.run.exitCode).toBe(0);
  expect(worker.out.at(-1)).toBe('stopping (SIGTERM) after the running jobs');
});

it('refuses to start the worker without Redis', async () => {
  const c = cli();
  const program = buildProgram(c.run, [makeWorkerCommand({
    config: () => testConfig({ redisUrl: null }), openStore, loadCatalog: async () => ({ get: () => undefined, list: () => [] }),
    stopSignal: () => new Promise(() => undefined), onReloadRequest: () => () => undefined,
  })]);
  await program.parseAsync(['node', 'switchboard', 'worker']);
  expect(c.run.exitCode).toBe(2);
  expect(c.err.join('\n')).toMatch(/REDIS_URL is not set/);
});
