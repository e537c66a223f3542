/**
 * The database seen by the rest of the framework: Postgres through `pg`, or embedded PGlite. The
 * contract itself lives in src/shared/db.ts (the toolkit hands it to tools without importing the store).
 */
export type { Db, Queryable, QueryResult, Row } from '../shared/index.js';
