/**
 * Post-call webhooks end to end on real Postgres and Redis (and with no Redis): events written
 * through the call recorder and the analysis processor, delivered by the webhook queue to a
 * receiver on loopback that fails the first attempts (a 500, then a timeout) and then accepts;
 * signatures checked with the README's code; subscriptions filter events; a delivery that keeps
 * failing is dead-lettered, listed by `switchboard jobs failed` and replayed by `jobs retry`.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { listFailedJobs, retryFailedJob, startPostCallProcessing, type PostCallProcessing } from '../../src/analysis/index.js';
import type { CliIo, CliRun } from '../../src/cli/context.js';
import { makeJobsCommand } from '../../src/cli/commands/jobs.js';
import { buildProgram } from '../../src/cli/main.js';
import { subscribes, webhooksSchema } from '../../src/manifest/index.js';
import { webhookDeliveryAttempts } from '../../src/observability/index.js';
import { CallRecorder } from '../../src/realtime/records.js';
import { openStore } from '../../src/store/index.js';
import { recordingLogger } from '../fakes/logger.js';
import { WebhookReceiver } from '../fakes/webhookReceiver.js';
import {
  BOOKING_CALL, TEST_DATABASE_URL, TEST_REDIS_URL, eventually, openAnalysisEnv, testConfig, uniqueSuffix, type AnalysisTestEnv,
} from './analysis.helpers.js';

// The README's "Post-call webhooks" verification code, as a receiver would paste it.
function verifySwitchboard(secret: string, rawBody: string, timestamp: string, signature: string, toleranceS = 300): boolean {
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceS) return false;
  const expected = 'v1=' + createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  return signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
}

it('uses the verification code the README documents', () => {
  const readme = readFileSync('README.md', 'utf8');
  const source = verifySwitchboard.toString();
  for (const line of [
    "if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceS) return false;",
    "const expected = 'v1=' + createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');",
    'return signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));',
  ]) {
    expect(readme).toContain(line);
    expect(source.replace(/\s+/g, ' ')).toContain(line.replace(/\s+/g, ' ').replace(/;$/, ''));
  }
});

const SECRETS = { WH_SECRET_A: 'whsec-a-0123456789', WH_SECRET_B: 'whsec-b-9876543210' };

let env: AnalysisTestEnv;
let receiver: WebhookReceiver;
let processing: PostCallProcessing | null = null;
const suffix = uniqueSuffix();
const queue = { queueName: `post-call-${suffix}`, prefix: `sbtest-${suffix}`, webhookQueueName: `webhooks-${suffix}` };

function withWebhooks(hooks: unknown[]): void {
  env.catalog.manifests.set(env.manifest.id, { ...env.manifest, webhooks: webhooksSchema.parse(hooks) });
}
const manifest = () => env.catalog.get(env.manifest.id)!.manifest;

/** A call the way the runtime records it: start, a transfer, then the end (events by the vertical's webhooks). */
async function runCall(opts: { transfer?: boolean } = {}): Promise<string> {
  const id = randomUUID();
  const rec = new CallRecorder(env.store, id, recordingLogger(), undefined, { vertical: env.manifest.id, wants: (t) => subscribes(manifest().webhooks, t) });
  rec.start({ id, callSid: `CA${id.replace(/-/g, '')}`, vertical: env.manifest.id, manifestVersion: 'test', from: '+14155550100', to: '+14155550199' });
  for (const [i, text] of BOOKING_CALL.caller!.entries()) {
    rec.openItem(`c${i}`, { role: 'caller' });
    rec.completeItem(`c${i}`, { text });
  }
  if (opts.transfer) rec.emit('transfer.started', { reason: 'transferred', mode: 'cold' });
  await rec.finalize({ status: 'completed', endReason: opts.transfer ? 'transferred' : 'caller_hangup' });
  return id;
}

beforeEach(async () => {
  env = await openAnalysisEnv();
  receiver = await WebhookReceiver.start();
});
afterEach(async () => {
  await processing?.close();
  processing = null;
  await receiver.close();
  await env.close();
});
afterAll(async () => {
  for (const name of [queue.queueName, queue.webhookQueueName]) {
    const q = new Queue(name, { connection: { url: TEST_REDIS_URL }, prefix: queue.prefix });
    await q.obliterate({ force: true });
    await q.close();
  }
});

const jobsDeps = (redis: boolean) => ({ config: { redis: { url: redis ? TEST_REDIS_URL : null } }, store: env.store, ...queue });

describe('webhooks on BullMQ', () => {
  const start = async () => {
    processing = await startPostCallProcessing({
      config: testConfig({ redisUrl: TEST_REDIS_URL }), store: env.store, catalog: env.catalog, withWorker: true,
      ...queue, retry: { attempts: 2, backoffMs: 20 }, webhookBackoffMs: 50, webhookEnv: SECRETS,
    });
    return processing;
  };

  it('delivers once accepted after a 500 and a timeout, signed, and only the events each webhook subscribed to', async () => {
    withWebhooks([
      { url: receiver.url('/a'), events: ['call.ended'], secret: 'env:WH_SECRET_A', timeoutMs: 400, maxAttempts: 5 },
      { url: receiver.url('/b'), events: ['call.started', 'transfer.*'], secret: 'env:WH_SECRET_B' },
    ]);
    receiver.setScript('/a', [500, 'hang', 200]);
    await start();
    const callId = await runCall({ transfer: true });
    processing!.nudge();

    // While /a is failing, the call's analysis goes on regardless.
    await eventually(async () => receiver.at('/a').some((r) => r.answered === 'hang'), 'the attempt that times out');
    await eventually(() => env.store.analysis.get(env.store.dbForVertical(env.manifest), callId).then((r) => r ?? undefined), 'the analysis');

    const [accepted] = await eventually(async () => (receiver.accepted('/a').length > 0 ? receiver.accepted('/a') : undefined), 'the accepted delivery to /a');
    const attempts = receiver.at('/a');
    expect(attempts.map((r) => r.answered)).toEqual([500, 'hang', 200]);
    // The same event each time (the receiver deduplicates on its id); the timestamp is per attempt.
    expect(new Set(attempts.map((r) => r.body)).size).toBe(1);
    const h = accepted!.headers;
    expect(h['x-switchboard-event']).toBe('call.ended');
    expect(verifySwitchboard(SECRETS.WH_SECRET_A, accepted!.body, String(h['x-switchboard-timestamp']), String(h['x-switchboard-signature']))).toBe(true);
    expect(verifySwitchboard(SECRETS.WH_SECRET_B, accepted!.body, String(h['x-switchboard-timestamp']), String(h['x-switchboard-signature']))).toBe(false);
    expect(verifySwitchboard(SECRETS.WH_SECRET_A, accepted!.body.replace('"completed"', '"failed"'), String(h['x-switchboard-timestamp']), String(h['x-switchboard-signature']))).toBe(false);
    const body = JSON.parse(accepted!.body) as Record<string, any>;
    expect(body).toMatchObject({ type: 'call.ended', callId, vertical: env.manifest.id, data: { endReason: 'transferred', status: 'completed' } });
    expect(h['x-switchboard-event-id']).toBe(body.id);
    expect(typeof body.data.durationMs).toBe('number');
    // No phone numbers, no transcript unless the webhook opts in.
    expect(accepted!.body).not.toMatch(/4155550/);
    expect(accepted!.body).not.toMatch(/highlights/i);

    const b = await eventually(async () => (receiver.accepted('/b').length >= 2 ? receiver.accepted('/b') : undefined), 'both deliveries to /b');
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.at('/b').map((r) => JSON.parse(r.body).type).sort()).toEqual(['call.started', 'transfer.started']);
    expect(b.every((r) => verifySwitchboard(SECRETS.WH_SECRET_B, r.body, String(r.headers['x-switchboard-timestamp']), String(r.headers['x-switchboard-signature'])))).toBe(true);
    // Nobody subscribed to call.analyzed: no event was recorded for it.
    expect((await env.store.webhookEvents.forCall(callId)).map((e) => e.type).sort()).toEqual(['call.ended', 'call.started', 'transfer.started']);
    expect((await jobsDeps(true).store.webhookEvents.failedDeliveries()).length).toBe(0);
  });

  it('dead-letters after maxAttempts, lists it in `jobs failed` and `jobs retry` replays it', async () => {
    withWebhooks([{ url: receiver.url('/c'), events: ['call.analyzed'], secret: 'env:WH_SECRET_A', maxAttempts: 2, include: ['summary'] }]);
    receiver.setScript('/c', [500]);
    await start();
    const callId = await runCall();
    processing!.nudge();

    const failed = await eventually(async () => {
      const l = await listFailedJobs(jobsDeps(true));
      return l.jobs.find((j) => j.queue === 'webhooks') ?? undefined;
    }, 'the dead-lettered delivery');
    expect(failed).toMatchObject({ callId, vertical: env.manifest.id, event: 'call.analyzed', attemptsMade: 2 });
    expect(failed.reason).toMatch(/WEBHOOK_HTTP_500/);
    expect(receiver.at('/c')).toHaveLength(2);
    await eventually(async () => (await env.store.webhookEvents.failedDeliveries()).length === 1, 'the failure recorded in Postgres');

    // The CLI shows it, then replays it once the receiver is fixed.
    const out: string[] = [];
    const io: CliIo = { out: (t) => out.push(t), err: (t) => out.push(t) };
    const run: CliRun = { io, exitCode: 0 };
    const config = () => ({ ...testConfig({ redisUrl: TEST_REDIS_URL }), database: { url: TEST_DATABASE_URL, poolSize: 2 } });
    const program = buildProgram(run, [makeJobsCommand({ config, openStore: (o) => openStore({ ...o, schema: env.coreSchema }), queue })]);
    await program.parseAsync(['node', 'switchboard', 'jobs', 'failed']);
    expect(out.join('\n')).toContain(`${failed.id}  ${env.manifest.id}`);
    expect(out.join('\n')).toContain(`webhook call.analyzed of call ${callId}`);

    receiver.setScript('/c', [200]);
    await program.parseAsync(['node', 'switchboard', 'jobs', 'retry', failed.id]);
    expect(run.exitCode).toBe(0);
    const [accepted] = await eventually(async () => (receiver.accepted('/c').length > 0 ? receiver.accepted('/c') : undefined), 'the replayed delivery');
    const body = JSON.parse(accepted!.body) as Record<string, any>;
    expect(body).toMatchObject({ type: 'call.analyzed', callId, data: { revision: 1, analyser: 'heuristic', intent: 'book' } });
    expect(typeof body.data.summary).toBe('string');
    expect(typeof body.data.leadScore).toBe('number');
    expect(verifySwitchboard(SECRETS.WH_SECRET_A, accepted!.body, String(accepted!.headers['x-switchboard-timestamp']), String(accepted!.headers['x-switchboard-signature']))).toBe(true);
    expect((await listFailedJobs(jobsDeps(true))).jobs.filter((j) => j.queue === 'webhooks')).toHaveLength(0);
    expect(await env.store.webhookEvents.failedDeliveries()).toHaveLength(0);
  });
});

describe('webhooks without Redis (in-process)', () => {
  it('dead-letters in Postgres and a replay reaches only the webhook that missed the event', async () => {
    withWebhooks([
      { url: receiver.url('/ok'), events: ['call.*'], secret: 'env:WH_SECRET_A' },
      { url: receiver.url('/down'), events: ['call.ended'], secret: 'env:WH_SECRET_B', maxAttempts: 3, timeoutMs: 300, include: ['phoneNumbers', 'transcript'] },
    ]);
    receiver.setScript('/down', [500, 'hang', 500]);
    processing = await startPostCallProcessing({
      config: testConfig(), store: env.store, catalog: env.catalog, retry: { attempts: 2, backoffMs: 20 }, webhookBackoffMs: 30, webhookEnv: SECRETS,
    });
    expect(processing.webhooks?.mode).toBe('in-process');
    const callId = await runCall();
    processing.nudge();

    const failed = await eventually(async () => (await listFailedJobs(jobsDeps(false))).jobs.find((j) => j.queue === 'webhooks') ?? undefined, 'the dead letter');
    expect(failed).toMatchObject({ callId, event: 'call.ended', attemptsMade: 3 });
    await eventually(async () => receiver.accepted('/ok').length === 3, 'call.started, call.ended and call.analyzed at /ok');
    expect(receiver.accepted('/ok').map((r) => JSON.parse(r.body).type).sort()).toEqual(['call.analyzed', 'call.ended', 'call.started']);
    const counts = (await webhookDeliveryAttempts.get()).values.filter((v) => v.labels.vertical === env.manifest.id && v.labels.event === 'call.ended');
    expect(Object.fromEntries(counts.map((v) => [v.labels.outcome, v.value]))).toMatchObject({ failed: 3, dead_letter: 1, delivered: 1 });

    receiver.setScript('/down', [200]);
    expect((await retryFailedJob(jobsDeps(false), failed.id)).kind).toBe('requeued');
    processing.nudge();
    const [accepted] = await eventually(async () => (receiver.accepted('/down').length > 0 ? receiver.accepted('/down') : undefined), 'the replayed delivery');
    const body = JSON.parse(accepted!.body) as Record<string, any>;
    expect(body.data.phoneNumbers).toEqual({ from: '+14155550100', to: '+14155550199' });
    expect(body.data.transcript.map((t: { text: string }) => t.text)).toEqual(BOOKING_CALL.caller);
    await new Promise((r) => setTimeout(r, 300));
    // /ok already had the event: the replay did not send it again.
    expect(receiver.at('/ok')).toHaveLength(3);
    expect(await env.store.webhookEvents.failedDeliveries()).toHaveLength(0);
  });

  it('a missing secret dead-letters at once with a coded reason', async () => {
    withWebhooks([{ url: receiver.url('/nosecret'), events: ['call.started'], secret: 'env:WH_SECRET_UNSET' }]);
    processing = await startPostCallProcessing({
      config: testConfig(), store: env.store, catalog: env.catalog, retry: { attempts: 2, backoffMs: 20 }, webhookEnv: SECRETS,
    });
    await runCall();
    processing.nudge();
    const failed = await eventually(async () => (await listFailedJobs(jobsDeps(false))).jobs.find((j) => j.queue === 'webhooks') ?? undefined, 'the dead letter');
    expect(failed.reason).toMatch(/WEBHOOK_SECRET_MISSING: environment variable WH_SECRET_UNSET is not set/);
    expect(failed.attemptsMade).toBe(1);
    expect(receiver.at('/nosecret')).toHaveLength(0);
  });
});
