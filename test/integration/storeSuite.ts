/** The store contract, run against real Postgres and against in-memory PGlite. */
import { randomUUID } from 'node:crypto';
import { openStore, type Store } from '../../src/store/index.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface StoreTarget {
  name: string;
  open(): Promise<{ store: Store; cleanup(): Promise<void> }>;
}

export const randomSchema = (prefix = 't'): string => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

/** Core tables in a throwaway schema of the shared test database; dropped afterwards. */
export const postgresTarget: StoreTarget = {
  name: 'postgres',
  async open() {
    const schema = randomSchema();
    const store = await openStore({ databaseUrl: TEST_DATABASE_URL, schema, poolSize: 4 });
    return {
      store,
      async cleanup() {
        await store.db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await store.db.query(`DELETE FROM public.schema_migrations WHERE scope LIKE $1`, [`%${schema}%`]);
        await store.close();
      },
    };
  },
};

export const pgliteTarget: StoreTarget = {
  name: 'pglite (in memory)',
  async open() {
    const store = await openStore({ inMemory: true });
    return { store, cleanup: () => store.close() };
  },
};

export function newCall(overrides: Partial<Parameters<Store['calls']['create']>[0]> = {}) {
  const id = randomUUID();
  return {
    id,
    callSid: `CA${id.replace(/-/g, '')}`,
    vertical: 'salon',
    manifestVersion: 'abc123',
    from: '+15550100199',
    to: '+15550100100',
    ...overrides,
  };
}
