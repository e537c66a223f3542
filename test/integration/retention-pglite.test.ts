/** Retention and analysis revisions on embedded PGlite (the no-configuration default the gateway's timer purges). */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { purgeExpired } from '../../src/analysis/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { analysisManifest } from './analysis.helpers.js';

let store: Store;
beforeAll(async () => { store = await openStore({ inMemory: true }); });
afterAll(async () => { await store.close(); });

it('keeps revisions and purges content on PGlite as on Postgres', async () => {
  const manifest = { ...analysisManifest('pg-lite', 'v_pg_lite'), retention: { transcripts: 1, analysis: 1 } };
  await store.migrate();
  await store.migrateVertical(manifest, join(tmpdir(), `none-${randomUUID()}`));
  const id = randomUUID();
  await store.calls.create({ id, callSid: `CA${id.replace(/-/g, '')}`, vertical: manifest.id, manifestVersion: 'v', from: '+14155550100', to: '+14155550199' });
  await store.transcripts.append(id, { role: 'caller', text: 'I want highlights' });
  await store.calls.finalize(id, { status: 'completed', endReason: 'caller_hangup', endedAt: new Date(Date.now() - 3 * 86_400_000) });
  const vdb = store.dbForVertical(manifest);
  const write = {
    summary: 'Wanted highlights.', sentiment: { label: 'neutral' as const, score: 0 }, intent: 'book', leadScore: 40, leadReasons: [],
    fields: { service_requested: 'Highlights', topics: ['color'] }, analyser: 'heuristic' as const, model: null, isShort: false,
  };
  await store.analysis.upsert(vdb, id, write);
  const second = await store.analysis.upsert(vdb, id, { ...write, leadScore: 50 }, 'rerun');
  expect(second).toMatchObject({ revision: 2, revisionCount: 2, leadScore: 50 });

  const report = await purgeExpired({ store, manifests: [manifest] });
  expect(report.lines.map((l) => [l.kind, l.calls])).toEqual([['transcripts', 1], ['analysis', 1]]);
  expect(await store.transcripts.list(id)).toEqual([]);
  const after = await store.analysis.get(vdb, id);
  expect(after).toMatchObject({ summary: '', leadScore: 50, intent: 'book', fields: { service_requested: null, topics: null }, revisionCount: 2 });
  expect((await store.analysis.revisions(vdb, id)).map((r) => [r.revision, r.origin, r.summary])).toEqual([[1, 'job', ''], [2, 'rerun', '']]);
  expect(Object.keys(await store.retention.purgedOf(id)).sort()).toEqual(['analysis', 'transcripts']);
});
