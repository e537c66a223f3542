/**
 * Composition of webhook delivery, started beside post-call processing (../start.ts):
 * - REDIS_URL set: a relay publishing to the BullMQ `webhooks` queue; deliveries run in
 *   `switchboard worker` (or in the gateway with `--with-worker`).
 * - no Redis: the relay hands jobs to an in-process queue (not durable). At start-up, events
 *   handed over in the last `recoverSinceMs` whose deliveries have no recorded outcome are queued
 *   again, so a restart re-sends rather than loses them (receivers deduplicate on the event id).
 */
import type { Worker } from 'bullmq';
import type { AppConfig } from '../../config/index.js';
import type { Manifest } from '../../manifest/index.js';
import { createLogger, webhookDeliveryAttempts, type Logger } from '../../observability/index.js';
import type { AnalysisRepository, Db, WebhookEventsRepository } from '../../store/index.js';
import { InProcessQueue } from '../inProcessQueue.js';
import type { ManifestSource } from '../versions.js';
import { createWebhookBullmqPublisher, createWebhookBullmqWorker, type WebhookQueueSettings } from './bullmq.js';
import { createWebhookProcessor, type WebhookProcessor } from './deliver.js';
import { DEFAULT_WEBHOOK_BACKOFF_MS, webhookJobId, type WebhookJob, type WebhookOutcome } from './jobs.js';
import { jobsForEvent, WebhookRelay, type WebhookPublisher } from './relay.js';

export interface WebhookStore {
  webhookEvents: WebhookEventsRepository;
  analysis: Pick<AnalysisRepository, 'get'>;
  dbForVertical(manifest: Manifest): Db;
}

export interface WebhookTuning {
  webhookQueueName?: string;
  prefix?: string;
  reconnectMaxMs?: number;
  /** First retry delay of a delivery; doubles each attempt. */
  webhookBackoffMs?: number;
  relayBackoffBaseMs?: number;
  relayBackoffMaxMs?: number;
  publishTimeoutMs?: number;
  recoverSinceMs?: number;
  /** Where secrets are read (tests); process.env by default. */
  webhookEnv?: Readonly<Record<string, string | undefined>>;
  webhookFetch?: typeof fetch;
  logger?: Logger;
}

export interface WebhookDeliveryOptions extends WebhookTuning {
  config: AppConfig;
  store: WebhookStore;
  catalog: Pick<ManifestSource, 'get'>;
  /** With Redis: deliver in this process too (a worker); without Redis deliveries always run here. */
  deliverHere: boolean;
}

export interface WebhookDelivery {
  readonly mode: 'bullmq' | 'in-process';
  readonly relay: WebhookRelay;
  readonly queue: InProcessQueue<WebhookJob, WebhookOutcome> | null;
  readonly worker: Worker | null;
  nudge(): void;
  close(): Promise<void>;
}

export function buildWebhookProcessor(options: Pick<WebhookDeliveryOptions, 'store' | 'catalog' | 'webhookEnv' | 'webhookFetch' | 'logger'>): WebhookProcessor {
  const { store, catalog } = options;
  return createWebhookProcessor({
    events: store.webhookEvents,
    async analysisOf(vertical, callId) {
      const manifest = catalog.get(vertical)?.manifest;
      const row = manifest ? await store.analysis.get(store.dbForVertical(manifest), callId) : null;
      return row ? { summary: row.summary, fields: row.fields } : null;
    },
    ...(options.webhookEnv ? { env: options.webhookEnv } : {}),
    ...(options.webhookFetch ? { fetch: options.webhookFetch } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

const recordFailure = (store: WebhookStore) => (job: WebhookJob, reason: string, attemptsMade: number) => {
  webhookDeliveryAttempts.inc({ vertical: job.vertical, event: job.type, outcome: 'dead_letter' });
  return store.webhookEvents.recordDelivery({ jobId: webhookJobId(job), eventId: job.eventId, subscription: job.subscription, status: 'failed', attempts: attemptsMade, error: reason });
};

function queueSettings(config: AppConfig, t: WebhookTuning): WebhookQueueSettings {
  return {
    redisUrl: config.redis.url!,
    ...(t.webhookQueueName ? { webhookQueueName: t.webhookQueueName } : {}),
    ...(t.prefix ? { prefix: t.prefix } : {}),
    ...(t.reconnectMaxMs ? { reconnectMaxMs: t.reconnectMaxMs } : {}),
    backoffMs: t.webhookBackoffMs ?? DEFAULT_WEBHOOK_BACKOFF_MS,
  };
}

function makeRelay(options: WebhookDeliveryOptions, publisher: WebhookPublisher, log: Logger): WebhookRelay {
  return new WebhookRelay({
    events: options.store.webhookEvents,
    catalog: options.catalog,
    publisher,
    pollMs: options.config.analysis.outboxPollMs,
    ...(options.relayBackoffBaseMs ? { backoffBaseMs: options.relayBackoffBaseMs } : {}),
    ...(options.relayBackoffMaxMs ? { backoffMaxMs: options.relayBackoffMaxMs } : {}),
    ...(options.publishTimeoutMs ? { publishTimeoutMs: options.publishTimeoutMs } : {}),
    logger: log,
  });
}

/** In-process mode: re-queues deliveries of recently published events that have no recorded outcome. */
async function recoverLost(options: WebhookDeliveryOptions, queue: InProcessQueue<WebhookJob, WebhookOutcome>, log: Logger): Promise<void> {
  const since = new Date(Date.now() - (options.recoverSinceMs ?? 7 * 24 * 3600_000));
  const events = await options.store.webhookEvents.sentSince(since);
  const jobs = events.flatMap((e) => jobsForEvent(e, options.catalog));
  const settled = await options.store.webhookEvents.settled(jobs.map(webhookJobId));
  const lost = jobs.filter((j) => !settled.has(webhookJobId(j)));
  if (lost.length > 0) log.info('re-queued webhook deliveries left unfinished by the last run', { recovered: queue.add(lost) });
}

export async function startWebhookDelivery(options: WebhookDeliveryOptions): Promise<WebhookDelivery> {
  const log = options.logger ?? createLogger('webhooks');
  const processor = buildWebhookProcessor({ ...options, logger: log });
  const concurrency = Math.max(2, options.config.analysis.concurrency);

  if (options.config.redis.url) {
    const settings = queueSettings(options.config, options);
    const publisher = createWebhookBullmqPublisher(settings, log);
    const relay = makeRelay(options, publisher, log);
    const worker = options.deliverHere
      ? createWebhookBullmqWorker(settings, processor, { concurrency, onFailed: recordFailure(options.store), logger: log })
      : null;
    relay.start();
    return {
      mode: 'bullmq', relay, queue: null, worker,
      nudge: () => relay.nudge(),
      async close() {
        await relay.stop();
        await publisher.close();
        await worker?.close();
      },
    };
  }

  const queue = new InProcessQueue<WebhookJob, WebhookOutcome>({
    processor,
    concurrency,
    retry: { attempts: 8, backoffMs: options.webhookBackoffMs ?? DEFAULT_WEBHOOK_BACKOFF_MS },
    idOf: webhookJobId,
    attemptsOf: (job) => job.maxAttempts,
    onFailed: recordFailure(options.store),
    logger: log,
  });
  const relay = makeRelay(options, { publish: async (jobs) => { queue.add(jobs); }, close: async () => undefined }, log);
  try {
    await recoverLost(options, queue, log);
  } catch (err) {
    log.warn('start-up recovery of webhook deliveries failed; unsent events are still published', { err });
  }
  relay.start();
  return {
    mode: 'in-process', relay, queue, worker: null,
    nudge: () => relay.nudge(),
    async close() {
      await relay.stop();
      await queue.close();
    },
  };
}
