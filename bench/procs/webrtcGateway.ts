/**
 * Benchmark child: ONE gateway process serving browser calls (the WebRTC carrier, loopback only,
 * signalling through the console) talking to the emulator in another process. Reports its CPU,
 * RSS, event-loop delay, the runtime's edge figures, the WebRTC carrier's frame totals and how
 * late the RTP clock's ticks ran.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTracingDisabled } from '@openai/agents';
import { createCatalog } from '../../src/catalog/index.js';
import { loadConfig } from '../../src/config/index.js';
import { createEngineSelector } from '../../src/engines/select.js';
import { CallManager, resetEdgeStats, snapshotEdgeStats } from '../../src/realtime/index.js';
import { createGateway } from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createTwilioCarrier, createWebRtcCarrier, rtpClock, webrtcSettingsSchema } from '../../src/telephony/index.js';
import { registry } from '../../tools/index.js';
import { serveParent } from '../lib/ipc.js';

setTracingDisabled(true);
const emulatorUrl = process.env.BENCH_EMULATOR_URL!;
const databaseUrl = process.env.BENCH_DATABASE_URL!;
const schema = process.env.BENCH_SCHEMA!;

const config = loadConfig({ env: { SWITCHBOARD_ENGINE: 'emulator', LOG_LEVEL: 'error' } });
const catalog = createCatalog({ verticalsDir: config.paths.verticals, agentsDir: config.paths.agents, registry });
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
const engines = createEngineSelector({ config, emulatorUrl, audio: 'pcmu' });
const webrtc = createWebRtcCarrier(webrtcSettingsSchema.parse({ loopbackOnly: true, maxCalls: 1000 }));
const carriers = [createTwilioCarrier({ publicUrl: 'http://127.0.0.1:1' }), webrtc];
const manager = new CallManager({ store, engines, carriers, resolveVertical: (id) => catalog.get(id) });
const gateway = createGateway({ catalog, handler: manager, carriers, engine: 'emulator', console: { store } });
const { port } = await gateway.listen(0, '127.0.0.1');

const eld = monitorEventLoopDelay({ resolution: 5 });
eld.enable();

function lateness(): { p50: number; p99: number; max: number } {
  const n = Math.min(rtpClock.latenessCount, rtpClock.lateness.length);
  const xs = Array.from(rtpClock.lateness.subarray(0, n)).sort((a, b) => a - b);
  const at = (q: number) => (n === 0 ? NaN : xs[Math.min(n - 1, Math.floor(q * n))]!);
  return { p50: at(0.5), p99: at(0.99), max: n === 0 ? NaN : xs[n - 1]! };
}

function snapshot() {
  return {
    cpu: process.cpuUsage(),
    rss: process.memoryUsage().rss,
    eldP99Ms: eld.percentile(99) / 1e6,
    edge: snapshotEdgeStats(),
    webrtc: webrtc.totals(),
    tickLateMs: lateness(),
    active: manager.stats().active,
  };
}

const parent = serveParent({
  stats: () => snapshot(),
  reset: () => {
    eld.reset();
    resetEdgeStats();
    rtpClock.latenessCount = 0;
    return snapshot();
  },
  gc: () => {
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage().rss;
  },
  close: async () => {
    await gateway.close('bench over');
    await store.db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await store.db.query('DELETE FROM public.schema_migrations WHERE scope LIKE $1', [`%${schema}%`]).catch(() => undefined);
    await store.close();
    return true;
  },
});
parent.emit('ready', { url: `http://127.0.0.1:${port}`, store: storeKind });
