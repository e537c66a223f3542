/**
 * The webhook queue on BullMQ: its own queue (`webhooks`, same Redis prefix as `post-call`), so a
 * slow or failing receiver never delays an analysis. Each job's attempts are its webhook's
 * `maxAttempts`, with exponential backoff; the job id deduplicates re-publishes.
 */
import { Queue, Worker, type Job } from 'bullmq';
import { createLogger, type Logger } from '../../observability/index.js';
import { redisConnection, type BullmqSettings } from '../bullmq.js';
import { DEFAULT_QUEUE_PREFIX, type FailedJob } from '../jobs.js';
import { failureReason } from '../processor.js';
import type { WebhookProcessor } from './deliver.js';
import { DEFAULT_WEBHOOK_BACKOFF_MS, WEBHOOK_JOB_NAME, WEBHOOK_QUEUE, webhookJobId, webhookJobSchema, type WebhookJob } from './jobs.js';
import type { WebhookPublisher } from './relay.js';

export interface WebhookQueueSettings extends Omit<BullmqSettings, 'queueName' | 'retry'> {
  /** Defaults to `webhooks`. */
  webhookQueueName?: string;
  backoffMs?: number;
}

const DAY_S = 24 * 3600;

export function openWebhookQueue(settings: WebhookQueueSettings, role: 'producer' | 'admin' = 'admin', logger?: Logger): Queue {
  const log = logger ?? createLogger('webhooks');
  const queue = new Queue(settings.webhookQueueName ?? WEBHOOK_QUEUE, {
    connection: redisConnection(settings, role),
    prefix: settings.prefix ?? DEFAULT_QUEUE_PREFIX,
    defaultJobOptions: {
      removeOnComplete: { age: 7 * DAY_S, count: 100_000 },
      removeOnFail: { age: 30 * DAY_S },
    },
  });
  let lastErrorAt = 0;
  queue.on('error', (err) => {
    if (Date.now() - lastErrorAt > 10_000) log.warn('webhook queue connection error', { err });
    lastErrorAt = Date.now();
  });
  return queue;
}

export function createWebhookBullmqPublisher(settings: WebhookQueueSettings, logger?: Logger): WebhookPublisher & { queue: Queue } {
  const queue = openWebhookQueue(settings, 'producer', logger);
  const delay = settings.backoffMs ?? DEFAULT_WEBHOOK_BACKOFF_MS;
  return {
    queue,
    async publish(jobs: readonly WebhookJob[]): Promise<void> {
      if (jobs.length === 0) return;
      await queue.waitUntilReady();
      await queue.addBulk(jobs.map((data) => ({
        name: WEBHOOK_JOB_NAME,
        data: webhookJobSchema.parse(data),
        opts: { jobId: webhookJobId(data), attempts: data.maxAttempts, backoff: { type: 'exponential' as const, delay } },
      })));
    },
    close: () => queue.close(),
  };
}

export interface WebhookWorkerOptions {
  concurrency: number;
  /** Called once when a delivery gives up (attempts exhausted or unrecoverable). */
  onFailed?: (job: WebhookJob, reason: string, attemptsMade: number) => void | Promise<void>;
  logger?: Logger;
}

export function createWebhookBullmqWorker(settings: WebhookQueueSettings, processor: WebhookProcessor, options: WebhookWorkerOptions): Worker {
  const log = options.logger ?? createLogger('webhooks');
  const worker = new Worker(settings.webhookQueueName ?? WEBHOOK_QUEUE, (job, token, signal) => processor(job, token, signal), {
    connection: redisConnection(settings, 'worker'),
    prefix: settings.prefix ?? DEFAULT_QUEUE_PREFIX,
    concurrency: options.concurrency,
  });
  let lastErrorAt = 0;
  worker.on('error', (err) => {
    if (Date.now() - lastErrorAt > 10_000) log.warn('webhook worker error', { err });
    lastErrorAt = Date.now();
  });
  worker.on('failed', (job: Job | undefined, err: Error) => {
    if (!job) return;
    const finalAttempt = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    const data = webhookJobSchema.safeParse(job.data);
    if (!finalAttempt || !data.success) return;
    log.warn('webhook delivery dead-lettered', { jobId: job.id, type: data.data.type, attempts: job.attemptsMade, reason: failureReason(err) });
    void Promise.resolve(options.onFailed?.(data.data, failureReason(err), job.attemptsMade)).catch((hookErr: unknown) =>
      log.error('recording a failed webhook delivery failed', { jobId: job.id, err: hookErr }));
  });
  return worker;
}

export function toFailedWebhookJob(job: Job): FailedJob {
  const data = webhookJobSchema.safeParse(job.data);
  return {
    id: String(job.id),
    callId: data.success ? data.data.callId : String(job.id),
    vertical: data.success ? data.data.vertical : null,
    reason: job.failedReason ?? 'failed',
    attemptsMade: job.attemptsMade,
    failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
    queue: 'webhooks',
    ...(data.success ? { event: data.data.type } : {}),
  };
}

export async function listFailedWebhookJobs(queue: Queue, limit = 100): Promise<FailedJob[]> {
  const jobs = await queue.getFailed(0, Math.max(0, limit - 1));
  return jobs.filter((j): j is Job => Boolean(j)).map(toFailedWebhookJob);
}
