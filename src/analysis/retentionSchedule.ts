/**
 * When retention purges run by themselves. With Redis: a BullMQ job scheduler (a repeatable job,
 * one id for the whole fleet, so N workers make one purge per interval) on the `retention` queue,
 * run by whichever `switchboard worker` takes the job. Without Redis: a timer in the gateway's
 * in-process mode (first run shortly after start, then every interval; never two at once). A
 * failed purge is logged and retried at the next interval; nothing else waits on it.
 */
import { Queue, Worker } from 'bullmq';
import { createLogger, type Logger } from '../observability/index.js';
import { redisConnection, type BullmqSettings } from './bullmq.js';
import { DEFAULT_QUEUE_PREFIX } from './jobs.js';
import type { PurgeReport } from './retention.js';

export const RETENTION_QUEUE = 'retention';
export const RETENTION_SCHEDULER_ID = 'retention-purge';
export const RETENTION_JOB_NAME = 'purge';

export interface RetentionScheduleOptions {
  intervalMs: number;
  /** Runs one purge of every loaded vertical. */
  run(): Promise<PurgeReport>;
  logger?: Logger;
}

export interface RetentionSchedule {
  close(): Promise<void>;
}

const purged = (report: PurgeReport): number => report.lines.reduce((n, l) => n + l.calls, 0);

/** The fleet-wide repeatable job and this worker's share of running it. */
export async function startRetentionScheduler(settings: BullmqSettings, options: RetentionScheduleOptions & { queueName?: string }): Promise<RetentionSchedule> {
  const log = options.logger ?? createLogger('analysis');
  const name = options.queueName ?? RETENTION_QUEUE;
  const prefix = settings.prefix ?? DEFAULT_QUEUE_PREFIX;
  const queue = new Queue(name, { connection: redisConnection(settings, 'admin'), prefix });
  queue.on('error', (err) => log.warn('retention queue connection error', { err }));
  await queue.upsertJobScheduler(RETENTION_SCHEDULER_ID, { every: options.intervalMs }, {
    name: RETENTION_JOB_NAME,
    opts: { attempts: 1, removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } },
  });
  const worker = new Worker(name, async () => {
    const report = await options.run();
    return { calls: purged(report), lines: report.lines.length };
  }, { connection: redisConnection(settings, 'worker'), prefix, concurrency: 1 });
  worker.on('failed', (_job, err) => log.warn('retention purge failed; the next run tries again', { err }));
  worker.on('error', (err) => log.warn('retention worker error', { err }));
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}

/** The in-process stand-in: a timer, not durable, fine because a purge is idempotent. */
export function startRetentionTimer(options: RetentionScheduleOptions & { firstRunMs?: number }): RetentionSchedule {
  const log = options.logger ?? createLogger('analysis');
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = (): void => {
    if (running || stopped) return;
    running = options.run().then(
      (report) => { if (purged(report) > 0) log.info('retention purge done', { calls: purged(report) }); },
      (err: unknown) => { log.warn('retention purge failed; the next run tries again', { err }); },
    ).finally(() => { running = null; });
  };
  const first = setTimeout(tick, options.firstRunMs ?? 5_000);
  const every = setInterval(tick, options.intervalMs);
  first.unref();
  every.unref();
  return {
    async close() {
      stopped = true;
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}
