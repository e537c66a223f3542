/**
 * Forward-only SQL migrations recorded in `public.schema_migrations(scope, name, checksum)`.
 * Each file runs in its own transaction under a Postgres advisory lock, so concurrent migrators
 * (two gateways starting at once) apply each file exactly once. A file whose content changed
 * after it was applied is an error: write a new file instead.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../shared/index.js';
import { quoteIdent, setLocalSearchPath, toDate } from './sql.js';
import type { Db } from './types.js';

/** Arbitrary constant shared by every Switchboard migrator (pg_advisory_xact_lock key). */
const MIGRATION_LOCK_KEY = 7_301_554_210;

export interface MigrationFile {
  /** The name recorded in schema_migrations. */
  name: string;
  path: string;
  sql: string;
  checksum: string;
}

export interface AppliedMigration {
  scope: string;
  name: string;
  checksum: string;
  appliedAt: Date;
}

export interface MigrationReport {
  scope: string;
  /** Names applied by this run, in order. */
  applied: string[];
  /** Names that were already applied. */
  skipped: string[];
}

export const checksumOf = (sql: string): string => createHash('sha256').update(sql).digest('hex');

/** `*.sql` files of a directory in name order; a missing directory has none. */
export function readMigrationDir(dir: string, prefix = ''): MigrationFile[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => {
      const path = join(dir, f);
      const sql = readFileSync(path, 'utf8');
      return { name: `${prefix}${f}`, path, sql, checksum: checksumOf(sql) };
    });
}

const LEDGER_SQL = `CREATE TABLE IF NOT EXISTS public.schema_migrations (
  scope      text NOT NULL,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, name)
)`;

async function ensureLedger(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(LEDGER_SQL);
  });
}

export async function listApplied(db: Db, scope?: string): Promise<AppliedMigration[]> {
  await ensureLedger(db);
  const { rows } = await db.query<{ scope: string; name: string; checksum: string; applied_at: unknown }>(
    `SELECT scope, name, checksum, applied_at FROM public.schema_migrations
      ${scope ? 'WHERE scope = $1' : ''} ORDER BY scope, name`,
    scope ? [scope] : [],
  );
  return rows.map((r) => ({ scope: r.scope, name: r.name, checksum: r.checksum, appliedAt: toDate(r.applied_at) }));
}

function checksumError(scope: string, file: MigrationFile): AppError {
  return new AppError(
    'MIGRATION_CHECKSUM_MISMATCH',
    `${file.path} (${scope}) was changed after it was applied; migrations are forward-only, add a new file instead`,
  );
}

/**
 * Applies the files not yet recorded under `scope`, in order. With `schema`, the schema is created
 * and each file runs with search_path `<schema>, ...searchAfter, public`. `db` must be a root
 * (unscoped) Db: the ledger lives in public.
 */
export async function applyMigrations(
  db: Db,
  scope: string,
  files: readonly MigrationFile[],
  options: { schema?: string; searchAfter?: readonly string[] } = {},
): Promise<MigrationReport> {
  const report: MigrationReport = { scope, applied: [], skipped: [] };
  const known = new Map((await listApplied(db, scope)).map((m) => [m.name, m]));
  // Refuse before applying anything when an applied file was edited.
  for (const file of files) {
    const prev = known.get(file.name);
    if (prev && prev.checksum !== file.checksum) throw checksumError(scope, file);
  }
  if (options.schema) quoteIdent(options.schema);
  for (const file of files) {
    const outcome = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const { rows } = await tx.query<{ checksum: string }>(
        'SELECT checksum FROM public.schema_migrations WHERE scope = $1 AND name = $2',
        [scope, file.name],
      );
      const existing = rows[0];
      if (existing) {
        if (existing.checksum !== file.checksum) throw checksumError(scope, file);
        return 'skipped' as const;
      }
      if (options.schema) {
        await tx.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
        await setLocalSearchPath(tx, [options.schema, ...(options.searchAfter ?? [])]);
      }
      try {
        await tx.query(file.sql);
      } catch (err) {
        throw new AppError('MIGRATION_FAILED', `${file.path} (${scope}) failed: ${(err as Error).message}`, { cause: err });
      }
      await tx.query('INSERT INTO public.schema_migrations (scope, name, checksum) VALUES ($1, $2, $3)', [
        scope, file.name, file.checksum,
      ]);
      return 'applied' as const;
    });
    (outcome === 'applied' ? report.applied : report.skipped).push(file.name);
  }
  return report;
}
