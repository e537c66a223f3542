/**
 * A call is analysed with the manifest version it ran on, on real Postgres (and Redis for the
 * worker): after a reload to a version whose analysis fields differ, in the gateway's in-process
 * queue and in a worker whose own catalog never compiled that version (it has only the store).
 */
import { Queue } from 'bullmq';
import {
  analysisManifestOf, startPostCallProcessing, startPostCallWorker, type PostCallProcessing, type PostCallWorkerHandle,
} from '../../src/analysis/index.js';
import type { Manifest } from '../../src/manifest/schema.js';
import { openStore, type Store } from '../../src/store/index.js';
import { recordingLogger } from '../fakes/logger.js';
import {
  analysisManifest, BOOKING_CALL, endedCall, eventually, finalizeCall, openAnalysisEnv, recordCall, TEST_DATABASE_URL, TEST_REDIS_URL,
  TestCatalog, testConfig, uniqueSuffix, type AnalysisTestEnv,
} from './analysis.helpers.js';

let env: AnalysisTestEnv;
const toClose: Array<() => Promise<unknown>> = [];

beforeEach(async () => { env = await openAnalysisEnv(); });
afterEach(async () => {
  for (const close of toClose.splice(0).reverse()) await close();
  await env.close();
});

/** The same vertical after a reload: its analysis asks for other fields. */
const nextVersion = (): Manifest => analysisManifest(env.manifest.id, env.manifest.storage.schema!, {
  fields: [{ name: 'stylist', type: 'string', description: 'The stylist asked for.' }],
});
const rowOf = (callId: string) => eventually(
  () => env.store.analysis.get(env.store.dbForVertical(env.manifest), callId).then((r) => r ?? undefined), `the analysis of ${callId}`);
const fieldsOf = async (callId: string) => Object.keys((await rowOf(callId)).fields).sort();
const V1_FIELDS = ['service_requested', 'topics'];

describe('manifest_versions', () => {
  it('stores a version once (the first write wins) and reads it back', async () => {
    const entry = { vertical: env.manifest.id, version: 'v1', manifest: analysisManifestOf(env.manifest) };
    expect(await env.store.manifestVersions.record([entry])).toBe(1);
    expect(await env.store.manifestVersions.record([entry, { ...entry, manifest: { changed: true } }])).toBe(0);
    const row = await env.store.manifestVersions.get(env.manifest.id, 'v1');
    expect(row).toMatchObject({ vertical: env.manifest.id, version: 'v1', manifest: analysisManifestOf(env.manifest) });
    expect(await env.store.manifestVersions.get(env.manifest.id, 'v9')).toBeNull();
    expect(await env.store.manifestVersions.record([])).toBe(0);
  });
});

describe('the gateway (in-process queue)', () => {
  it('analyses a call pinned to v1 with v1\'s fields after a reload to v2, and a v2 call with v2\'s', async () => {
    env.catalog.versions.set(env.manifest.id, 'v1');
    const processing: PostCallProcessing = await startPostCallProcessing({ config: testConfig(), store: env.store, catalog: env.catalog });
    toClose.push(() => processing.close());
    expect(processing.mode).toBe('in-process');

    const onV1 = await recordCall(env, { ...BOOKING_CALL, manifestVersion: 'v1' }); // in progress during the reload
    env.catalog.swap(nextVersion(), 'v2');
    await finalizeCall(env, onV1);
    const onV2 = await endedCall(env, { ...BOOKING_CALL, manifestVersion: 'v2' });
    processing.nudge();

    expect(await fieldsOf(onV1)).toEqual(V1_FIELDS);
    expect((await rowOf(onV1)).fields.service_requested).toBe('Highlights');
    expect(await fieldsOf(onV2)).toEqual(['stylist']);
    // Both versions are recorded: the one served at start and the one the reload put in service.
    const v2 = await eventually(() => env.store.manifestVersions.get(env.manifest.id, 'v2').then((r) => r ?? undefined), 'v2 recorded');
    expect(v2.manifest).toEqual(analysisManifestOf(nextVersion()));
  });

  it('analyses a call from before versions were recorded with the current manifest, and says so', async () => {
    const logger = recordingLogger();
    const processing = await startPostCallProcessing({ config: testConfig(), store: env.store, catalog: env.catalog, logger });
    toClose.push(() => processing.close());
    const old = await endedCall(env, { ...BOOKING_CALL, manifestVersion: 'from-before' });
    processing.nudge();
    expect(await fieldsOf(old)).toEqual(V1_FIELDS);
    expect(logger.warnings).toContain('the manifest version this call ran on was never recorded; analysing it with the current manifest');
  });
});

describe('a separate worker', () => {
  const suffix = uniqueSuffix();
  const queue = { queueName: `post-call-v-${suffix}`, prefix: `sbtest-v-${suffix}` };
  afterAll(async () => {
    const q = new Queue(queue.queueName, { connection: { url: TEST_REDIS_URL }, prefix: queue.prefix });
    await q.obliterate({ force: true });
    await q.close();
  });

  it('analyses a v1 call with v1\'s fields from the store when its own catalog compiled only v2', async () => {
    const config = testConfig({ redisUrl: TEST_REDIS_URL });
    // The gateway: publishes only (no worker in it), serves v1, then reloads to v2.
    env.catalog.versions.set(env.manifest.id, 'v1');
    const gateway = await startPostCallProcessing({ config, store: env.store, catalog: env.catalog, ...queue });
    toClose.push(() => gateway.close());
    const onV1 = await recordCall(env, { ...BOOKING_CALL, manifestVersion: 'v1' });
    env.catalog.swap(nextVersion(), 'v2');

    // The worker process: its own connection and its own catalog, compiled after the change (v2 only).
    const workerStore: Store = await openStore({ databaseUrl: TEST_DATABASE_URL, schema: env.coreSchema, poolSize: 4 });
    toClose.push(() => workerStore.close());
    const workerCatalog = new TestCatalog(nextVersion());
    workerCatalog.versions.set(env.manifest.id, 'v2');
    const worker: PostCallWorkerHandle = await startPostCallWorker({ config, store: workerStore, catalog: workerCatalog, ...queue });
    toClose.push(() => worker.close());

    await finalizeCall(env, onV1);
    gateway.nudge();
    expect(await fieldsOf(onV1)).toEqual(V1_FIELDS);
    const onV2 = await endedCall(env, { ...BOOKING_CALL, manifestVersion: 'v2' });
    gateway.nudge();
    expect(await fieldsOf(onV2)).toEqual(['stylist']);
  });
});
