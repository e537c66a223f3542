/**
 * Composition of post-call processing for the gateway and the worker.
 *
 * `startPostCallProcessing` (the gateway, `src/bin/server.ts`):
 * - REDIS_URL set: an outbox relay publishing to the BullMQ `post-call` queue; analyses run in
 *   `switchboard worker` processes, or in this process too with `withWorker`.
 * - no Redis: the relay hands jobs to an in-process queue running the same processor (not
 *   durable: see inProcessQueue.ts). At start-up, unsent outbox rows are published as usual and
 *   calls published in the last `recoverSinceMs` without an analysis or a recorded failure are
 *   queued again, so a restart redoes unfinished work instead of losing it.
 *
 * `startPostCallWorker` (`switchboard worker`): BullMQ workers plus a relay of its own, so calls
 * recorded by any process (gateway, simulator) get published even when no gateway runs. Several
 * relays are safe: the job id is the call id.
 *
 * Both record every manifest version their catalog compiles (at start and on each reload), and
 * analyse each call with the version it ran on (versions.ts).
 */
import type { AppConfig } from '../config/index.js';
import type { Manifest } from '../manifest/index.js';
import { createLogger, type Logger } from '../observability/index.js';
import type { AnalysisRepository } from '../store/index.js';
import type { OutboxRepository } from '../store/index.js';
import type { Db } from '../store/index.js';
import { ConfigError } from '../shared/index.js';
import { createBullmqPublisher, createBullmqWorker, type BullmqSettings } from './bullmq.js';
import { heuristicAnalyser } from './heuristic/index.js';
import { InProcessQueue } from './inProcessQueue.js';
import { DEFAULT_RETRY, type PostCallJob, type PostCallOutcome, type RetryPolicy } from './jobs.js';
import { createOpenAiAnalyser } from './openai/analyser.js';
import { createPostCallProcessor, type AnalyserSet, type PostCallProcessor } from './processor.js';
import { OutboxRelay, type JobPublisher } from './relay.js';
import {
  createManifestResolver, trackManifestVersions, type ManifestSource, type ManifestVersionStore, type VersionTracker,
} from './versions.js';
import type { Worker } from 'bullmq';
import { startWebhookDelivery, type WebhookDelivery, type WebhookTuning } from './webhooks/start.js';
import type { WebhookEventsRepository } from '../store/index.js';
import { purgeExpired, type RetentionStore } from './retention.js';
import { startRetentionScheduler, startRetentionTimer, type RetentionSchedule } from './retentionSchedule.js';

/** What post-call processing needs of the store (`openStore()` returns a superset). */
export interface PostCallStore {
  outbox: Pick<OutboxRepository, 'pending' | 'markSent' | 'markFailed'>;
  analysis: AnalysisRepository;
  /** Each compiled version's analysis settings. */
  manifestVersions: ManifestVersionStore;
  dbForVertical(manifest: Manifest): Db;
  /** The webhook outbox; absent, no webhook is delivered (and call.analyzed is not recorded). */
  webhookEvents?: WebhookEventsRepository;
  /** Retention purges (each vertical's `retention`), run on a schedule. */
  retention: RetentionStore['retention'];
}

export interface PostCallTuning extends WebhookTuning {
  /** BullMQ queue name and Redis key prefix (tests make both unique). */
  queueName?: string;
  prefix?: string;
  retry?: RetryPolicy;
  /** Worker lock: a worker killed mid-job has its job retried after this. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  reconnectMaxMs?: number;
  relayBackoffBaseMs?: number;
  relayBackoffMaxMs?: number;
  publishTimeoutMs?: number;
  /** In-process mode: how far back the start-up recovery looks. Default 7 days. */
  recoverSinceMs?: number;
  /** Overrides the analysers built from config (tests). */
  analysers?: AnalyserSet;
  /** Injected fetch for the OpenAI client (tests). */
  fetch?: typeof fetch;
  onCompleted?: (job: PostCallJob, outcome: PostCallOutcome) => void;
  logger?: Logger;
  /** Retention: the BullMQ queue name (tests), and false to not schedule purges at all. */
  retentionQueueName?: string;
  retention?: boolean;
}

export interface StartPostCallOptions extends PostCallTuning {
  config: AppConfig;
  store: PostCallStore;
  catalog: ManifestSource;
  /** With Redis: also run BullMQ workers in this process (`--with-worker`). */
  withWorker?: boolean;
}

export interface PostCallProcessing {
  readonly mode: 'bullmq' | 'in-process';
  readonly relay: OutboxRelay;
  /** Present in in-process mode. */
  readonly queue: InProcessQueue | null;
  /** Present when this process runs BullMQ workers. */
  readonly worker: Worker | null;
  /** Webhook delivery (absent when the store has no webhook outbox). */
  readonly webhooks: WebhookDelivery | null;
  /** A call was just finalised: publish now rather than at the next poll. */
  nudge(): void;
  /** Stops the relay, then the workers (in-process jobs still queued are left to the start-up recovery). */
  close(): Promise<void>;
}

/** The analysers config allows: the heuristic always, OpenAI when a key is configured. */
export function analysersFromConfig(config: AppConfig, fetchImpl?: typeof fetch): AnalyserSet {
  const set: AnalyserSet = { heuristic: heuristicAnalyser };
  if (config.openai.apiKey) {
    set.openai = createOpenAiAnalyser({
      apiKey: config.openai.apiKey,
      baseUrl: config.openai.apiBaseUrl,
      model: config.openai.analysisModel,
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    });
  }
  return set;
}

export function buildProcessor(options: Pick<StartPostCallOptions, 'config' | 'store' | 'catalog' | 'analysers' | 'fetch' | 'logger'>): PostCallProcessor {
  return createPostCallProcessor({
    analysis: options.store.analysis,
    dbForVertical: (m) => options.store.dbForVertical(m),
    getManifest: (id) => options.catalog.get(id)?.manifest,
    versions: createManifestResolver({ source: options.catalog, store: options.store.manifestVersions, logger: options.logger ?? createLogger('analysis') }),
    analysers: options.analysers ?? analysersFromConfig(options.config, options.fetch),
    ...(options.store.webhookEvents ? { events: options.store.webhookEvents } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

function bullmqSettings(config: AppConfig, tuning: PostCallTuning): BullmqSettings {
  return {
    redisUrl: config.redis.url!,
    ...(tuning.queueName ? { queueName: tuning.queueName } : {}),
    ...(tuning.prefix ? { prefix: tuning.prefix } : {}),
    ...(tuning.retry ? { retry: tuning.retry } : {}),
    ...(tuning.reconnectMaxMs ? { reconnectMaxMs: tuning.reconnectMaxMs } : {}),
  };
}

function makeRelay(options: StartPostCallOptions, publisher: JobPublisher, log: Logger): OutboxRelay {
  return new OutboxRelay({
    outbox: options.store.outbox,
    verticalsOf: (ids) => options.store.analysis.verticalsOf(ids),
    traceIdsOf: (ids) => options.store.analysis.traceIdsOf(ids),
    publisher,
    pollMs: options.config.analysis.outboxPollMs,
    ...(options.relayBackoffBaseMs ? { backoffBaseMs: options.relayBackoffBaseMs } : {}),
    ...(options.relayBackoffMaxMs ? { backoffMaxMs: options.relayBackoffMaxMs } : {}),
    ...(options.publishTimeoutMs ? { publishTimeoutMs: options.publishTimeoutMs } : {}),
    logger: log,
  });
}

/** Scheduled retention purges: the BullMQ job scheduler where workers run, a timer in-process. */
async function startRetention(options: StartPostCallOptions, mode: 'bullmq' | 'in-process', log: Logger): Promise<RetentionSchedule | null> {
  if (options.retention === false) return null;
  const run = () => purgeExpired({ store: options.store, manifests: options.catalog.list().map((v) => v.manifest), logger: log });
  const intervalMs = options.config.retention.purgeIntervalMs;
  if (mode === 'in-process') return startRetentionTimer({ intervalMs, run, logger: log });
  try {
    return await startRetentionScheduler(bullmqSettings(options.config, options), {
      intervalMs, run, logger: log, ...(options.retentionQueueName ? { queueName: options.retentionQueueName } : {}),
    });
  } catch (err) {
    log.warn('retention purges not scheduled (Redis unavailable?); `switchboard purge` still works', { err });
    return null;
  }
}

function makeWorker(options: StartPostCallOptions, processor: PostCallProcessor, log: Logger): Worker {
  return createBullmqWorker(bullmqSettings(options.config, options), processor, {
    concurrency: options.config.analysis.concurrency,
    ...(options.lockDurationMs ? { lockDurationMs: options.lockDurationMs } : {}),
    ...(options.stalledIntervalMs ? { stalledIntervalMs: options.stalledIntervalMs } : {}),
    onFailed: (job, reason) => options.store.analysis.recordJobFailure(job.callId, reason),
    ...(options.onCompleted ? { onCompleted: options.onCompleted } : {}),
    logger: log,
  });
}

/** Re-queues, into the in-process queue, calls published earlier whose analysis never landed. */
async function recoverLostJobs(options: StartPostCallOptions, queue: InProcessQueue, log: Logger): Promise<number> {
  const since = new Date(Date.now() - (options.recoverSinceMs ?? 7 * 24 * 3600_000));
  let recovered = 0;
  for (const { manifest } of options.catalog.list()) {
    const ids = await options.store.analysis.publishedWithoutAnalysis(options.store.dbForVertical(manifest), manifest.id, since);
    recovered += queue.add(ids.map((callId) => ({ callId, vertical: manifest.id })));
  }
  if (recovered > 0) log.info('re-queued calls left without an analysis by the last run', { recovered });
  return recovered;
}

/** Records the catalog's versions (awaited, so a worker elsewhere can resolve them) and every later reload's. */
async function startTracking(options: Pick<StartPostCallOptions, 'catalog' | 'store'>, log: Logger): Promise<VersionTracker> {
  const tracker = trackManifestVersions(options.catalog, options.store.manifestVersions, log);
  await tracker.ready;
  return tracker;
}

/** Webhook delivery beside post-call processing, when the store has the webhook outbox. */
function startWebhooks(options: StartPostCallOptions, deliverHere: boolean, log: Logger): Promise<WebhookDelivery | null> {
  const webhookEvents = options.store.webhookEvents;
  if (!webhookEvents) return Promise.resolve(null);
  return startWebhookDelivery({ ...options, store: { webhookEvents, analysis: options.store.analysis, dbForVertical: (m) => options.store.dbForVertical(m) }, deliverHere, logger: log.child({ area: 'webhooks' }) });
}

export async function startPostCallProcessing(options: StartPostCallOptions): Promise<PostCallProcessing> {
  const log = options.logger ?? createLogger('analysis');
  const versions = await startTracking(options, log);
  const processor = buildProcessor({ ...options, logger: log });

  if (options.config.redis.url) {
    const publisher = createBullmqPublisher(bullmqSettings(options.config, options), log);
    const relay = makeRelay(options, publisher, log);
    const worker = options.withWorker ? makeWorker(options, processor, log) : null;
    const webhooks = await startWebhooks(options, Boolean(options.withWorker), log);
    const retention = worker ? await startRetention(options, 'bullmq', log) : null;
    relay.start();
    log.info('post-call processing on BullMQ', { withWorker: Boolean(worker), concurrency: options.config.analysis.concurrency });
    return {
      mode: 'bullmq', relay, queue: null, worker, webhooks,
      nudge: () => { relay.nudge(); webhooks?.nudge(); },
      async close() {
        versions.stop();
        await relay.stop();
        await publisher.close();
        await retention?.close();
        await worker?.close();
        await webhooks?.close();
      },
    };
  }

  const queue = new InProcessQueue({
    processor,
    concurrency: options.config.analysis.concurrency,
    retry: options.retry ?? DEFAULT_RETRY,
    onFailed: (job, reason) => options.store.analysis.recordJobFailure(job.callId, reason),
    ...(options.onCompleted ? { onCompleted: options.onCompleted } : {}),
    logger: log,
  });
  const publisher: JobPublisher = {
    publish: async (jobs) => { queue.add(jobs); },
    close: async () => undefined,
  };
  const relay = makeRelay(options, publisher, log);
  try {
    await recoverLostJobs(options, queue, log);
  } catch (err) {
    log.warn('start-up recovery of post-call jobs failed; unsent outbox rows are still published', { err });
  }
  const webhooks = await startWebhooks(options, true, log);
  relay.start();
  const retention = await startRetention(options, 'in-process', log);
  log.info('post-call processing in-process (no REDIS_URL): not durable across restarts', { concurrency: options.config.analysis.concurrency });
  return {
    mode: 'in-process', relay, queue, worker: null, webhooks,
    nudge: () => { relay.nudge(); webhooks?.nudge(); },
    async close() {
      versions.stop();
      await relay.stop();
      await retention?.close();
      await queue.close();
      await webhooks?.close();
    },
  };
}

export interface PostCallWorkerHandle {
  readonly relay: OutboxRelay;
  readonly worker: Worker;
  readonly webhooks: WebhookDelivery | null;
  close(): Promise<void>;
}

/** `switchboard worker`: BullMQ workers and a relay. Requires REDIS_URL. */
export async function startPostCallWorker(options: Omit<StartPostCallOptions, 'withWorker'>): Promise<PostCallWorkerHandle> {
  const log = options.logger ?? createLogger('analysis');
  if (!options.config.redis.url) {
    throw new ConfigError('config REDIS_URL (redis.url): `switchboard worker` needs Redis; without it the gateway runs the post-call processors in-process');
  }
  const versions = await startTracking(options, log);
  const processor = buildProcessor({ ...options, logger: log });
  const publisher = createBullmqPublisher(bullmqSettings(options.config, options), log);
  const relay = makeRelay(options, publisher, log);
  const worker = makeWorker(options, processor, log);
  const webhooks = await startWebhooks(options, true, log);
  const retention = await startRetention(options, 'bullmq', log);
  relay.start();
  log.info('post-call worker started', { concurrency: options.config.analysis.concurrency, retentionEveryMs: retention ? options.config.retention.purgeIntervalMs : null });
  return {
    relay, worker, webhooks,
    async close() {
      versions.stop();
      await relay.stop();
      await publisher.close();
      await retention?.close();
      await worker.close();
      await webhooks?.close();
    },
  };
}
