/**
 * The post-call queue on BullMQ (Redis): the publisher the relay uses, the worker that runs the
 * processor, and the admin calls behind `switchboard jobs`. The only file that imports bullmq
 * besides the processor's `UnrecoverableError`.
 */
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { createLogger, type Logger } from '../observability/index.js';
import {
  DEFAULT_QUEUE_PREFIX, DEFAULT_RETRY, POST_CALL_JOB_NAME, POST_CALL_QUEUE, postCallJobSchema,
  type FailedJob, type PostCallJob, type PostCallOutcome, type RetryPolicy,
} from './jobs.js';
import { failureReason, type PostCallProcessor } from './processor.js';
import type { JobPublisher } from './relay.js';

export interface BullmqSettings {
  redisUrl: string;
  queueName?: string;
  /** Redis key prefix (tests use a unique one). */
  prefix?: string;
  retry?: RetryPolicy;
  /** Longest wait between reconnection attempts to Redis. */
  reconnectMaxMs?: number;
}

const DAY_S = 24 * 3600;

/**
 * Producer connections fail fast while Redis is down (the relay backs off and keeps the rows);
 * worker connections wait and reconnect, as BullMQ requires for its blocking commands.
 */
export function redisConnection(settings: BullmqSettings, role: 'producer' | 'worker' | 'admin'): ConnectionOptions {
  const maxMs = settings.reconnectMaxMs ?? 5_000;
  return {
    url: settings.redisUrl,
    connectionName: `switchboard-${role}`,
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role !== 'producer',
    retryStrategy: (times: number) => Math.min(maxMs, 100 * 2 ** Math.min(times, 10)),
  };
}

function queueOptions(settings: BullmqSettings, role: 'producer' | 'admin') {
  const retry = settings.retry ?? DEFAULT_RETRY;
  return {
    connection: redisConnection(settings, role),
    prefix: settings.prefix ?? DEFAULT_QUEUE_PREFIX,
    defaultJobOptions: {
      attempts: retry.attempts,
      backoff: { type: 'exponential' as const, delay: retry.backoffMs },
      // Completed jobs are kept a week so a late duplicate publish is still recognised as the same job.
      removeOnComplete: { age: 7 * DAY_S, count: 100_000 },
      removeOnFail: { age: 30 * DAY_S },
    },
  };
}

export function openPostCallQueue(settings: BullmqSettings, role: 'producer' | 'admin' = 'admin', logger?: Logger): Queue {
  const log = logger ?? createLogger('analysis');
  const queue = new Queue(settings.queueName ?? POST_CALL_QUEUE, queueOptions(settings, role));
  let lastErrorAt = 0;
  queue.on('error', (err) => {
    // Redis down makes ioredis report every reconnect attempt: one line every 10 s is enough.
    if (Date.now() - lastErrorAt > 10_000) log.warn('post-call queue connection error', { err });
    lastErrorAt = Date.now();
  });
  return queue;
}

/** Publishes with job id = call id: a second publish of the same call is the same job. */
export function createBullmqPublisher(settings: BullmqSettings, logger?: Logger): JobPublisher & { queue: Queue } {
  const queue = openPostCallQueue(settings, 'producer', logger);
  return {
    queue,
    async publish(jobs: readonly PostCallJob[]): Promise<void> {
      if (jobs.length === 0) return;
      // The producer connection does not queue commands while disconnected: wait for it to be up
      // (the relay's publish timeout bounds the wait) instead of failing on a connection still opening.
      await queue.waitUntilReady();
      await queue.addBulk(jobs.map((data) => ({ name: POST_CALL_JOB_NAME, data: postCallJobSchema.parse(data), opts: { jobId: data.callId } })));
    },
    close: () => queue.close(),
  };
}

export interface BullmqWorkerOptions {
  concurrency: number;
  /** How long a job's lock lasts without renewal: a killed worker's job is retried after it. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Called once when a job gives up (attempts exhausted or unrecoverable). */
  onFailed?: (job: PostCallJob, reason: string) => void | Promise<void>;
  onCompleted?: (job: PostCallJob, outcome: PostCallOutcome) => void;
  logger?: Logger;
}

export function createBullmqWorker(settings: BullmqSettings, processor: PostCallProcessor, options: BullmqWorkerOptions): Worker {
  const log = options.logger ?? createLogger('analysis');
  const worker = new Worker<unknown, PostCallOutcome>(
    settings.queueName ?? POST_CALL_QUEUE,
    (job, token, signal) => processor(job, token, signal),
    {
      connection: redisConnection(settings, 'worker'),
      prefix: settings.prefix ?? DEFAULT_QUEUE_PREFIX,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: 2,
    },
  );
  let lastErrorAt = 0;
  worker.on('error', (err) => {
    if (Date.now() - lastErrorAt > 10_000) log.warn('post-call worker error', { err });
    lastErrorAt = Date.now();
  });
  worker.on('failed', (job: Job | undefined, err: Error) => {
    if (!job) return;
    const finalAttempt = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    const data = postCallJobSchema.safeParse(job.data);
    if (!finalAttempt || !data.success) return;
    log.warn('post-call job failed', { callId: data.data.callId, attempts: job.attemptsMade, reason: failureReason(err) });
    void Promise.resolve(options.onFailed?.(data.data, failureReason(err))).catch((hookErr: unknown) =>
      log.error('recording a failed post-call job failed', { callId: data.data.callId, err: hookErr }));
  });
  if (options.onCompleted) {
    worker.on('completed', (job: Job, outcome: PostCallOutcome) => {
      const data = postCallJobSchema.safeParse(job.data);
      if (data.success) options.onCompleted?.(data.data, outcome);
    });
  }
  return worker;
}

export function toFailedJob(job: Job): FailedJob {
  const data = postCallJobSchema.safeParse(job.data);
  return {
    id: String(job.id),
    callId: data.success ? data.data.callId : String(job.id),
    vertical: data.success ? data.data.vertical : null,
    reason: job.failedReason ?? 'failed',
    attemptsMade: job.attemptsMade,
    failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
  };
}

export async function listFailedBullmqJobs(queue: Queue, limit = 100): Promise<FailedJob[]> {
  const jobs = await queue.getFailed(0, Math.max(0, limit - 1));
  return jobs.filter((j): j is Job => Boolean(j)).map(toFailedJob);
}

/** Re-runs a failed job. `missing`: Redis no longer has it (the caller re-publishes through the outbox). */
export async function retryBullmqJob(queue: Queue, id: string): Promise<'retried' | 'missing' | `not failed (${string})`> {
  const job = await queue.getJob(id);
  if (!job) return 'missing';
  const state = await job.getState();
  if (state !== 'failed') return `not failed (${state})`;
  await job.retry('failed', { resetAttemptsMade: true });
  return 'retried';
}
