/**
 * Post-call analysis with no Redis configured (the in-process queue inside the gateway), on real
 * Postgres; and the OpenAI analyser end to end against the local fake of the OpenAI API.
 */
import { listFailedJobs, retryFailedJob, startPostCallProcessing, type PostCallProcessing, type StartPostCallOptions } from '../../src/analysis/index.js';
import { startFakeOpenAiApi, type FakeOpenAiApi } from '../fakes/openaiApi.js';
import {
  BOOKING_CALL, endedCall, eventually, openAnalysisEnv, recordCall, finalizeCall, testConfig, type AnalysisTestEnv,
} from './analysis.helpers.js';

let env: AnalysisTestEnv;
let processing: PostCallProcessing | null = null;

afterEach(async () => {
  await processing?.close();
  processing = null;
  await env.close();
});

const vdb = () => env.store.dbForVertical(env.manifest);
const analysisOf = (callId: string) => env.store.analysis.get(vdb(), callId);
const rowOf = (callId: string) => eventually(() => analysisOf(callId).then((r) => r ?? undefined), `the analysis of ${callId}`);

async function start(extra: Partial<StartPostCallOptions> = {}): Promise<PostCallProcessing> {
  processing = await startPostCallProcessing({
    config: testConfig(), store: env.store, catalog: env.catalog, retry: { attempts: 3, backoffMs: 20 }, ...extra,
  });
  return processing;
}

describe('in-process post-call processing (no Redis)', () => {
  beforeEach(async () => { env = await openAnalysisEnv(); });

  it('analyses finalised calls inside the process', async () => {
    const p = await start();
    expect(p.mode).toBe('in-process');
    const ids = [await endedCall(env), await endedCall(env)];
    p.nudge();
    for (const id of ids) expect(await rowOf(id)).toMatchObject({ intent: 'book', revision: 1 });
    expect(p.queue!.counts().completed).toBe(2);
  });

  it('re-queues at start-up what a previous run published but never analysed, and publishes unsent rows', async () => {
    const lost = await endedCall(env);
    await env.store.outbox.markSent([lost]); // handed to a queue that then died with the process
    const unsent = await endedCall(env);
    await start();
    expect((await rowOf(lost)).revision).toBe(1);
    expect((await rowOf(unsent)).revision).toBe(1);
  });

  it('records a final failure in Postgres, lists it, and a retry runs it again through the outbox', async () => {
    env.catalog.manifests.delete(env.manifest.id);
    const p = await start();
    const callId = await endedCall(env);
    p.nudge();
    const deps = { config: { redis: { url: null } }, store: env.store };
    const listing = await eventually(async () => {
      const l = await listFailedJobs(deps);
      return l.jobs.length > 0 ? l : undefined;
    }, 'the failure');
    expect(listing.source).toBe('postgres');
    expect(listing.jobs).toEqual([expect.objectContaining({ callId, vertical: env.manifest.id, reason: expect.stringMatching(/^ANALYSIS_UNKNOWN_VERTICAL/) })]);
    expect(p.queue!.getFailed()).toHaveLength(1);

    env.catalog.manifests.set(env.manifest.id, env.manifest);
    expect((await retryFailedJob(deps, callId)).kind).toBe('requeued');
    expect((await rowOf(callId)).revision).toBe(1);
    expect((await listFailedJobs(deps)).jobs).toEqual([]);
  });
});

describe('a failure recorded before the relay marks the row sent', () => {
  beforeEach(async () => { env = await openAnalysisEnv(); });

  it('is kept (an in-process job can fail before the relay has marked its row)', async () => {
    const callId = await endedCall(env);
    await env.store.analysis.recordJobFailure(callId, 'ANALYSIS_UNKNOWN_VERTICAL: gone');
    await env.store.outbox.markSent([callId]);
    expect(await env.store.analysis.jobFailure(callId)).toBe('ANALYSIS_UNKNOWN_VERTICAL: gone');
    expect((await env.store.outbox.pending()).map((r) => r.callId)).not.toContain(callId);
  });
});

describe('openai analyser end to end against the fake API', () => {
  let fake: FakeOpenAiApi;
  const reply = {
    summary: 'A caller booked highlights for Friday.',
    sentiment: { label: 'positive', score: 0.7 },
    intent: 'book',
    fields: { service_requested: 'Highlights', topics: ['color'] },
  };

  beforeEach(async () => {
    env = await openAnalysisEnv({ analyser: 'openai' });
    fake = await startFakeOpenAiApi();
    fake.expect({
      model: 'gpt-4o-mini',
      fieldNames: ['service_requested', 'topics'],
      inputIncludes: BOOKING_CALL.caller!.map((line) => `Caller: ${line}`),
    });
  });
  afterEach(async () => { await fake.close(); });

  const withKey = () => ({ config: testConfig({ openAiKey: 'sk-test', openAiBaseUrl: fake.baseUrl }) });

  it('retries a malformed reply and stores the next good one', async () => {
    fake.script({ kind: 'malformed' }, { kind: 'json', content: reply });
    const p = await start(withKey());
    const callId = await endedCall(env);
    p.nudge();
    const a = await rowOf(callId);
    expect(a).toMatchObject({
      analyser: 'openai', model: 'gpt-4o-mini', summary: reply.summary, intent: 'book', sentiment: reply.sentiment,
      fields: reply.fields, leadScore: 70, leadReasons: [{ reason: 'Booked', points: 50 }], revision: 1,
    });
    expect(fake.requests.map((r) => r.problems)).toEqual([[], []]);
  });

  it('marks the job failed after broken replies and writes nothing', async () => {
    fake.script(
      { kind: 'json', content: { ...reply, fields: { service_requested: 42 } } },
      { kind: 'malformed' },
      { kind: 'json', content: { ...reply, sentiment: { label: 'thrilled', score: 2 } } },
    );
    const p = await start(withKey());
    const callId = await endedCall(env);
    p.nudge();
    const failure = await eventually(() => env.store.analysis.jobFailure(callId).then((f) => f ?? undefined), 'the failure');
    expect(failure).toMatch(/^ANALYSIS_MODEL_SCHEMA: /);
    expect(fake.requests).toHaveLength(3);
    expect(await analysisOf(callId)).toBeNull();
    expect(await env.store.analysis.count(vdb())).toBe(0);
  });

  it('falls back to the heuristic when no OpenAI key is configured', async () => {
    const p = await start();
    const callId = await recordCall(env);
    await finalizeCall(env, callId);
    p.nudge();
    expect(await rowOf(callId)).toMatchObject({ analyser: 'heuristic', model: null });
    expect(fake.requests).toHaveLength(0);
  });
});
