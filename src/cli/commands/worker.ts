/**
 * `switchboard worker` (also `npm run worker`): BullMQ workers for the post-call queue, plus an
 * outbox relay, until SIGINT/SIGTERM (running jobs finish first). SIGHUP reloads the verticals.
 * Needs REDIS_URL; without Redis the gateway runs the same processors in-process.
 */
import type { Command } from 'commander';
import { startPostCallWorker, type ManifestSource, type PostCallTuning, type VersionedManifest } from '../../analysis/index.js';
import { createCatalog } from '../../catalog/index.js';
import { loadConfig, type AppConfig } from '../../config/index.js';
import {
  createLogger, enableProcessMetrics, serveMetrics, setLogLevel, setModelPrices, startTracing, stopTracing, type MetricsServer,
} from '../../observability/index.js';
import { AppError } from '../../shared/index.js';
import { createFleetBus, openStore, type OpenStoreOptions, type Store } from '../../store/index.js';
import { formatProblem, type ManifestProblem } from '../../manifest/index.js';
import { generateInstanceId, startFleetInstance } from '../../server/index.js';
import { action, type CliRun, type RegisterCommand } from '../context.js';

export interface WorkerCatalog extends ManifestSource {
  list(): ReadonlyArray<VersionedManifest & { dir: string }>;
  reload?(): Promise<unknown>;
}

export interface WorkerCommandDeps {
  config(): AppConfig;
  openStore(options: OpenStoreOptions): Promise<Store>;
  loadCatalog(config: AppConfig): Promise<WorkerCatalog>;
  /** Resolves when the worker should stop (default: SIGINT or SIGTERM). */
  stopSignal(): Promise<string>;
  /** Called on SIGHUP-like reload requests (default: SIGHUP). */
  onReloadRequest(fn: () => void): () => void;
  tuning?: PostCallTuning;
}

export const defaultWorkerDeps: WorkerCommandDeps = {
  config: () => loadConfig(),
  openStore,
  async loadCatalog(config) {
    const { registry } = await import('../../../tools/index.js');
    return createCatalog({ verticalsDir: config.paths.verticals, agentsDir: config.paths.agents, registry });
  },
  stopSignal: () => new Promise((resolve) => {
    // A signal to `npm run worker`'s process group reaches node twice (directly, and forwarded by
    // npm): the same signal within a second is the same request. The listener stays, so the copy
    // never meets node's default action (an exit in the middle of the jobs); a later signal ends now.
    let first: { signal: NodeJS.Signals; atMs: number } | undefined;
    const on = (signal: NodeJS.Signals) => {
      if (!first) {
        first = { signal, atMs: Date.now() };
        return resolve(signal);
      }
      if (signal === first.signal && Date.now() - first.atMs < 1000) return;
      process.stderr.write(`switchboard worker: ${signal} again: stopping now (unfinished jobs go back to the queue)\n`);
      process.exit(1);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  }),
  onReloadRequest(fn) {
    const on = () => fn();
    process.on('SIGHUP', on);
    return () => process.off('SIGHUP', on);
  },
};

export function makeWorkerCommand(deps: WorkerCommandDeps = defaultWorkerDeps): RegisterCommand {
  return (program: Command, run: CliRun) => {
    program
      .command('worker')
      .description('run the post-call analysis workers (BullMQ, needs REDIS_URL) until stopped')
      .option('--concurrency <n>', 'jobs at once (default: config analysis.concurrency)')
      .addHelpText('after', `
Reads calls from DATABASE_URL (or the embedded database), analyses them with each vertical's
analyser (OpenAI when OPENAI_API_KEY is set and the vertical's analyser is auto or openai, the
offline heuristic otherwise) and writes call_analysis in the vertical's schema. Also relays the
post-call outbox, so calls get published even when no gateway is running, and runs each
vertical's retention purge on a schedule (one job for the whole fleet). Run as many as you like.
SIGINT/SIGTERM stop it after the running jobs; SIGHUP reloads the verticals.

Examples:
  $ REDIS_URL=redis://localhost:6379 DATABASE_URL=postgres://localhost/switchboard switchboard worker
  $ npm run worker -- --concurrency 8`)
      .action(action(run, async (options: { concurrency?: string }) => {
        let config = deps.config();
        setLogLevel(config.log.level);
        if (options.concurrency !== undefined) {
          const n = Number(options.concurrency);
          if (!Number.isInteger(n) || n < 1 || n > 64) throw new AppError('CLI_USAGE', '--concurrency must be a whole number from 1 to 64');
          config = { ...config, analysis: { ...config.analysis, concurrency: n } };
        }
        if (!config.redis.url) {
          throw new AppError('CONFIG_INVALID', 'REDIS_URL is not set: `switchboard worker` runs BullMQ workers; without Redis the gateway (npm start) analyses calls in-process');
        }
        setModelPrices(config.observability.prices);
        const tracing = startTracing({ serviceName: 'switchboard-worker' });
        const metrics = await startWorkerMetrics(config.observability.workerMetricsPort);
        const store = await deps.openStore({ databaseUrl: config.database.url, dataDir: config.paths.data, poolSize: Math.max(4, config.analysis.concurrency + 2) });
        let stopReload = (): void => undefined;
        try {
          const catalog = await deps.loadCatalog(config);
          await store.migrate();
          for (const v of catalog.list()) await store.migrateVertical(v.manifest, v.dir);
          const handle = await startPostCallWorker({ config, store, catalog, ...(deps.tuning ?? {}) });
          stopReload = deps.onReloadRequest(() => { void catalog.reload?.(); });
          const member = await joinFleetAsWorker(config, store, catalog);
          run.io.out(`post-call worker running: ${catalog.list().map((v) => v.manifest.id).join(', ') || 'no verticals'}; concurrency ${config.analysis.concurrency}` +
            `${metrics ? `; metrics on :${metrics.port}/metrics` : ''}${tracing ? '; tracing on' : ''}`);
          const signal = await deps.stopSignal();
          run.io.out(`stopping (${signal}) after the running jobs`);
          await handle.close();
          await member.close();
        } finally {
          stopReload();
          await store.close();
          await metrics?.close();
          if (tracing) await stopTracing().catch(() => undefined);
        }
      }));
  };
}

/**
 * The worker in the fleet registry (heartbeat, versions) and on the Redis bus: a signed reload
 * request reloads its verticals and reports back like a gateway's.
 */
async function joinFleetAsWorker(config: AppConfig, store: Store, catalog: WorkerCatalog): Promise<{ close(): Promise<void> }> {
  const bus = config.redis.url ? createFleetBus(config.redis.url) : undefined;
  const versions = () => Object.fromEntries(catalog.list().map((v) => [v.manifest.id, v.version]));
  const member = await startFleetInstance({
    id: config.fleet.instanceId ?? generateInstanceId('worker'),
    kind: 'worker',
    repo: store.fleet,
    ...(bus ? { bus } : {}),
    heartbeatMs: config.fleet.heartbeatMs,
    lostAfterMs: config.fleet.lostAfterMs,
    adminToken: config.admin.token,
    sweep: false,
    target: {
      versions,
      async reload() {
        const r = (await catalog.reload?.()) as { ok?: boolean; generation?: number; event?: { generation: number }; problems?: ManifestProblem[] } | undefined;
        if (!r) return { ok: false, generation: null, problems: ['this worker cannot reload'] };
        return { ok: r.ok === true, generation: r.event?.generation ?? r.generation ?? null, problems: (r.problems ?? []).map(formatProblem) };
      },
    },
  });
  return {
    async close() {
      await member.close();
      await bus?.close();
    },
  };
}

/** Prometheus `/metrics` of the worker; a port already taken is logged, never fatal (the worker's job is analysis). */
async function startWorkerMetrics(port: number | null): Promise<MetricsServer | null> {
  if (port === null) return null;
  enableProcessMetrics();
  try {
    return await serveMetrics(port);
  } catch (err) {
    createLogger('analysis').warn('worker metrics server not started', { port, err });
    return null;
  }
}

export const workerCommand: RegisterCommand = makeWorkerCommand();
