/**
 * The webhook relay: fans each pending `webhook_events` row out to the vertical's webhooks that
 * hear it (the catalog's current manifest: a changed URL applies to events not yet sent), one job
 * per (event, webhook), and marks the row sent once the queue has them. Deliveries already made
 * are skipped, so a replayed event only reaches the webhooks that missed it. Like the post-call
 * relay (../relay.ts): it polls, runs at once when nudged, and backs off exponentially while
 * publishing fails, leaving the rows in Postgres. The call path never waits for any of it.
 */
import { webhooksFor, secretEnvName } from '../../manifest/index.js';
import { createLogger, type Logger } from '../../observability/index.js';
import type { CallEventRecord, WebhookEventsRepository } from '../../store/index.js';
import { describeError } from '../../shared/index.js';
import type { ManifestSource } from '../versions.js';
import { subscriptionKey, webhookJobId, type WebhookJob } from './jobs.js';

export interface WebhookPublisher {
  publish(jobs: readonly WebhookJob[]): Promise<void>;
  close(): Promise<void>;
}

export interface WebhookRelayOptions {
  events: Pick<WebhookEventsRepository, 'pending' | 'markSent' | 'markFailed' | 'delivered'>;
  catalog: Pick<ManifestSource, 'get'>;
  publisher: WebhookPublisher;
  pollMs: number;
  batchSize?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  publishTimeoutMs?: number;
  logger?: Logger;
}

/** The jobs of one event: one per webhook of the vertical that hears it. */
export function jobsForEvent(event: CallEventRecord, catalog: Pick<ManifestSource, 'get'>): WebhookJob[] {
  const manifest = catalog.get(event.vertical)?.manifest;
  const seen = new Set<string>();
  const jobs: WebhookJob[] = [];
  for (const hook of webhooksFor(manifest?.webhooks, event.type)) {
    const subscription = subscriptionKey(hook.url);
    if (seen.has(subscription)) continue;
    seen.add(subscription);
    jobs.push({
      eventId: event.eventId, type: event.type, callId: event.callId, vertical: event.vertical,
      occurredAt: event.occurredAt.toISOString(), data: event.data, subscription, url: hook.url,
      secretEnv: secretEnvName(hook.secret), include: hook.include, timeoutMs: hook.timeoutMs, maxAttempts: hook.maxAttempts,
    });
  }
  return jobs;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`publish did not answer within ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class WebhookRelay {
  private readonly log: Logger;
  private running = false;
  private loopDone: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private nudged = false;
  private failures = 0;
  private passing: Promise<{ published: number; failed: boolean }> | null = null;
  readonly stats = { published: 0, failedPublishes: 0 };

  constructor(private readonly options: WebhookRelayOptions) {
    this.log = options.logger ?? createLogger('webhooks');
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

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

  /** One pass over the pending events; concurrent callers share it. */
  publishPending(): Promise<{ published: number; failed: boolean }> {
    this.passing ??= this.pass().finally(() => { this.passing = null; });
    return this.passing;
  }

  private async pass(): Promise<{ published: number; failed: boolean }> {
    const batchSize = this.options.batchSize ?? 200;
    let published = 0;
    for (let batchNo = 0; batchNo < 100; batchNo++) {
      const events = await this.options.events.pending(batchSize);
      if (events.length === 0) break;
      const all = events.flatMap((e) => jobsForEvent(e, this.options.catalog));
      const done = await this.options.events.delivered(all.map(webhookJobId));
      const jobs = all.filter((j) => !done.has(webhookJobId(j)));
      try {
        await withTimeout(this.options.publisher.publish(jobs), this.options.publishTimeoutMs ?? 5_000);
      } catch (err) {
        this.stats.failedPublishes++;
        const reason = `publish failed: ${describeError(err)}`;
        await this.options.events.markFailed(events[0]!.eventId, reason).catch(() => undefined);
        this.log.warn('webhook publish failed; events stay in the outbox', { waiting: events.length, reason, backoffLevel: this.failures + 1 });
        return { published, failed: true };
      }
      await this.options.events.markSent(events.map((e) => e.eventId));
      published += jobs.length;
      this.stats.published += jobs.length;
      if (events.length < batchSize) break;
    }
    return { published, failed: false };
  }

  private async loop(): Promise<void> {
    const base = this.options.backoffBaseMs ?? 500;
    const max = this.options.backoffMaxMs ?? 30_000;
    while (this.running) {
      this.nudged = false;
      try {
        const result = await this.publishPending();
        this.failures = result.failed ? this.failures + 1 : 0;
      } catch (err) {
        this.failures++;
        this.log.warn('webhook relay pass failed', { err, backoffLevel: this.failures });
      }
      if (!this.running) break;
      if (this.failures === 0 && this.nudged) continue;
      const ms = this.failures > 0 ? Math.min(max, base * 2 ** (this.failures - 1)) : this.options.pollMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.wake = () => { this.wake = null; done(); };
      });
    }
  }
}
