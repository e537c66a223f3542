/**
 * Test set-up for vertical tool families (healthcare, it-helpdesk): the store opened on a target
 * (the real test Postgres, or in-memory PGlite), the vertical migrated and seeded into a
 * throwaway schema exactly as `switchboard seed` does, a CallToolEnv with a fixed clock, and fakes
 * of the SMS and call-control services that record what they were asked.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { manifestSchema, type Manifest } from '../../src/manifest/schema.js';
import type { Db, Store } from '../../src/store/index.js';
import { executeTool } from '../../src/toolkit/index.js';
import type { AnyToolDefinition } from '../../src/toolkit/types.js';
import { randomSchema, type StoreTarget } from './storeSuite.js';

export { pgliteTarget, postgresTarget, type StoreTarget } from './storeSuite.js';

export const VERTICALS_DIR = fileURLToPath(new URL('../../verticals/', import.meta.url));

export interface VerticalTestDb {
  /** The vertical's Db: unqualified names resolve in its (throwaway) schema. */
  db: Db;
  store: Store;
  manifest: Manifest;
  /** Runs SQL (one or more statements) in the vertical's schema. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** The vertical's manifest with its domain schema moved to a throwaway name. */
export function manifestIn(verticalId: string, schema: string): Manifest {
  const raw = parse(readFileSync(`${VERTICALS_DIR}${verticalId}/vertical.yaml`, 'utf8')) as Record<string, unknown>;
  const manifest = manifestSchema.parse(raw);
  return { ...manifest, storage: { ...manifest.storage, schema } };
}

/** Core + vertical migrations and the vertical's seed, through the store, on the given target. */
export async function openVerticalDb(verticalId: string, target: StoreTarget): Promise<VerticalTestDb> {
  const { store, cleanup } = await target.open();
  await store.migrate();
  const schema = randomSchema(verticalId.replace(/-/g, '_'));
  const manifest = manifestIn(verticalId, schema);
  await store.seedVertical(manifest, `${VERTICALS_DIR}${verticalId}`);
  const db = store.dbForVertical(manifest);
  return {
    db, store, manifest,
    async exec(sql) {
      await db.query(sql);
    },
    async close() {
      try {
        await store.db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await store.db.query('DELETE FROM public.schema_migrations WHERE scope LIKE $1', [`%${schema}`]);
      } finally {
        await cleanup();
      }
    },
  };
}

export { FakeCall, FakeSms, testCall, toolFrom, type RunResult, type TestCall } from './toolCall.js';
import type { RunResult, TestCall } from './toolCall.js';

let toolCallSeq = 0;

/** Runs a tool the way the runtime does (validation, audit, error mapping). */
export async function runTool<T = Record<string, unknown>>(def: AnyToolDefinition, args: unknown, call: TestCall): Promise<RunResult<T>> {
  toolCallSeq += 1;
  const outcome = await executeTool(def, args, call.env, `call_${toolCallSeq}`);
  const result = (outcome.result ?? (outcome.output.startsWith('{') ? JSON.parse(outcome.output) : { message: outcome.output })) as T;
  return { status: outcome.status, errorCode: outcome.errorCode, result, output: outcome.output };
}
