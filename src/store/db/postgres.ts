/** The `Db` contract over node-postgres: a Pool per search_path, or SET LOCAL per statement. */
import pg from 'pg';
import { createLogger } from '../../observability/index.js';
import { quoteIdent, searchPathFor, setLocalSearchPath } from '../sql.js';
import type { Db, Queryable, QueryResult, Row } from '../types.js';

const log = createLogger('store');

const INT8_OID = 20;
const DATE_OID = 1082;

/** bigint comes back as a JS number (as PGlite does); `date` as its 'YYYY-MM-DD' text. */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (v: string) => Number(v);
    if (oid === DATE_OID) return (v: string) => v;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as pg.CustomTypesConfig;

export interface PostgresDbOptions {
  connectionString: string;
  poolSize?: number;
  /**
   * How `withSchema` scopes names. `pool`: one cached Pool per schema whose connections start with
   * `-c search_path=…` (real Postgres). `set-local`: every statement runs in a transaction that
   * sets search_path locally (PGlite shared over the wire, where sessions are one backend).
   */
  schemaMode?: 'pool' | 'set-local';
  /** Reported as `Db.kind`; a PGlite reached over its socket says 'pglite'. */
  kind?: 'postgres' | 'pglite';
}

type PgResultLike = { rows: Row[]; rowCount: number | null };

function normalise<R extends object>(res: PgResultLike | PgResultLike[]): QueryResult<R> {
  // A multi-statement simple query returns one result per statement; the last one is the answer.
  const last = Array.isArray(res) ? res[res.length - 1] : res;
  if (!last) return { rows: [], rowCount: 0 };
  return { rows: (last.rows ?? []) as R[], rowCount: last.rowCount ?? last.rows?.length ?? 0 };
}

function clientQueryable(client: pg.PoolClient): Queryable {
  return {
    async query<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const res = (await client.query(sql, params ? [...params] : undefined)) as unknown as PgResultLike | PgResultLike[];
      return normalise<R>(res);
    },
  };
}

/** Shared state of a root Db and its schema views: the pools, closed together. */
class PoolSet {
  readonly pools = new Map<string, pg.Pool>();
  closed = false;

  constructor(private readonly options: PostgresDbOptions) {}

  get(path: readonly string[]): pg.Pool {
    const key = path.length ? searchPathFor(path) : '';
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new pg.Pool({
        connectionString: this.options.connectionString,
        max: this.options.poolSize ?? 10,
        types: typeParsers,
        idleTimeoutMillis: 10_000,
        ...(key ? { options: `-c search_path=${key}` } : {}),
      });
      // An idle client losing its connection must not crash the process.
      pool.on('error', (err) => log.warn('idle database connection failed', { err, searchPath: key || 'default' }));
      this.pools.set(key, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.end()));
  }
}

export class PostgresDb implements Db {
  readonly kind: 'postgres' | 'pglite';
  private readonly views = new Map<string, PostgresDb>();

  private constructor(
    private readonly pools: PoolSet,
    private readonly options: PostgresDbOptions,
    /** Schemas searched before public, first first; empty for the root (server default search_path). */
    readonly path: readonly string[],
  ) {
    this.kind = options.kind ?? 'postgres';
  }

  static open(options: PostgresDbOptions): PostgresDb {
    return new PostgresDb(new PoolSet(options), options, []);
  }

  private get mode(): 'pool' | 'set-local' {
    return this.options.schemaMode ?? 'pool';
  }

  private pool(): pg.Pool {
    return this.pools.get(this.mode === 'pool' ? this.path : []);
  }

  async query<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    if (this.path.length && this.mode === 'set-local') return this.transaction((tx) => tx.query<R>(sql, params));
    const res = (await this.pool().query(sql, params ? [...params] : undefined)) as unknown as PgResultLike | PgResultLike[];
    return normalise<R>(res);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool().connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      if (this.path.length && this.mode === 'set-local') await setLocalSearchPath(clientQueryable(client), this.path);
      const result = await fn(clientQueryable(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /** Names resolve in `schema`, then in this view's schemas, then public. */
  withSchema(schema: string): Db {
    quoteIdent(schema);
    let view = this.views.get(schema);
    if (!view) {
      view = new PostgresDb(this.pools, this.options, [schema, ...this.path.filter((s) => s !== schema)]);
      this.views.set(schema, view);
    }
    return view;
  }

  /** The root closes every pool (its views' too); closing a schema view is a no-op. */
  async close(): Promise<void> {
    if (this.path.length === 0) await this.pools.close();
  }
}
