/**
 * The outbox relay: moves `post_call_outbox` rows (written in the transaction that finalises a
 * call) onto the post-call queue, and marks them sent once the queue has them. It polls every
 * `pollMs` and runs at once when nudged (a call just ended). When publishing fails (Redis down),
 * the rows stay unsent with their attempt count and last error, and the relay backs off
 * exponentially (nudges are ignored while it does) until a publish succeeds. The call path never
 * waits for any of this: it only writes the outbox row.
 *
 * Publishing is at-least-once (a crash between publish and mark re-publishes); the queue's job id
 * (the call id) makes that one job, and the analysis upsert makes it one row.
 */
import { callTraceparent, createLogger, type Logger } from '../observability/index.js';
import type { OutboxRepository } from '../store/index.js';
import { describeError } from '../shared/index.js';
import type { PostCallJob } from './jobs.js';

/** Where the relay publishes: BullMQ, or the in-process queue. */
export interface JobPublisher {
  publish(jobs: readonly PostCallJob[]): Promise<void>;
  close(): Promise<void>;
}

export interface OutboxRelayOptions {
  outbox: Pick<OutboxRepository, 'pending' | 'markSent' | 'markFailed'>;
  /** call id → vertical, for the job payload. */
  verticalsOf(callIds: readonly string[]): Promise<Map<string, string>>;
  /** call id → trace id (the call row's), so each job carries its call's trace context. */
  traceIdsOf?(callIds: readonly string[]): Promise<Map<string, string>>;
  publisher: JobPublisher;
  pollMs: number;
  batchSize?: number;
  /** First backoff after a failed publish; doubles each time up to backoffMaxMs. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A publish that has not answered by then counts as failed (a hung connection must not stall the relay). */
  publishTimeoutMs?: number;
  logger?: Logger;
}

export interface RelayPassResult {
  published: number;
  failed: boolean;
}

class PublishTimeout extends Error {
  constructor(ms: number) {
    super(`publish did not answer within ${ms} ms`);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new PublishTimeout(ms)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class OutboxRelay {
  private readonly log: Logger;
  private readonly batchSize: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly publishTimeoutMs: number;
  private running = false;
  private loopDone: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private sleepTimer: NodeJS.Timeout | null = null;
  private nudged = false;
  private failures = 0;
  private passing: Promise<RelayPassResult> | null = null;
  /** Totals since start, for logs and the benchmark. */
  readonly stats = { published: 0, failedPublishes: 0, passes: 0 };

  constructor(private readonly options: OutboxRelayOptions) {
    this.log = options.logger ?? createLogger('analysis');
    this.batchSize = options.batchSize ?? 200;
    this.backoffBaseMs = options.backoffBaseMs ?? 500;
    this.backoffMaxMs = options.backoffMaxMs ?? 30_000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
  }

  /** Consecutive failed passes (0 when healthy). */
  get backoffLevel(): number {
    return this.failures;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** A call just ended: publish now instead of at the next poll (unless backing off). */
  nudge(): void {
    this.nudged = true;
    if (this.failures === 0) this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loopDone;
    this.loopDone = null;
  }

  /**
   * One pass: publishes unsent rows, batch after batch, until none are left or a publish fails.
   * Concurrent callers share the pass in progress.
   */
  publishPending(): Promise<RelayPassResult> {
    this.passing ??= this.pass().finally(() => { this.passing = null; });
    return this.passing;
  }

  private async pass(): Promise<RelayPassResult> {
    this.stats.passes++;
    let published = 0;
    for (let batchNo = 0; batchNo < 100; batchNo++) {
      const rows = await this.options.outbox.pending(this.batchSize);
      if (rows.length === 0) break;
      const ids = rows.map((r) => r.callId);
      const [verticals, traces] = await Promise.all([this.options.verticalsOf(ids), this.options.traceIdsOf?.(ids)]);
      const jobs: PostCallJob[] = [];
      const queuedAtMs = Date.now();
      for (const row of rows) {
        const vertical = verticals.get(row.callId);
        const traceparent = callTraceparent(traces?.get(row.callId));
        if (vertical) jobs.push({ callId: row.callId, vertical, ...(traceparent ? { traceparent, queuedAtMs } : {}) });
      }
      try {
        await withTimeout(this.options.publisher.publish(jobs), this.publishTimeoutMs);
      } catch (err) {
        this.stats.failedPublishes++;
        const reason = `publish failed: ${describeError(err)}`;
        // Recorded on the oldest row only: one write per failed pass, not one per waiting call.
        await this.options.outbox.markFailed(rows[0]!.callId, reason).catch(() => undefined);
        this.log.warn('post-call publish failed; rows stay in the outbox', { waiting: rows.length, reason, backoffLevel: this.failures + 1 });
        return { published, failed: true };
      }
      await this.options.outbox.markSent(jobs.map((j) => j.callId));
      published += jobs.length;
      this.stats.published += jobs.length;
      if (rows.length < this.batchSize) break;
    }
    return { published, failed: false };
  }

  private backoffMs(): number {
    return Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.max(0, this.failures - 1));
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.nudged = false;
      try {
        const result = await this.publishPending();
        if (result.failed) this.failures++;
        else {
          if (this.failures > 0) this.log.info('post-call publishing recovered', { afterFailures: this.failures });
          this.failures = 0;
        }
      } catch (err) {
        this.failures++;
        this.log.warn('outbox relay pass failed', { err, backoffLevel: this.failures });
      }
      if (!this.running) break;
      if (this.failures === 0 && this.nudged) continue;
      await this.sleep(this.failures > 0 ? this.backoffMs() : this.options.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        if (this.sleepTimer) clearTimeout(this.sleepTimer);
        this.sleepTimer = null;
        this.wake = null;
        resolve();
      };
      this.sleepTimer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
