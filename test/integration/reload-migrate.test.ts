/**
 * A reload that adds a vertical migrates its schema before the new catalog goes into service
 * (the gateway's wiring, src/bin/fleet.ts migrateBeforeSwap, on real Postgres): the first call to
 * the new vertical never finds its tables missing, and a migration that fails rejects the reload
 * with the running verticals still in service.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCatalog, type Catalog } from '../../src/catalog/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { migrateBeforeSwap, prepareVerticals } from '../../src/bin/fleet.js';
import { registry } from '../../tools/index.js';
import { createFleetDatabase } from './fleetProcs.js';
import { TEST_DATABASE_URL } from './storeSuite.js';

describe('a reload that adds a vertical', () => {
  let dir: string;
  let verticalsDir: string;
  let database: { url: string; drop(): Promise<void> };
  let store: Store;
  let catalog: Catalog;

  /** A copy of salon under another id and number (its own schema, v_<id>). */
  const addCopyOfSalon = (id: string, number: string) => {
    cpSync(join(verticalsDir, 'salon'), join(verticalsDir, id), { recursive: true });
    const file = join(verticalsDir, id, 'vertical.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^id: salon$/m, `id: ${id}`).replace('"+15550100100"', `"${number}"`));
  };
  const tableExists = async (qualified: string) =>
    (await store.db.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [qualified])).rows[0]!.ok === true;

  beforeAll(async () => {
    database = await createFleetDatabase(TEST_DATABASE_URL, 'reload');
    store = await openStore({ databaseUrl: database.url, poolSize: 4 });
    await store.migrate();
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-reload-migrate-'));
    verticalsDir = join(dir, 'verticals');
    cpSync(resolve('verticals', 'salon'), join(verticalsDir, 'salon'), { recursive: true });
    catalog = createCatalog({ verticalsDir, agentsDir: resolve('agents'), registry, cwd: dir });
    await prepareVerticals(store, catalog.list());
    migrateBeforeSwap(catalog, store);
  }, 60_000);
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has its tables in place when it goes into service', async () => {
    addCopyOfSalon('spa', '+15550100177');
    expect(await tableExists('v_spa.services')).toBe(false);
    // Asked the moment the new catalog is swapped in, before reload() even returns.
    let atSwap: Promise<boolean> | undefined;
    catalog.once('catalog.swapped', () => { atSwap = tableExists('v_spa.services'); });
    const result = await catalog.reload();
    expect(result.ok && result.event.added).toEqual(['spa']);
    expect(await atSwap).toBe(true);
    expect(catalog.byNumber('+15550100177')!.id).toBe('spa');
  }, 60_000);

  it('is rejected when its migration fails: the running verticals stay, the new one never serves', async () => {
    addCopyOfSalon('bad-spa', '+15550100178');
    writeFileSync(join(verticalsDir, 'bad-spa', 'schema', '0002_broken.sql'), 'CREATE TABLE broken (id int REFERENCES nowhere(id));\n');
    const before = catalog.snapshot;
    const failures: unknown[] = [];
    catalog.on('catalog.reload_failed', (e) => failures.push(e));
    const result = await catalog.reload();
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.message).join('\n')).toMatch(/preparing bad-spa for service failed: .*nowhere/);
    expect(result.problems.at(-1)!.file).toBe(join('verticals', 'bad-spa', 'vertical.yaml'));
    expect(catalog.snapshot).toBe(before);
    expect(catalog.get('bad-spa')).toBeUndefined();
    expect(catalog.byNumber('+15550100178')).toBeUndefined();
    expect(catalog.get('salon')!.version).toBe(before.verticals.get('salon')!.version);
    expect(failures).toHaveLength(1);
  }, 60_000);
});
