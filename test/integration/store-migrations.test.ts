import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { manifestSchema, type Manifest } from '../../src/manifest/schema.js';
import { applyMigrations, listApplied, openStore, readMigrationDir, PostgresDb, type Store } from '../../src/store/index.js';
import { pgliteTarget, postgresTarget, randomSchema, TEST_DATABASE_URL, type StoreTarget } from './storeSuite.js';

const tmp = mkdtempSync(join(tmpdir(), 'sb-mig-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function verticalFixture(id: string, files: Record<string, string>, seed?: string): { dir: string } {
  const dir = join(tmp, `${id}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(join(dir, 'schema'), { recursive: true });
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, 'schema', name), sql);
  if (seed) writeFileSync(join(dir, 'seed.sql'), seed);
  return { dir };
}

function manifest(id: string, storage: Record<string, unknown>): Manifest {
  return manifestSchema.parse({
    id, name: id, languages: { default: 'en-US', supported: [{ code: 'en-US', voice: 'alloy' }] },
    greeting: 'Hi', entryAgent: 'A', agents: [{ name: 'A', description: 'a', instructions: 'x' }], storage,
  });
}

// Opening PGlite runs initdb in WebAssembly: slow when the machine is busy.
jest.setTimeout(120_000);

describe.each<StoreTarget>([postgresTarget, pgliteTarget])('migrations on $name', (target) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  const schemas: string[] = [];

  beforeAll(async () => {
    ({ store, cleanup } = await target.open());
    await store.migrate();
  });
  afterAll(async () => {
    for (const s of schemas) {
      await store.db.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      await store.db.query('DELETE FROM public.schema_migrations WHERE scope LIKE $1', [`%${s}`]);
    }
    await cleanup();
  });

  it('runs framework then vertical files in the vertical schema, once, and seeds idempotently', async () => {
    const schema = randomSchema('v');
    schemas.push(schema);
    const fx = verticalFixture('shop', {
      '0001_items.sql': 'CREATE TABLE items (id text PRIMARY KEY, n int NOT NULL);',
      '0002_more.sql': "ALTER TABLE items ADD COLUMN label text NOT NULL DEFAULT '';",
    }, "INSERT INTO items (id, n) VALUES ('a', 1), ('b', 2) ON CONFLICT DO NOTHING;");
    const m = manifest('shop', { schema, seed: 'seed.sql' });
    const first = await store.migrateVertical(m, fx.dir);
    expect(first.applied.slice(-2)).toEqual(['0001_items.sql', '0002_more.sql']);
    expect(first.applied.filter((n) => n.startsWith('framework/'))).toEqual(first.applied.slice(0, -2));
    expect(first.scope).toBe(`vertical:shop:${schema}`);
    expect((await store.migrateVertical(m, fx.dir)).applied).toEqual([]);
    await store.seedVertical(m, fx.dir);
    await store.seedVertical(m, fx.dir);
    const vdb = store.dbForVertical(m);
    const { rows } = await vdb.query<{ n: number }>('SELECT count(*)::int AS n FROM items');
    expect(rows[0]?.n).toBe(2);
    const qualified = await store.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".items`);
    expect(qualified.rows[0]?.n).toBe(2);
    // the vertical view still sees core tables
    await vdb.query('SELECT count(*) FROM calls');
  });

  it('refuses an applied file whose content changed, before applying anything else', async () => {
    const schema = randomSchema('v');
    schemas.push(schema);
    const files = { '0001_a.sql': 'CREATE TABLE a (id int);' };
    const fx = verticalFixture('edit', files);
    const m = manifest('edit', { schema });
    await store.migrateVertical(m, fx.dir);
    writeFileSync(join(fx.dir, 'schema', '0001_a.sql'), 'CREATE TABLE a (id bigint);');
    writeFileSync(join(fx.dir, 'schema', '0002_b.sql'), 'CREATE TABLE b (id int);');
    await expect(store.migrateVertical(m, fx.dir)).rejects.toMatchObject({ code: 'MIGRATION_CHECKSUM_MISMATCH' });
    const applied = await listApplied(store.db, `vertical:edit:${schema}`);
    expect(applied.map((a) => a.name).filter((n) => !n.startsWith('framework/'))).toEqual(['0001_a.sql']);
  });

  it('reports a failing file by name and records nothing for it', async () => {
    const schema = randomSchema('v');
    schemas.push(schema);
    const fx = verticalFixture('bad', { '0001_ok.sql': 'CREATE TABLE ok (id int);', '0002_bad.sql': 'CREATE TABLE broken (id nonsense_type);' });
    const m = manifest('bad', { schema });
    await expect(store.migrateVertical(m, fx.dir)).rejects.toMatchObject({ code: 'MIGRATION_FAILED', message: expect.stringMatching(/0002_bad\.sql/) });
    const names = (await listApplied(store.db, `vertical:bad:${schema}`)).map((a) => a.name);
    expect(names).toContain('0001_ok.sql');
    expect(names).not.toContain('0002_bad.sql');
  });

  it('treats a vertical without a migrations directory as having none of its own', async () => {
    const schema = randomSchema('v');
    schemas.push(schema);
    const m = manifest('empty', { schema, migrations: 'does-not-exist' });
    const report = await store.migrateVertical(m, join(tmp, 'nowhere'));
    expect(report.applied.every((n) => n.startsWith('framework/'))).toBe(true);
    expect(readMigrationDir(join(tmp, 'nowhere'))).toEqual([]);
  });
});

describe('migrations on postgres across processes and databases', () => {
  it('applies each file exactly once when migrators race', async () => {
    const schema = randomSchema('race');
    const dir = join(tmp, 'race');
    mkdirSync(dir, { recursive: true });
    for (let i = 1; i <= 5; i++) writeFileSync(join(dir, `000${i}_t.sql`), `CREATE TABLE t${i} (id int);`);
    const files = readMigrationDir(dir);
    const dbs = [0, 1, 2].map(() => PostgresDb.open({ connectionString: TEST_DATABASE_URL, poolSize: 2 }));
    try {
      const reports = await Promise.all(dbs.map((db) => applyMigrations(db, `race:${schema}`, files, { schema })));
      const applied = reports.flatMap((r) => r.applied).sort();
      expect(applied).toEqual(files.map((f) => f.name));
    } finally {
      await dbs[0]!.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await dbs[0]!.query('DELETE FROM public.schema_migrations WHERE scope = $1', [`race:${schema}`]);
      await Promise.all(dbs.map((db) => db.close()));
    }
  });

  it("puts a vertical with storage.databaseUrlEnv in that database", async () => {
    const name = `sb_test_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    const schema = randomSchema('t');
    const store = await openStore({ databaseUrl: TEST_DATABASE_URL, schema, env: { SHOP_DATABASE_URL: url.toString() } });
    try {
      await store.migrate();
      const fx = verticalFixture('own', { '0001_x.sql': 'CREATE TABLE x (id int);' }, 'INSERT INTO x VALUES (42);');
      const m = manifest('own', { databaseUrlEnv: 'SHOP_DATABASE_URL', seed: 'seed.sql' });
      await store.seedVertical(m, fx.dir);
      const { rows } = await store.dbForVertical(m).query<{ id: number }>('SELECT id FROM x');
      expect(rows).toEqual([{ id: 42 }]);
      const there = new pg.Client({ connectionString: url.toString() });
      await there.connect();
      const found = await there.query(`SELECT count(*)::int AS n FROM v_own.x`);
      await there.end();
      expect(found.rows[0].n).toBe(1);
      const missing = await openStore({ databaseUrl: TEST_DATABASE_URL, schema, env: {} });
      try {
        expect(() => missing.dbForVertical(m)).toThrow(/SHOP_DATABASE_URL/);
      } finally {
        await missing.close();
      }
    } finally {
      await store.db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await store.db.query('DELETE FROM public.schema_migrations WHERE scope LIKE $1', [`%${schema}%`]);
      await store.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
