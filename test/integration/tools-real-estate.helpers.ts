/**
 * Test set-up shared by the real-estate, after-hours and sales tool tests: a throwaway schema in
 * the real test Postgres with the vertical's migrations and seed applied (seed dates are relative
 * to the database's current_date), and the shared test call and fakes (toolCall.ts).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { applyMigrations, readMigrationDir } from '../../src/store/migrate.js';
import { PostgresDb } from '../../src/store/db/postgres.js';
import type { Db } from '../../src/store/types.js';
import { executeTool } from '../../src/toolkit/index.js';
import type { AnyToolDefinition } from '../../src/toolkit/types.js';
import type { RunResult, TestCall } from './toolCall.js';

export { FakeCall, FakeSms, testCall, toolFrom, type RunResult, type TestCall } from './toolCall.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const VERTICALS_DIR = fileURLToPath(new URL('../../verticals/', import.meta.url));

export interface VerticalTestDb {
  /** The vertical's Db: unqualified names resolve in the throwaway schema. */
  db: Db;
  root: PostgresDb;
  schema: string;
  /** Runs SQL in the vertical's schema (the seed file, fixtures). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export async function openVerticalDb(verticalId: string, options: { seed?: boolean } = {}): Promise<VerticalTestDb> {
  const root = PostgresDb.open({ connectionString: TEST_DATABASE_URL, poolSize: 4 });
  const schema = `t_${verticalId.replace(/-/g, '_')}_${randomUUID().slice(0, 8)}`;
  const scope = `test:${schema}`;
  const files = readMigrationDir(`${VERTICALS_DIR}${verticalId}/schema`);
  await applyMigrations(root, scope, files, { schema });
  const db = root.withSchema(schema);
  const exec = async (sql: string): Promise<void> => {
    await root.transaction(async (tx) => {
      await tx.query(`SELECT set_config('search_path', $1, true)`, [`"${schema}", public`]);
      await tx.query(sql);
    });
  };
  if (options.seed !== false) await exec(readFileSync(`${VERTICALS_DIR}${verticalId}/seed.sql`, 'utf8'));
  return {
    db, root, schema, exec,
    async close() {
      try {
        await root.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await root.query('DELETE FROM public.schema_migrations WHERE scope = $1', [scope]);
      } finally {
        await root.close();
      }
    },
  };
}

let toolCallSeq = 0;

/** Runs a tool the way the runtime does (validation, audit, error mapping). */
export async function runTool<T = Record<string, unknown>>(def: AnyToolDefinition, args: unknown, call: TestCall): Promise<RunResult<T>> {
  toolCallSeq += 1;
  const outcome = await executeTool(def, args, call.env, `call_${toolCallSeq}`);
  const result = (outcome.result ?? JSON.parse(outcome.output.startsWith('{') ? outcome.output : 'null')) as T;
  return { status: outcome.status, errorCode: outcome.errorCode, result, output: outcome.output };
}

/**
 * An instant at `time` (HH:MM) business-local on the first `isoWeekday` (1 = Monday) at least
 * `minDaysAhead` days after the database's current date, with that date. Seeds use current_date,
 * so tests pin their clock near it.
 */
export async function localInstant(
  db: Db, timezone: string, isoWeekday: number, time: string, minDaysAhead = 1,
): Promise<{ date: string; at: Date }> {
  const { rows } = await db.query<{ d: string; at: Date }>(
    `WITH d AS (SELECT (current_date + $3::int + ((($2::int - extract(isodow FROM current_date + $3::int)::int) + 7) % 7)) AS d)
     SELECT to_char(d.d, 'YYYY-MM-DD') AS d, ((d.d + $4::time) AT TIME ZONE $1) AS at FROM d`,
    [timezone, isoWeekday, minDaysAhead, time],
  );
  const r = rows[0]!;
  return { date: r.d, at: r.at instanceof Date ? r.at : new Date(String(r.at)) };
}

/** `date` (YYYY-MM-DD) plus `days`. */
export function plusDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
