/**
 * The database contract: what the store implements (Postgres through `pg`, or embedded PGlite) and
 * what the toolkit hands a tool as `ToolContext.db`. It lives here, driver-free, so the store and the
 * toolkit both depend on it instead of on each other.
 */
export type Row = Record<string, unknown>;

export interface QueryResult<R extends object = Row> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs fn inside BEGIN/COMMIT (ROLLBACK on throw) on one connection. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** A view of the same database whose unqualified names resolve in `schema` first, then `public`. */
  withSchema(schema: string): Db;
  close(): Promise<void>;
}
