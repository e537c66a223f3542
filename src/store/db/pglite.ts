/**
 * The `Db` contract over embedded PGlite. PGlite is a single backend, so everything runs through
 * one FIFO queue; a schema view wraps each statement in a transaction with SET LOCAL search_path.
 * Do not call the Db from inside its own `transaction` callback: use the `tx` given (it would wait
 * for itself).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { PGlite, Results, Transaction } from '@electric-sql/pglite';
import { AppError } from '../../shared/index.js';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { quoteIdent, setLocalSearchPath } from '../sql.js';
import type { Db, Queryable, QueryResult, Row } from '../types.js';
import { createPglite } from './pgliteTemplate.js';
import { SerialQueue } from './queue.js';

type Runner = Pick<Transaction, 'query' | 'exec'>;

function toResult<R extends object>(res: Results | undefined): QueryResult<R> {
  if (!res) return { rows: [], rowCount: 0 };
  const rows = (res.rows ?? []) as R[];
  return { rows, rowCount: Math.max(rows.length, res.affectedRows ?? 0) };
}

/** Without parameters the simple protocol runs (multi-statement files); with them, one statement. */
async function run<R extends object>(runner: Runner, sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
  if (!params || params.length === 0) {
    const all = await runner.exec(sql);
    return toResult<R>(all[all.length - 1]);
  }
  return toResult<R>(await runner.query(sql, [...params]));
}

function txQueryable(tx: Runner): Queryable {
  return { query: <R extends object = Row>(sql: string, params?: readonly unknown[]) => run<R>(tx, sql, params) };
}

export interface PgliteDbOptions {
  /** Directory of the database files; omitted → in memory. */
  dataDir?: string;
}

/** Extensions loaded into every embedded database (migrations may CREATE EXTENSION them). */
export const PGLITE_EXTENSIONS = { btree_gist };

/** Which database's queue the current async context is running inside. */
const inside = new AsyncLocalStorage<PgliteCore>();

class PgliteCore {
  readonly queue = new SerialQueue();
  closed = false;
  constructor(readonly pg: PGlite) {}

  /**
   * Queues fn. Called again from inside fn (the Db used within its own transaction callback) it
   * would wait for itself and stall every call on this database: refuse that loudly instead.
   */
  run<T>(fn: () => Promise<T>): Promise<T> {
    if (inside.getStore() === this) {
      return Promise.reject(new AppError(
        'STORE_REENTRANT',
        'the database was used from inside its own transaction callback; use the tx argument instead',
      ));
    }
    if (this.closed) return Promise.reject(new AppError('STORE_CLOSED', 'the embedded database is closed'));
    return this.queue.run(() => inside.run(this, fn));
  }
}

export class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  private readonly views = new Map<string, PgliteDb>();

  private constructor(private readonly core: PgliteCore, readonly path: readonly string[]) {}

  static async open(options: PgliteDbOptions = {}): Promise<PgliteDb> {
    const pg = await createPglite(options.dataDir, PGLITE_EXTENSIONS);
    return new PgliteDb(new PgliteCore(pg), []);
  }

  /** The PGlite instance (for the wire server). */
  get pglite(): PGlite {
    return this.core.pg;
  }

  get closed(): boolean {
    return this.core.closed;
  }

  /** Holds the connection exclusively until release is called (wire sessions mid-transaction). */
  lease(): Promise<() => void> {
    return this.core.queue.lease();
  }

  query<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    if (this.path.length) return this.transaction((tx) => tx.query<R>(sql, params));
    return this.core.run(() => run<R>(this.core.pg, sql, params));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const path = this.path;
    return this.core.run(() =>
      this.core.pg.transaction(async (tx) => {
        const q = txQueryable(tx);
        if (path.length) await setLocalSearchPath(q, path);
        return fn(q);
      }),
    );
  }

  /** Names resolve in `schema`, then in this view's schemas, then public. */
  withSchema(schema: string): Db {
    quoteIdent(schema);
    let view = this.views.get(schema);
    if (!view) {
      view = new PgliteDb(this.core, [schema, ...this.path.filter((s) => s !== schema)]);
      this.views.set(schema, view);
    }
    return view;
  }

  /** The root closes the database after queued work; closing a schema view is a no-op. */
  async close(): Promise<void> {
    if (this.path.length > 0 || this.core.closed) return;
    this.core.closed = true;
    await this.core.queue.run(() => this.core.pg.close());
  }
}
