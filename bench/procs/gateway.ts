/**
 * Benchmark child: ONE gateway process (Twilio routes + Media Streams + CallManager) talking to
 * the emulator in another process. It reports its own CPU, RSS, event-loop delay and the edge
 * figures the runtime keeps (src/realtime/edgeStats.ts).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTracingDisabled } from '@openai/agents';
import { createCatalog } from '../../src/catalog/index.js';
import { loadConfig } from '../../src/config/index.js';
import { createEngineSelector } from '../../src/engines/select.js';
import type { ModelAudio } from '../../src/engines/modelSession.js';
import { edgeCounters } from '../../src/observability/metrics.js';
import { startTracing, stopTracing } from '../../src/observability/index.js';
import { CallManager, resetEdgeStats, snapshotEdgeStats } from '../../src/realtime/index.js';
import { createGateway } from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createTwilioCarrier } from '../../src/telephony/index.js';
import { registry } from '../../tools/index.js';
import { serveParent } from '../lib/ipc.js';

setTracingDisabled(true);
// Our own tracing: on when the bench passes OTEL_EXPORTER_OTLP_ENDPOINT (its local receiver).
startTracing({ serviceName: 'switchboard-bench-gateway' });
const emulatorUrl = process.env.BENCH_EMULATOR_URL!;
const audio = (process.env.BENCH_AUDIO ?? 'pcmu') as ModelAudio;
const databaseUrl = process.env.BENCH_DATABASE_URL!;
const schema = process.env.BENCH_SCHEMA!;

const config = loadConfig({ env: { SWITCHBOARD_ENGINE: 'emulator', LOG_LEVEL: 'error' } });
// BENCH_VERTICALS_DIR: a section's own verticals (the cascade section's bench lines) instead of the repo's.
const verticalsDir = process.env.BENCH_VERTICALS_DIR;
const catalog = verticalsDir
  ? createCatalog({ verticalsDir, agentsDir: process.env.BENCH_AGENTS_DIR ?? config.paths.agents, registry })
  : createCatalog({ verticalsDir: config.paths.verticals, agentsDir: config.paths.agents, registry });
let store: Store;
let storeKind = 'postgres';
try {
  store = await openStore({ databaseUrl, schema, poolSize: 10 });
  await store.migrate();
} catch {
  storeKind = 'pglite (in memory; Postgres unreachable)';
  store = await openStore({ inMemory: true });
  await store.migrate();
}
const engines = createEngineSelector({ config, emulatorUrl, audio });
// No credentials: unsigned webhooks and offline call control, as before.
const carriers = [createTwilioCarrier({ publicUrl: 'http://127.0.0.1:1' })];
const manager = new CallManager({ store, engines, carriers, resolveVertical: (id) => catalog.get(id) });
const gateway = createGateway({ catalog, handler: manager, carriers, engine: 'emulator', logger: undefined });
const { port } = await gateway.listen(0, '127.0.0.1');

const eld = monitorEventLoopDelay({ resolution: 5 });
eld.enable();

function snapshot() {
  return {
    cpu: process.cpuUsage(),
    rss: process.memoryUsage().rss,
    heapUsed: process.memoryUsage().heapUsed,
    eldP50Ms: eld.percentile(50) / 1e6,
    eldP99Ms: eld.percentile(99) / 1e6,
    eldMaxMs: eld.max / 1e6,
    edge: snapshotEdgeStats(),
    carrier: { ...edgeCounters },
    active: manager.stats().active,
    /** Monotonic µs (the clock of --cpu-prof sample timestamps), to cut a profile to the window. */
    hrUs: Number(process.hrtime.bigint() / 1000n),
  };
}

const parent = serveParent({
  stats: () => snapshot(),
  reset: () => {
    eld.reset();
    resetEdgeStats();
    return snapshot();
  },
  gc: () => {
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage().rss;
  },
  /** The calls' latency samples (every turn of the run), once every call is finalised (they flush then). */
  samples: async (args?: { waitMs?: number }) => {
    const until = Date.now() + (args?.waitMs ?? 30_000);
    while (Date.now() < until) {
      const open = await store.db.query<{ n: string }>('SELECT count(*)::text AS n FROM calls WHERE ended_at IS NULL');
      if (Number(open.rows[0]?.n ?? 0) === 0 && manager.stats().active === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const res = await store.db.query<{ call_id: string; turn: number | null; metric: string; value_ms: number }>(
      'SELECT call_id, turn, metric, value_ms FROM latency_samples ORDER BY id',
    );
    const engines = await store.db.query<{ engine: string; n: string }>('SELECT engine, count(*)::text AS n FROM calls GROUP BY engine');
    return { samples: res.rows.map((r) => ({ callId: r.call_id, turn: r.turn, metric: r.metric, valueMs: Number(r.value_ms) })), engines: engines.rows.map((r) => ({ engine: r.engine, calls: Number(r.n) })) };
  },
  close: async () => {
    await gateway.close('bench over');
    await stopTracing().catch(() => undefined);
    await store.db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await store.db.query('DELETE FROM public.schema_migrations WHERE scope LIKE $1', [`%${schema}%`]).catch(() => undefined);
    await store.close();
    return true;
  },
});
parent.emit('ready', { url: `http://127.0.0.1:${port}`, store: storeKind });
