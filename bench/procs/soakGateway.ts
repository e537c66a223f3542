/**
 * Benchmark child for the soak: ONE gateway (Twilio routes + Media Streams + CallManager) with
 * its post-call analysis running in-process, talking to the soak emulator. It reports its RSS
 * (after a collection on request), and at the end what the database says: calls finalised or
 * not, the failovers recorded, the analyses written.
 */
import { setTracingDisabled } from '@openai/agents';
import { startPostCallProcessing } from '../../src/analysis/index.js';
import { createCatalog } from '../../src/catalog/index.js';
import { loadConfig } from '../../src/config/index.js';
import { createEngineSelector } from '../../src/engines/select.js';
import { CallManager } from '../../src/realtime/index.js';
import { createGateway } from '../../src/server/index.js';
import { openStore } from '../../src/store/index.js';
import { createTwilioCarrier } from '../../src/telephony/index.js';
import { registry } from '../../tools/index.js';
import { serveParent } from '../lib/ipc.js';

setTracingDisabled(true);
const emulatorUrl = process.env.BENCH_EMULATOR_URL!;
const databaseUrl = process.env.BENCH_DATABASE_URL!;
const schema = process.env.BENCH_SCHEMA!;
const stallMs = Number(process.env.BENCH_STALL_MS ?? 3000);

const config = loadConfig({ env: { SWITCHBOARD_ENGINE: 'emulator', LOG_LEVEL: 'error' } });
const catalog = createCatalog({ verticalsDir: config.paths.verticals, agentsDir: config.paths.agents, registry });
const store = await openStore({ databaseUrl, schema, poolSize: 10 });
await store.migrate();
// The called vertical's own tables (its analyses land there).
for (const v of catalog.list()) if (v.id === 'salon') await store.migrateVertical(v.manifest, v.dir);
const analysed = new Set<string>();
const postCall = await startPostCallProcessing({
  config, store, catalog, onCompleted: (job) => analysed.add(job.callId), relayBackoffBaseMs: 200,
});
const engines = createEngineSelector({ config, emulatorUrl, audio: 'pcmu' });
const carriers = [createTwilioCarrier({ publicUrl: 'http://127.0.0.1:1' })];
const manager = new CallManager({
  store, engines, carriers, resolveVertical: (id) => catalog.get(id), session: { modelStallMs: stallMs },
});
const gateway = createGateway({ catalog, handler: manager, carriers, engine: 'emulator', logger: undefined });
const { port } = await gateway.listen(0, '127.0.0.1');

interface CallRowCounts { total: number; unfinalised: number; failedOver: number; byCause: Record<string, number>; gaveUp: Record<string, number>; endReasons: Record<string, number> }

async function callRows(): Promise<CallRowCounts & { analysesLost: number; outboxPending: number; jobErrors: string[] }> {
  const { rows } = await store.db.query<{ id: string; ended_at: Date | null; end_reason: string | null; metadata: Record<string, unknown> | null }>(
    'SELECT id, ended_at, end_reason, metadata FROM calls');
  const counts: CallRowCounts = { total: rows.length, unfinalised: 0, failedOver: 0, byCause: {}, gaveUp: {}, endReasons: {} };
  let analysesLost = 0;
  for (const r of rows) {
    if (!r.ended_at) counts.unfinalised++;
    else if (!analysed.has(r.id)) analysesLost++;
    counts.endReasons[r.end_reason ?? 'none'] = (counts.endReasons[r.end_reason ?? 'none'] ?? 0) + 1;
    const failovers = (r.metadata?.failovers ?? []) as Array<{ cause: string; outcome?: string }>;
    if (failovers.length) counts.failedOver++;
    for (const f of failovers) {
      counts.byCause[f.cause] = (counts.byCause[f.cause] ?? 0) + 1;
      if (f.outcome === 'gave_up') counts.gaveUp[f.cause] = (counts.gaveUp[f.cause] ?? 0) + 1;
    }
  }
  const outbox = await store.db.query<{ pending: string; errors: string[] | null }>(
    'SELECT count(*) FILTER (WHERE sent_at IS NULL) AS pending, array_agg(DISTINCT left(last_error, 200)) FILTER (WHERE last_error IS NOT NULL) AS errors FROM post_call_outbox');
  return { ...counts, analysesLost, outboxPending: Number(outbox.rows[0]?.pending ?? 0), jobErrors: outbox.rows[0]?.errors ?? [] };
}

const parent = serveParent({
  stats: () => ({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, active: manager.stats().active, analysed: analysed.size }),
  gc: () => {
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage().rss;
  },
  rows: () => callRows(),
  close: async () => {
    await gateway.close('bench over');
    await postCall.close();
    await store.db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await store.db.query('DELETE FROM public.schema_migrations WHERE scope LIKE $1', [`%${schema}%`]).catch(() => undefined);
    await store.close();
    return true;
  },
});
parent.emit('ready', { url: `http://127.0.0.1:${port}` });
