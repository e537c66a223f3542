/** `switchboard migrate` and `switchboard seed` against real Postgres, isolated by schema. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../../src/cli/main.js';
import type { CliRun } from '../../src/cli/context.js';
import { makeMigrateCommand, type StoreCommandDeps } from '../../src/cli/commands/migrate.js';
import { makeSeedCommand } from '../../src/cli/commands/seed.js';
import { openStore } from '../../src/store/index.js';
import { createRegistry } from '../../src/toolkit/index.js';
import { randomSchema, TEST_DATABASE_URL } from './storeSuite.js';

const root = mkdtempSync(join(tmpdir(), 'sb-cli-'));
const coreSchema = randomSchema('t');
const shopSchema = randomSchema('shop');

function writeVertical(id: string, yaml: string, files: Record<string, string>): void {
  const dir = join(root, 'verticals', id);
  mkdirSync(join(dir, 'schema'), { recursive: true });
  writeFileSync(join(dir, 'vertical.yaml'), yaml);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

const base = (id: string, extra: string) => `id: ${id}
name: ${id}
languages: { default: en-US, supported: [{ code: en-US, voice: alloy }] }
greeting: Hello
entryAgent: Desk
agents:
  - name: Desk
    description: Answers.
    instructions: You answer.
${extra}`;

beforeAll(() => {
  mkdirSync(join(root, 'agents', 'fragments'), { recursive: true });
  writeVertical('shop', base('shop', `storage:\n  schema: ${shopSchema}\n  seed: seed.sql\n`), {
    'schema/0001_items.sql': 'CREATE TABLE items (id int PRIMARY KEY);',
    'seed.sql': 'INSERT INTO items VALUES (1), (2) ON CONFLICT DO NOTHING;',
  });
  writeVertical('broken', base('broken', 'nonsense: true\n'), {});
});

afterAll(async () => {
  const store = await openStore({ databaseUrl: TEST_DATABASE_URL });
  await store.db.query(`DROP SCHEMA IF EXISTS "${coreSchema}" CASCADE`);
  await store.db.query(`DROP SCHEMA IF EXISTS "${shopSchema}" CASCADE`);
  await store.db.query('DELETE FROM public.schema_migrations WHERE scope LIKE $1 OR scope LIKE $2', [`%${coreSchema}`, `%${shopSchema}`]);
  await store.close();
  rmSync(root, { recursive: true, force: true });
});

const deps: StoreCommandDeps = {
  loadRegistry: async () => createRegistry([]),
  settings: () => ({ verticals: join(root, 'verticals'), agents: join(root, 'agents'), store: {} }),
  openStore: () => openStore({ databaseUrl: TEST_DATABASE_URL, schema: coreSchema, poolSize: 2 }),
};

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const run: CliRun = { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, exitCode: 0 };
  const program = buildProgram(run, [makeMigrateCommand(deps), makeSeedCommand(deps)]);
  try {
    await program.parseAsync(['node', 'switchboard', ...args]);
  } catch {
    if (run.exitCode === 0) run.exitCode = 2;
  }
  return { code: run.exitCode, out: out.join('\n'), err: err.join('\n') };
}

describe('switchboard migrate / seed', () => {
  it('migrates core and every valid vertical, names what it skipped, and fails the run', async () => {
    const res = await cli('migrate');
    expect(res.out).toMatch(/^core: applied 0001_core\.sql/m);
    expect(res.out).toMatch(new RegExp(`^vertical shop \\(${shopSchema}\\): applied .*0001_items\\.sql`, 'm'));
    expect(res.err).toMatch(/skipped .*broken.*vertical\.yaml: 1 manifest error/);
    expect(res.code).toBe(1);
    const again = await cli('migrate', 'shop');
    expect(again.out).toMatch(/core: up to date/);
    expect(again.out).toMatch(/vertical shop .*: up to date/);
    expect(again.code).toBe(0);
  });

  it('seeds a named vertical idempotently', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await cli('seed', 'shop');
      expect(res.code).toBe(0);
      expect(res.out).toMatch(/seeded from .*seed\.sql/);
    }
    const store = await openStore({ databaseUrl: TEST_DATABASE_URL });
    try {
      const { rows } = await store.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${shopSchema}".items`);
      expect(rows[0]?.n).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('refuses an unknown vertical with exit code 2', async () => {
    const res = await cli('seed', 'nope');
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/unknown or invalid vertical "nope" \(known: shop\)/);
  });

  it('prints help with examples', async () => {
    const res = await cli('migrate', '--help');
    expect(res.out + res.err).toMatch(/Examples:[\s\S]*switchboard migrate salon/);
  });
});
