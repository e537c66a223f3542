/**
 * `npm start`: the gateway. Config → store (embedded PGlite when DATABASE_URL is unset) →
 * migrations → verticals (catalog) → engine + call handler → post-call processing → listen.
 * Works on a fresh clone with nothing configured. SIGINT/SIGTERM drain it gracefully.
 */
import { loadConfig, type AppConfig } from '../config/index.js';
import { createCatalog, startRoutingSync, type Catalog, type CompileOptions } from '../catalog/index.js';
import { recordManifestVersions, startPostCallProcessing } from '../analysis/index.js';
import { ManifestError, formatProblem } from '../manifest/index.js';
import {
  createLogger, enableProcessMetrics, setEdgeLatencySource, setLogLevel, setModelPrices, startTracing, stopTracing,
} from '../observability/index.js';
import { checkWebhookSecurity, createGateway, onStopSignals, type Gateway } from '../server/index.js';
import { createRedisChangeFeed, openStore, type Store } from '../store/index.js';
import { ConfigError, describeError } from '../shared/index.js';
import { createCarriers, type Carrier } from '../telephony/index.js';
import { registry } from '../../tools/index.js';
import { runPrimary, serveForPrimary, WORKER_ID_ENV, WORKER_QUERY, workersWanted } from './workers.js';
import { createRealtimeRuntime, snapshotEdgeStats, type CallManager } from '../realtime/index.js';
import { cascadeAvailableFor, engineKindFor, unknownVoices } from '../engines/index.js';
import { gatewayFleet, joinFleet, migrateBeforeSwap, prepareVerticals, type GatewayFleet } from './fleet.js';

const log = createLogger('main');

/** On the real ElevenLabs: every voice id the cascade verticals name must be in the account (in the background, warnings only). */
function checkCascadeVoices(config: AppConfig, catalog: Catalog): void {
  const key = config.elevenlabs.apiKey;
  if (!key || engineKindFor(config) !== 'openai') return;
  unknownVoices(config.elevenlabs.apiBaseUrl, key, catalog.list().map((v) => v.manifest)).then((unknown) => {
    for (const u of unknown) {
      log.warn(`${u.vertical}: ${u.where} "${u.voiceId}" is not a voice of this ElevenLabs account; its calls cannot speak. Fix the id (GET /v1/voices lists them)`, { code: 'TTS_VOICE_UNKNOWN' });
    }
  }, (err: unknown) => log.warn('could not check the cascade voices against ElevenLabs', { err: describeError(err) }));
}

interface Running {
  gateway: Gateway;
  store: Store;
  /** Things to stop after the gateway drained, last registered first. */
  stoppers: Array<() => Promise<void>>;
  drainTimeoutMs: number;
}

/** The call handler (src/realtime's CallManager) and the engine it talks to. */
async function createCallHandler(config: AppConfig, store: Store, catalog: Catalog, carriers: readonly Carrier[], stoppers: Running['stoppers'], fleet: GatewayFleet): Promise<{ handler: CallManager; engine: string; voiceText: string }> {
  // engine.emulatorUrl (SWITCHBOARD_EMULATOR_URL): an emulator already running elsewhere (fleet tests and benchmark share one).
  const runtime = await createRealtimeRuntime({ config, store, catalog, carriers, fleet: fleet.handlerOptions });
  // The lines the gateway speaks itself (fallback, transfer, goodbye) need a voice: say loudly when there is none.
  const silent = Object.entries(runtime.voices.voices).filter(([, v]) => v === 'none').map(([id]) => id);
  if (silent.length > 0) {
    const warning = `no voice for canned lines (${silent.join(', ')}): set OPENAI_API_KEY / ELEVENLABS_API_KEY, or install espeak-ng (apt-get install espeak-ng). ` +
      'Until then the fallback, transfer and goodbye lines are not played to callers.';
    log.warn(warning);
    process.stderr.write(`\n*** WARNING: ${warning}\n\n`);
  }
  const providers = [...new Set(Object.values(runtime.voices.voices))].join(', ');
  // The gateway's drain ends live calls through the handler; this stops the engine afterwards.
  stoppers.push(() => runtime.close());
  return { handler: runtime.handler, engine: runtime.engine, voiceText: providers || 'none' };
}

/**
 * The operator's number assignments and canaries (phone_numbers, canaries) applied to the
 * catalog now, on every Redis nudge (REDIS_URL) and every few seconds; with embedded PGlite the
 * CLI writes the same tables through this process's loopback wire server.
 */
async function startRouting(config: AppConfig, store: Store, catalog: Catalog, compile: CompileOptions, stoppers: Running['stoppers']): Promise<void> {
  const changes = config.redis.url ? createRedisChangeFeed(config.redis.url) : undefined;
  const sync = startRoutingSync({
    catalog,
    compile,
    ...(changes ? { changes } : {}),
    load: async () => ({ assignments: await store.phoneNumbers.list(), canaries: await store.canaries.list() }),
    // Post-call analysis reads a call's manifest by the version it ran: candidates' too.
    onCandidate: async (candidate) => { await recordManifestVersions(store.manifestVersions, { list: () => [candidate] }); },
  });
  stoppers.push(async () => {
    await sync.close();
    await changes?.close();
  });
  await sync.ready;
}

/** `workerId`: this process is one of `--workers`' gateways (it serves the sockets its primary hands it). */
async function start(config: AppConfig, workerId?: string): Promise<Running> {
  const publicUrlForCheck = config.server.publicUrl ?? `http://localhost:${config.server.port}`;
  for (const warning of checkWebhookSecurity({ publicUrl: publicUrlForCheck, twilioAuthToken: config.twilio.authToken, insecure: config.server.insecure })) {
    log.warn(warning);
    process.stderr.write(`\n*** WARNING: ${warning}\n\n`);
  }
  setModelPrices(config.observability.prices);
  // Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; flushed after everything else stopped.
  if (startTracing({ serviceName: 'switchboard-gateway' })) log.info('tracing on (OTLP/HTTP)', { endpoint: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '' });
  enableProcessMetrics();
  setEdgeLatencySource(snapshotEdgeStats);
  const stoppers: Running['stoppers'] = [];

  const store = await openStore({
    databaseUrl: config.database.url,
    dataDir: config.paths.data,
    poolSize: config.database.poolSize,
    shareEmbedded: true,
  });
  try {
    await store.migrate();
    const compile: CompileOptions = { verticalsDir: config.paths.verticals, agentsDir: config.paths.agents, registry, cascadeAvailable: cascadeAvailableFor(config) };
    const catalog = createCatalog(compile);
    for (const p of catalog.problems) log.warn(formatProblem(p));
    checkCascadeVoices(config, catalog);
    await prepareVerticals(store, catalog.list());
    migrateBeforeSwap(catalog, store);
    await startRouting(config, store, catalog, compile, stoppers);

    // Every registered carrier (src/telephony/carriers.ts), each reading its own config section.
    const publicUrl = config.server.publicUrl ?? `http://localhost:${config.server.port}`;
    const carriers = createCarriers({
      publicUrl, settings: { twilio: config.twilio, webrtc: config.webrtc }, env: process.env, log: createLogger('telephony'),
      // The stream comes back to the worker that prepared the call (src/bin/workers.ts).
      ...(workerId ? { streamQuery: `${WORKER_QUERY}=${workerId}` } : {}),
    });
    const fleet = gatewayFleet(config, store);
    const { handler, engine, voiceText } = await createCallHandler(config, store, catalog, carriers, stoppers, fleet);
    const fleetReload = await joinFleet(config, store, catalog, handler, fleet, stoppers);

    // POST-CALL PROCESSING (analysis engineer): outbox relay → BullMQ `post-call` when REDIS_URL is set
    // (workers: `switchboard worker`, or here too with --with-worker), else the same processors in-process.
    const postCall = await startPostCallProcessing({ config, store, catalog, withWorker: process.argv.includes('--with-worker') });
    stoppers.push(() => postCall.close());

    const gateway = createGateway({
      catalog,
      handler,
      carriers,
      adminToken: config.admin.token,
      store,
      engine,
      maxCalls: config.server.maxCalls > 0 ? config.server.maxCalls : null,
      instanceId: fleet.id,
      ...(fleetReload ? { fleetReload } : {}),
      ...(config.console.enabled ? { console: { store, sessionTtlMs: config.console.sessionTtlMs } } : {}),
    });
    if (workerId) {
      log.info('gateway worker ready', { worker: workerId, verticals: catalog.list().length });
      return { gateway, store, stoppers, drainTimeoutMs: config.server.drainTimeoutMs };
    }
    const { url } = await gateway.listen(config.server.port, config.server.host);
    const verticals = catalog.list().map((v) => `${v.id}@${v.version}`).join(', ');
    const storeText = store.mode === 'postgres' ? 'Postgres' : `embedded PGlite (${config.paths.data})`;
    process.stdout.write(
      `Switchboard gateway listening on ${url}\n` +
        `  verticals: ${verticals || 'none'}\n` +
        `  engine: ${engine}   store: ${storeText}   public URL: ${config.server.publicUrl}\n` +
        `  canned lines voice: ${voiceText}\n` +
        `  instance: ${fleet.id}${fleet.bus ? ' (fleet bus on Redis)' : ''}\n` +
        `Place a simulated call:  npx switchboard simulate ${catalog.list()[0]?.id ?? '<vertical>'} --all\n` +
        (config.console.enabled
          ? `Browser console:  ${url}/console/  (${config.admin.token ? 'log in with ADMIN_TOKEN' : 'loopback clients only; set ADMIN_TOKEN to open it to others'})\n`
          : ''),
    );
    return { gateway, store, stoppers, drainTimeoutMs: config.server.drainTimeoutMs };
  } catch (err) {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
}

/** Drains the gateway (or closes it at once when `drainTimeoutMs` is undefined), then the rest. */
async function stop(running: Running, reason: string, drainTimeoutMs?: number): Promise<void> {
  if (drainTimeoutMs === undefined) await running.gateway.close(reason);
  else await running.gateway.drain(drainTimeoutMs, reason);
  for (const s of running.stoppers.reverse()) {
    try {
      await s();
    } catch (err) {
      log.error('stop step failed', { err });
    }
  }
  await running.store.close();
  await stopTracing().catch((err: unknown) => log.warn('exporting the last spans failed', { err }));
}

async function main(): Promise<void> {
  let running: Running;
  const workerId = process.send ? process.env[WORKER_ID_ENV] : undefined;
  try {
    const config = loadConfig();
    setLogLevel(config.log.level);
    if (!workerId) {
      const count = workersWanted(process.argv.slice(2), config.server.workers);
      if (count > 1) {
        if (!config.database.url) {
          process.stderr.write('switchboard: --workers needs Postgres (set DATABASE_URL): the embedded PGlite database serves one process only. Run without --workers, or point DATABASE_URL at Postgres.\n');
          process.exitCode = 2;
          return;
        }
        const args = process.argv.slice(2).filter((a, i, all) => a !== '--workers' && all[i - 1] !== '--workers' && !a.startsWith('--workers='));
        await runPrimary({ count, port: config.server.port, host: config.server.host, log, script: process.argv[1]!, args });
        return;
      }
    }
    running = await start(config, workerId);
  } catch (err) {
    if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else if (err instanceof ManifestError) process.stderr.write(`${err.problems.map(formatProblem).join('\n')}\n`);
    else process.stderr.write(`switchboard: cannot start: ${describeError(err)}\n`);
    process.exitCode = 2;
    return;
  }
  if (workerId) {
    let stopping: Promise<void> | undefined;
    const finish = (p: Promise<void>) => p.then(() => process.exit(0), (err: unknown) => { log.error('shutdown failed', { err }); process.exit(1); });
    serveForPrimary({
      server: running.gateway.server,
      log,
      drain: () => { stopping ??= finish(stop(running, 'drain', running.drainTimeoutMs)); },
      now: () => { if (stopping) void running.gateway.close('stop now'); else stopping = finish(stop(running, 'stop now')); },
    });
    return;
  }
  // First SIGTERM/SIGINT drains, a second ends every call now; either way rows are finalised and the exit is 0.
  onStopSignals({
    log,
    drain: (signal) => stop(running, signal, running.drainTimeoutMs),
    now: (signal) => void running.gateway.close(signal),
  });
}

await main();
