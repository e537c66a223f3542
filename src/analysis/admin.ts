/**
 * What `switchboard jobs failed|retry` do. With Redis, the BullMQ failed set is the truth and a
 * retry re-runs the job there. Without Redis, the in-process queue lives inside the gateway, so
 * failures are read from Postgres (a job's final failure is written on its outbox row) and a retry
 * puts the outbox row back to unsent: the gateway's relay hands it to its queue again.
 */
import type { AppConfig } from '../config/index.js';
import type { AnalysisRepository, WebhookEventsRepository } from '../store/index.js';
import { AppError } from '../shared/index.js';
import { listFailedBullmqJobs, openPostCallQueue, retryBullmqJob, type BullmqSettings } from './bullmq.js';
import type { FailedJob } from './jobs.js';
import { listFailedWebhookJobs, openWebhookQueue } from './webhooks/bullmq.js';
import { isWebhookJobId } from './webhooks/jobs.js';

export interface JobsAdminDeps {
  config: Pick<AppConfig, 'redis'>;
  store: {
    analysis: Pick<AnalysisRepository, 'failedJobs' | 'requeue' | 'jobFailure' | 'clearJobFailure'>;
    /** Webhook deliveries' dead letters (absent: only post-call jobs are listed). */
    webhookEvents?: Pick<WebhookEventsRepository, 'failedDeliveries' | 'requeueDelivery' | 'clearFailure'>;
  };
  queueName?: string;
  webhookQueueName?: string;
  prefix?: string;
  /** How long to wait for Redis before giving up. */
  timeoutMs?: number;
}

export interface FailedJobsListing {
  source: 'redis' | 'postgres';
  jobs: FailedJob[];
}

export type RetryOutcome =
  | { kind: 'retried'; message: string }
  | { kind: 'requeued'; message: string }
  | { kind: 'refused'; message: string };

async function withRedis<T>(deps: JobsAdminDeps, fn: (queue: ReturnType<typeof openPostCallQueue>) => Promise<T>, which: 'post-call' | 'webhooks' = 'post-call'): Promise<T> {
  const settings: BullmqSettings = {
    redisUrl: deps.config.redis.url!,
    ...(deps.queueName ? { queueName: deps.queueName } : {}),
    ...(deps.prefix ? { prefix: deps.prefix } : {}),
  };
  const queue = which === 'webhooks'
    ? openWebhookQueue({ ...settings, ...(deps.webhookQueueName ? { webhookQueueName: deps.webhookQueueName } : {}) }, 'admin')
    : openPostCallQueue(settings, 'admin');
  const ms = deps.timeoutMs ?? 5_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(queue),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new AppError('QUEUE_UNREACHABLE', `Redis did not answer within ${ms} ms (REDIS_URL)`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await queue.close().catch(() => undefined);
  }
}

/** Failed post-call jobs, then dead-lettered webhook deliveries. */
export async function listFailedJobs(deps: JobsAdminDeps, limit = 100): Promise<FailedJobsListing> {
  const hooks = deps.store.webhookEvents;
  if (deps.config.redis.url) {
    const jobs = await withRedis(deps, (q) => listFailedBullmqJobs(q, limit));
    const webhookJobs = hooks ? await withRedis(deps, (q) => listFailedWebhookJobs(q, limit), 'webhooks') : [];
    return { source: 'redis', jobs: [...jobs, ...webhookJobs] };
  }
  const rows = await deps.store.analysis.failedJobs(limit);
  const deliveries = hooks ? await hooks.failedDeliveries(limit) : [];
  return {
    source: 'postgres',
    jobs: [
      ...rows.map((r) => ({ id: r.callId, callId: r.callId, vertical: r.vertical, reason: r.reason, attemptsMade: r.attempts, failedAt: r.sentAt })),
      ...deliveries.map((d) => ({
        id: d.jobId, callId: d.callId, vertical: d.vertical, reason: d.reason, attemptsMade: d.attempts, failedAt: d.failedAt,
        queue: 'webhooks' as const, event: d.type,
      })),
    ],
  };
}

/** Replays a dead-lettered webhook delivery: in BullMQ when it is there, else through the outbox. */
async function retryWebhook(deps: JobsAdminDeps, id: string): Promise<RetryOutcome> {
  const hooks = deps.store.webhookEvents;
  if (!hooks) return { kind: 'refused', message: `no failed job ${id}` };
  if (deps.config.redis.url) {
    const result = await withRedis(deps, (q) => retryBullmqJob(q, id), 'webhooks');
    if (result === 'retried') {
      await hooks.clearFailure(id);
      return { kind: 'retried', message: `webhook delivery ${id} is queued again` };
    }
    if (result !== 'missing') return { kind: 'refused', message: `webhook delivery ${id} is ${result}` };
  }
  if (!(await hooks.requeueDelivery(id))) {
    return { kind: 'refused', message: `no failed webhook delivery ${id} (neither in the queue nor recorded in Postgres)` };
  }
  return { kind: 'requeued', message: `webhook delivery ${id}: its event is back in the outbox; the next relay pass delivers it again` };
}

export async function retryFailedJob(deps: JobsAdminDeps, id: string): Promise<RetryOutcome> {
  if (isWebhookJobId(id)) return retryWebhook(deps, id);
  if (deps.config.redis.url) {
    const result = await withRedis(deps, (q) => retryBullmqJob(q, id));
    if (result === 'retried') {
      await deps.store.analysis.clearJobFailure(id);
      return { kind: 'retried', message: `job ${id} is queued again` };
    }
    if (result !== 'missing') return { kind: 'refused', message: `job ${id} is ${result}` };
  }
  const failure = await deps.store.analysis.jobFailure(id);
  if (failure === null) {
    return { kind: 'refused', message: `no failed job ${id} (neither in the queue nor recorded in the outbox)` };
  }
  await deps.store.analysis.requeue(id);
  return { kind: 'requeued', message: `call ${id} is back in the outbox; the next relay pass publishes it` };
}
