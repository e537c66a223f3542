/**
 * Redis stopped while calls end, then started again: calls end without waiting for Redis, their
 * outbox rows wait, and once Redis is back every call is analysed exactly once. Uses a
 * redis-server of its own on a free port (the shared one is never touched).
 */
import { startPostCallProcessing, type PostCallProcessing } from '../../src/analysis/index.js';
import {
  ThrowawayRedis, endedCall, eventually, openAnalysisEnv, testConfig, uniqueSuffix, type AnalysisTestEnv,
} from './analysis.helpers.js';

let env: AnalysisTestEnv;
let redis: ThrowawayRedis;
let processing: PostCallProcessing | null = null;

beforeAll(async () => {
  env = await openAnalysisEnv();
  redis = await ThrowawayRedis.start();
});

afterAll(async () => {
  await processing?.close();
  await redis.stopServer();
  await env.close();
});

const vdb = () => env.store.dbForVertical(env.manifest);

async function analysedCount(ids: string[]): Promise<number> {
  const rows = await Promise.all(ids.map((id) => env.store.analysis.get(vdb(), id)));
  return rows.filter(Boolean).length;
}

it('loses no call while Redis is down and analyses each exactly once when it returns', async () => {
  const suffix = uniqueSuffix();
  processing = await startPostCallProcessing({
    config: testConfig({ redisUrl: redis.url }), store: env.store, catalog: env.catalog, withWorker: true,
    queueName: `post-call-${suffix}`, prefix: `sbtest-${suffix}`, retry: { attempts: 3, backoffMs: 50 },
    reconnectMaxMs: 200, relayBackoffBaseMs: 50, relayBackoffMaxMs: 400, publishTimeoutMs: 500,
  });
  const before = [await endedCall(env), await endedCall(env), await endedCall(env)];
  processing.nudge();
  await eventually(async () => (await analysedCount(before)) === 3, 'the first calls to be analysed');

  await redis.stopServer();
  // Calls keep ending: finalising writes only to Postgres, so it returns while Redis is down.
  const during: string[] = [];
  for (let i = 0; i < 4; i++) {
    during.push(await endedCall(env));
    processing.nudge();
  }
  await eventually(async () => processing!.relay.backoffLevel >= 2, 'the relay to back off');
  const waiting = await env.store.outbox.pending();
  expect(waiting.map((r) => r.callId).sort()).toEqual([...during].sort());
  expect(waiting.some((r) => r.attempts > 0 && /publish failed/.test(r.lastError ?? ''))).toBe(true);
  expect(await analysedCount(during)).toBe(0);

  await redis.startServer();
  await eventually(async () => (await analysedCount(during)) === 4, 'the calls that ended during the outage to be analysed');
  expect(await env.store.outbox.pending()).toEqual([]);
  const all = await Promise.all([...before, ...during].map((id) => env.store.analysis.get(vdb(), id)));
  expect(all.map((a) => a?.revision)).toEqual([1, 1, 1, 1, 1, 1, 1]);
  expect(await env.store.analysis.count(vdb())).toBe(7);
  expect(processing.relay.backoffLevel).toBe(0);
});
