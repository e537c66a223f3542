/**
 * Post-call analysis on real Postgres and the shared test Redis (BullMQ), each test with its own
 * queue name, Redis key prefix and schemas.
 */
import { randomUUID } from 'node:crypto';
import { Queue, type Worker } from 'bullmq';
import {
  createBullmqPublisher, createBullmqWorker, heuristicAnalyser, listFailedJobs, openPostCallQueue, retryFailedJob,
  startPostCallProcessing, buildProcessor, type Analyser, type BullmqSettings, type PostCallProcessing,
} from '../../src/analysis/index.js';
import {
  BOOKING_CALL, TEST_REDIS_URL, endedCall, eventually, openAnalysisEnv, testConfig, uniqueSuffix, type AnalysisTestEnv,
} from './analysis.helpers.js';

let env: AnalysisTestEnv;
let settings: BullmqSettings;
const toClose: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  env = await openAnalysisEnv();
  const suffix = uniqueSuffix();
  settings = { redisUrl: TEST_REDIS_URL, queueName: `post-call-${suffix}`, prefix: `sbtest-${suffix}`, retry: { attempts: 3, backoffMs: 50 } };
});

afterEach(async () => {
  for (const close of toClose.splice(0).reverse()) await close();
  const queue = new Queue(settings.queueName!, { connection: { url: TEST_REDIS_URL }, prefix: settings.prefix! });
  await queue.obliterate({ force: true });
  await queue.close();
  await env.close();
});

const vdb = () => env.store.dbForVertical(env.manifest);
const analysisOf = (callId: string) => env.store.analysis.get(vdb(), callId);

async function start(options: { withWorker?: boolean; analysers?: { heuristic: Analyser; openai?: Analyser } } = {}): Promise<PostCallProcessing> {
  const processing = await startPostCallProcessing({
    config: testConfig({ redisUrl: TEST_REDIS_URL }), store: env.store, catalog: env.catalog,
    withWorker: options.withWorker ?? true, queueName: settings.queueName!, prefix: settings.prefix!, retry: settings.retry!,
    ...(options.analysers ? { analysers: options.analysers } : {}),
  });
  toClose.push(() => processing.close());
  return processing;
}

describe('post-call analysis on BullMQ', () => {
  it('analyses a finalised call: the analysis row appears, and the job carries ids only', async () => {
    const processing = await start();
    expect(processing.mode).toBe('bullmq');
    const callId = await endedCall(env);
    processing.nudge();
    const a = await eventually(() => analysisOf(callId).then((r) => r ?? undefined), 'the analysis row');
    expect(a).toMatchObject({
      callId, intent: 'book', analyser: 'heuristic', isShort: false, revision: 1, leadScore: 70,
      leadReasons: [{ reason: 'Booked', points: 50 }],
      fields: { service_requested: 'Highlights', topics: ['color'] },
      sentiment: { label: 'positive' },
    });
    expect(a.summary).toContain('I would like to book highlights on Friday please');
    const queue = openPostCallQueue(settings);
    toClose.push(() => queue.close());
    const job = await queue.getJob(callId);
    expect(job?.data).toEqual({ callId, vertical: env.manifest.id });
    expect(JSON.stringify(job?.data)).not.toContain('+1415');
    expect(await env.store.outbox.pending()).toEqual([]);
  });

  it('writes a short record for a call with fewer caller turns than the minimum, and analyses failed calls', async () => {
    const processing = await start();
    const short = await endedCall(env, { caller: ['Hello?'], status: 'failed', endReason: 'model_error' });
    const failed = await endedCall(env, { ...BOOKING_CALL, status: 'failed', endReason: 'model_error' });
    processing.nudge();
    const s = await eventually(() => analysisOf(short).then((r) => r ?? undefined), 'the short record');
    expect(s).toMatchObject({ isShort: true, intent: 'unknown', leadScore: 0, fields: { service_requested: null, topics: [] } });
    expect(s.summary).toMatch(/^Short call: 1 caller turn \(fewer than 2\); it failed \(model error\)/);
    const f = await eventually(() => analysisOf(failed).then((r) => r ?? undefined), 'the failed call analysis');
    expect(f).toMatchObject({ isShort: false, intent: 'book' });
    expect(f.summary).toContain('The call failed (model error)');
  });

  it('gives one job and one row for a duplicate publish', async () => {
    const publisher = createBullmqPublisher(settings);
    toClose.push(() => publisher.close());
    const callId = await endedCall(env);
    const job = { callId, vertical: env.manifest.id };
    await publisher.publish([job, job]);
    await publisher.publish([job]);
    const processor = buildProcessor({ config: testConfig(), store: env.store, catalog: env.catalog });
    let runs = 0;
    const worker = createBullmqWorker(settings, (j, t, s) => { runs++; return processor(j, t, s); }, { concurrency: 2 });
    toClose.push(() => worker.close());
    await eventually(() => analysisOf(callId).then((r) => r ?? undefined), 'the analysis row');
    await publisher.publish([job]); // a late duplicate after completion is still the same job
    await eventually(async () => (await publisher.queue.getJobCounts('completed')).completed === 1, 'one completed job');
    expect(runs).toBe(1);
    expect((await analysisOf(callId))?.revision).toBe(1);
    expect(await env.store.analysis.count(vdb())).toBe(1);
  });

  it('re-running a job updates the same row', async () => {
    const processor = buildProcessor({ config: testConfig(), store: env.store, catalog: env.catalog });
    const callId = await endedCall(env);
    const first = await processor({ id: callId, data: { callId, vertical: env.manifest.id } });
    const second = await processor({ id: callId, data: { callId, vertical: env.manifest.id } });
    expect([first.revision, second.revision]).toEqual([1, 2]);
    expect(await env.store.analysis.count(vdb())).toBe(1);
  });

  it('fails invalid input at once as unrecoverable, lists it, and re-runs it on retry', async () => {
    env.catalog.manifests.delete(env.manifest.id); // the vertical is not loaded: the job cannot run
    const processing = await start();
    const callId = await endedCall(env);
    processing.nudge();
    const deps = { config: { redis: { url: TEST_REDIS_URL } }, store: env.store, queueName: settings.queueName!, prefix: settings.prefix! };
    const listing = await eventually(async () => {
      const l = await listFailedJobs(deps);
      return l.jobs.length > 0 ? l : undefined;
    }, 'the failed job');
    expect(listing.source).toBe('redis');
    expect(listing.jobs).toEqual([expect.objectContaining({
      id: callId, callId, vertical: env.manifest.id, attemptsMade: 1,
      reason: `ANALYSIS_UNKNOWN_VERTICAL: vertical ${env.manifest.id} is not loaded`,
    })]);
    await eventually(() => env.store.analysis.jobFailure(callId).then((f) => f ?? undefined), 'the failure recorded in Postgres');

    env.catalog.manifests.set(env.manifest.id, env.manifest);
    expect(await retryFailedJob(deps, callId)).toEqual({ kind: 'retried', message: `job ${callId} is queued again` });
    await eventually(() => analysisOf(callId).then((r) => r ?? undefined), 'the analysis after retry');
    expect(await env.store.analysis.jobFailure(callId)).toBeNull();
    expect((await listFailedJobs(deps)).jobs).toEqual([]);
    expect((await retryFailedJob(deps, callId)).kind).toBe('refused');
  });

  it('rejects a payload that is not ids-only as unrecoverable', async () => {
    const processing = await start();
    void processing;
    const queue = openPostCallQueue(settings, 'producer');
    toClose.push(() => queue.close());
    await queue.add('analyse-call', { callId: randomUUID(), vertical: env.manifest.id, transcript: 'secret' }, { jobId: 'bad-payload' });
    await eventually(async () => (await queue.getJobState('bad-payload')) === 'failed', 'the bad job to fail');
    const job = (await queue.getJob('bad-payload'))!;
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/^ANALYSIS_BAD_PAYLOAD: /);
  });

  it('retries a job whose worker was killed mid-job, leaving one row', async () => {
    let startedInA = 0;
    // Worker A's analyser never finishes: the worker is then force-closed, as if its process died.
    const hanging: Analyser = { name: 'heuristic', analyse: () => { startedInA++; return new Promise(() => undefined); } };
    const lockSettings = { concurrency: 1, lockDurationMs: 800, stalledIntervalMs: 300 };
    const processorA = buildProcessor({ config: testConfig(), store: env.store, catalog: env.catalog, analysers: { heuristic: hanging } });
    const workerA: Worker = createBullmqWorker(settings, processorA, lockSettings);
    const publisher = createBullmqPublisher(settings);
    toClose.push(() => publisher.close());
    const callId = await endedCall(env);
    await publisher.publish([{ callId, vertical: env.manifest.id }]);
    await eventually(async () => startedInA === 1, 'worker A to take the job');
    await workerA.close(true);
    expect(await (await publisher.queue.getJob(callId))?.getState()).toBe('active');

    const processorB = buildProcessor({ config: testConfig(), store: env.store, catalog: env.catalog, analysers: { heuristic: heuristicAnalyser } });
    const workerB = createBullmqWorker(settings, processorB, lockSettings);
    toClose.push(() => workerB.close());
    const a = await eventually(() => analysisOf(callId).then((r) => r ?? undefined), 'the analysis by worker B');
    expect(a.revision).toBe(1);
    const job = await publisher.queue.getJob(callId);
    expect(await job?.getState()).toBe('completed');
    expect(job?.attemptsStarted).toBeGreaterThanOrEqual(2);
    expect(await env.store.analysis.count(vdb())).toBe(1);
  });
});
