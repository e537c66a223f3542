/**
 * The post-call queue when no Redis is configured: the same processor, run inside the gateway
 * with BullMQ's semantics (job id = call id deduplicates; attempts with exponential backoff;
 * `UnrecoverableError` fails at once; failed jobs can be listed and retried).
 *
 * NOT durable: jobs, attempt counters, backoff timers and the failed list live in this process's
 * memory and are gone after a restart. What makes up for it lives in Postgres: outbox rows not yet
 * handed to this queue are published at start-up, calls handed over but left without an analysis
 * are re-queued at start-up (see `startPostCallProcessing`), and a job's final failure is written
 * on its outbox row. A restart therefore re-runs unfinished work from its first attempt.
 */
import { createLogger, type Logger } from '../observability/index.js';
import { backoffDelayMs, DEFAULT_RETRY, jobIdFor, type FailedJob, type PostCallJob, type PostCallOutcome, type RetryPolicy } from './jobs.js';
import { failureReason, type PostCallJobLike } from './processor.js';

type JobState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed';

/** What the queue needs of a job's data: the call it is about (for the failed list). */
type QueueJobData = Pick<PostCallJob, 'callId' | 'vertical'>;

interface MemoryJob<J extends QueueJobData> {
  id: string;
  data: J;
  attemptsMade: number;
  state: JobState;
  failedReason: string | null;
  finishedOn: number | null;
  timer: NodeJS.Timeout | null;
}

/**
 * Typed for the post-call queue by default; the webhook queue uses it with its own job type,
 * job id (`idOf`) and per-job attempts (`attemptsOf`).
 */
export interface InProcessQueueOptions<J extends QueueJobData = PostCallJob, O = PostCallOutcome> {
  processor: (job: PostCallJobLike, token?: string, signal?: AbortSignal) => Promise<O>;
  concurrency: number;
  retry?: RetryPolicy;
  /** The job id (deduplicates); the call id by default. */
  idOf?: (job: J) => string;
  /** Total tries of this job; the retry policy's by default. */
  attemptsOf?: (job: J) => number;
  /** Called once when a job gives up (attempts exhausted or unrecoverable). */
  onFailed?: (job: J, reason: string, attemptsMade: number) => void | Promise<void>;
  onCompleted?: (job: J, outcome: O) => void;
  /** Completed job ids remembered for deduplication. */
  keepCompleted?: number;
  logger?: Logger;
}

const isUnrecoverable = (err: unknown): boolean => (err as { name?: unknown } | null)?.name === 'UnrecoverableError';

export class InProcessQueue<J extends QueueJobData = PostCallJob, O = PostCallOutcome> {
  private readonly jobs = new Map<string, MemoryJob<J>>();
  private readonly waiting: string[] = [];
  private readonly completed: string[] = [];
  private readonly controllers = new Map<string, AbortController>();
  private readonly running = new Set<Promise<void>>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly retry: RetryPolicy;
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly options: InProcessQueueOptions<J, O>) {
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.log = options.logger ?? createLogger('analysis');
  }

  /**
   * Enqueues jobs; a job whose id is already waiting, running, delayed or completed is skipped
   * (one job per call), while a failed one starts again from its first attempt. Returns how many
   * were enqueued.
   */
  add(jobs: readonly J[]): number {
    if (this.closed) throw new Error('the in-process post-call queue is closed');
    let added = 0;
    for (const data of jobs) {
      const id = this.options.idOf ? this.options.idOf(data) : jobIdFor(data);
      const known = this.jobs.get(id);
      if (known && known.state !== 'failed') continue;
      this.jobs.set(id, { id, data, attemptsMade: 0, state: 'waiting', failedReason: null, finishedOn: null, timer: null });
      this.waiting.push(id);
      added++;
    }
    this.pump();
    return added;
  }

  getFailed(): FailedJob[] {
    return [...this.jobs.values()]
      .filter((j) => j.state === 'failed')
      .map((j) => ({
        id: j.id, callId: j.data.callId, vertical: j.data.vertical, reason: j.failedReason ?? 'failed',
        attemptsMade: j.attemptsMade, failedAt: j.finishedOn === null ? null : new Date(j.finishedOn),
      }));
  }

  /** Re-runs a failed job from its first attempt; false when it is not failed here. */
  retryJob(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || job.state !== 'failed') return false;
    this.add([job.data]);
    return true;
  }

  getState(id: string): JobState | undefined {
    return this.jobs.get(id)?.state;
  }

  counts(): Record<JobState, number> {
    const out: Record<JobState, number> = { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 };
    for (const j of this.jobs.values()) out[j.state]++;
    return out;
  }

  /** Resolves when nothing is waiting, running or delayed. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking work, aborts running jobs (they are lost: see the header) and waits for them to settle. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const j of this.jobs.values()) if (j.timer) clearTimeout(j.timer);
    for (const c of this.controllers.values()) c.abort(new Error('post-call queue closing'));
    await Promise.allSettled([...this.running]);
    this.notifyIdle(true);
  }

  private isIdle(): boolean {
    if (this.waiting.length > 0 || this.running.size > 0) return false;
    for (const j of this.jobs.values()) if (j.state === 'delayed') return false;
    return true;
  }

  private notifyIdle(force = false): void {
    if (!force && !this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.options.concurrency && this.waiting.length > 0) {
      const id = this.waiting.shift()!;
      const job = this.jobs.get(id);
      if (!job || job.state !== 'waiting') continue;
      const run = this.runJob(job).finally(() => {
        this.running.delete(run);
        this.pump();
        this.notifyIdle();
      });
      this.running.add(run);
    }
  }

  private async runJob(job: MemoryJob<J>): Promise<void> {
    job.state = 'active';
    const controller = new AbortController();
    this.controllers.set(job.id, controller);
    try {
      const outcome = await this.options.processor({ id: job.id, data: job.data, attemptsMade: job.attemptsMade }, undefined, controller.signal);
      job.attemptsMade++;
      job.state = 'completed';
      job.finishedOn = Date.now();
      this.rememberCompleted(job.id);
      this.options.onCompleted?.(job.data, outcome);
    } catch (err) {
      job.attemptsMade++;
      if (this.closed) {
        job.state = 'waiting';
        return;
      }
      const reason = failureReason(err);
      const attempts = this.options.attemptsOf ? this.options.attemptsOf(job.data) : this.retry.attempts;
      if (isUnrecoverable(err) || job.attemptsMade >= attempts) {
        job.state = 'failed';
        job.failedReason = reason;
        job.finishedOn = Date.now();
        this.log.warn('post-call job failed', { callId: job.data.callId, attempts: job.attemptsMade, reason });
        try {
          await this.options.onFailed?.(job.data, reason, job.attemptsMade);
        } catch (hookErr) {
          this.log.error('recording a failed post-call job failed', { callId: job.data.callId, err: hookErr });
        }
      } else {
        job.state = 'delayed';
        const delay = backoffDelayMs(this.retry, job.attemptsMade);
        this.log.info('post-call job will retry', { callId: job.data.callId, attempt: job.attemptsMade, delayMs: delay, reason });
        job.timer = setTimeout(() => {
          job.timer = null;
          if (this.closed || job.state !== 'delayed') return;
          job.state = 'waiting';
          this.waiting.push(job.id);
          this.pump();
        }, delay);
      }
    } finally {
      this.controllers.delete(job.id);
    }
  }

  private rememberCompleted(id: string): void {
    this.completed.push(id);
    const keep = this.options.keepCompleted ?? 10_000;
    while (this.completed.length > keep) {
      const old = this.completed.shift()!;
      if (this.jobs.get(old)?.state === 'completed') this.jobs.delete(old);
    }
  }
}
