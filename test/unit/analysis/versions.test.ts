import { EventEmitter } from 'node:events';
import {
  analysisManifestOf, createManifestResolver, trackManifestVersions, type ManifestVersionStore, type VersionedManifest,
} from '../../../src/analysis/index.js';
import type { Manifest } from '../../../src/manifest/schema.js';
import type { ManifestVersionRecord, ManifestVersionWrite } from '../../../src/store/repositories/manifestVersions.js';
import { recordingLogger } from '../../fakes/logger.js';
import { testManifest } from './fixtures.js';

/** manifest_versions in memory: first write wins, like the table. */
class MemoryVersions implements ManifestVersionStore {
  readonly rows = new Map<string, ManifestVersionRecord>();
  reads = 0;
  failWrites = false;
  async record(versions: readonly ManifestVersionWrite[]): Promise<number> {
    if (this.failWrites) throw new Error('database unavailable');
    let added = 0;
    for (const v of versions) {
      const key = `${v.vertical}@${v.version}`;
      if (this.rows.has(key)) continue;
      this.rows.set(key, { ...v, manifest: JSON.parse(JSON.stringify(v.manifest)), createdAt: new Date() });
      added++;
    }
    return added;
  }
  async get(vertical: string, version: string): Promise<ManifestVersionRecord | null> {
    this.reads++;
    return this.rows.get(`${vertical}@${version}`) ?? null;
  }
}

class FakeCatalog extends EventEmitter<{ 'catalog.swapped': [] }> {
  constructor(public current: VersionedManifest) { super(); }
  get(id: string): VersionedManifest | undefined { return id === this.current.manifest.id ? this.current : undefined; }
  list(): VersionedManifest[] { return [this.current]; }
  swap(next: VersionedManifest): void { this.current = next; this.emit('catalog.swapped'); }
}

const v1 = testManifest();
const v2: Manifest = testManifest({ fields: [{ name: 'stylist', type: 'string', description: 'Stylist asked for.' }] });
const fieldNames = (m: { analysis: Manifest['analysis'] }) => m.analysis.fields.map((f) => f.name);

describe('the manifest version a call is analysed with', () => {
  it('is the live catalog\'s when it serves that version', async () => {
    const store = new MemoryVersions();
    const resolver = createManifestResolver({ source: new FakeCatalog({ version: 'v1', manifest: v1 }), store, logger: recordingLogger() });
    const r = await resolver.resolve(v1.id, 'v1', v1);
    expect(r.origin).toBe('catalog');
    expect(r.manifest).toBe(v1);
    expect(store.reads).toBe(0);
  });

  it('is the stored one after a reload to a version whose fields differ (read once, then cached)', async () => {
    const store = new MemoryVersions();
    const catalog = new FakeCatalog({ version: 'v1', manifest: v1 });
    const tracker = trackManifestVersions(catalog, store, recordingLogger());
    await tracker.ready;
    catalog.swap({ version: 'v2', manifest: v2 });
    const resolver = createManifestResolver({ source: catalog, store, logger: recordingLogger() });
    const first = await resolver.resolve(v1.id, 'v1', v2);
    expect(first.origin).toBe('store');
    expect(first.manifest).toEqual(analysisManifestOf(v1));
    expect(fieldNames(first.manifest)).toEqual(fieldNames(v1));
    await resolver.resolve(v1.id, 'v1', v2);
    expect(store.reads).toBe(1);
    expect((await resolver.resolve(v1.id, 'v2', v2)).origin).toBe('catalog');
    tracker.stop();
  });

  it('falls back to the current manifest, warning once, for a version never recorded', async () => {
    const logger = recordingLogger();
    const resolver = createManifestResolver({ source: new FakeCatalog({ version: 'v2', manifest: v2 }), store: new MemoryVersions(), logger });
    const r = await resolver.resolve(v2.id, 'v0', v2);
    expect(r).toEqual({ manifest: v2, origin: 'current' });
    await resolver.resolve(v2.id, 'v0', v2);
    expect(logger.warnings).toEqual(['the manifest version this call ran on was never recorded; analysing it with the current manifest']);
  });

  it('ignores a stored row that does not parse (or names another vertical) and falls back', async () => {
    const store = new MemoryVersions();
    await store.record([
      { vertical: v1.id, version: 'bad', manifest: { id: v1.id, name: 'x', analysis: { analyser: 'gpt' } } },
      { vertical: v1.id, version: 'other', manifest: analysisManifestOf({ ...v1, id: 'elsewhere' }) },
    ]);
    const logger = recordingLogger();
    const resolver = createManifestResolver({ source: new FakeCatalog({ version: 'v2', manifest: v2 }), store, logger });
    expect((await resolver.resolve(v1.id, 'bad', v2)).origin).toBe('current');
    expect((await resolver.resolve(v1.id, 'other', v2)).origin).toBe('current');
    expect(logger.warnings.filter((w) => w.startsWith('stored manifest version does not parse'))).toHaveLength(2);
  });
});

describe('recording compiled versions', () => {
  it('records the served versions at start and after every swap, only what analysis needs', async () => {
    const store = new MemoryVersions();
    const catalog = new FakeCatalog({ version: 'v1', manifest: v1 });
    const tracker = trackManifestVersions(catalog, store, recordingLogger());
    await tracker.ready;
    expect([...store.rows.keys()]).toEqual([`${v1.id}@v1`]);
    expect(Object.keys(store.rows.get(`${v1.id}@v1`)!.manifest as object).sort()).toEqual(['analysis', 'id', 'name']);
    catalog.swap({ version: 'v2', manifest: v2 });
    await new Promise((r) => setImmediate(r));
    expect([...store.rows.keys()]).toEqual([`${v1.id}@v1`, `${v1.id}@v2`]);
    tracker.stop();
    catalog.swap({ version: 'v3', manifest: v2 });
    await new Promise((r) => setImmediate(r));
    expect(store.rows.has(`${v1.id}@v3`)).toBe(false);
  });

  it('logs a failed write instead of failing, and the next swap writes it', async () => {
    const store = new MemoryVersions();
    store.failWrites = true;
    const logger = recordingLogger();
    const catalog = new FakeCatalog({ version: 'v1', manifest: v1 });
    const tracker = trackManifestVersions(catalog, store, logger);
    await expect(tracker.ready).resolves.toBeUndefined();
    expect(logger.warnings).toHaveLength(1);
    store.failWrites = false;
    catalog.swap({ version: 'v1', manifest: v1 });
    await new Promise((r) => setImmediate(r));
    expect(store.rows.has(`${v1.id}@v1`)).toBe(true);
    tracker.stop();
  });
});
