/** The store: the only area that speaks SQL (tool families aside, through the Db they are given). */
export type { Db, Queryable, QueryResult, Row } from './types.js';
export { openStore, CORE_MIGRATIONS_DIR, VERTICAL_FRAMEWORK_MIGRATIONS_DIR } from './store.js';
export type { OpenStoreOptions, Store, StoreMode, SeedReport } from './store.js';
export { applyMigrations, readMigrationDir, listApplied, checksumOf } from './migrate.js';
export type { MigrationFile, MigrationReport, AppliedMigration } from './migrate.js';
export * from './repositories/index.js';
export { readStoredCall, findCall, waitForFinalCall, type StoredCall, type CallReader } from './storedCall.js';
export { quoteIdent, sqlState, violatedConstraint } from './sql.js';
export { PostgresDb } from './db/postgres.js';
export { PgliteDb } from './db/pglite.js';
export { ownerFile, pgliteDir } from './db/embedded.js';
export type { OwnerRecord } from './db/embedded.js';
export { startWireServer } from './db/wireServer.js';
export type { WireServer, WireServerOptions } from './db/wireServer.js';
export { createRedisChangeFeed, ROUTING_CHANNEL } from './changes.js';
export type { ChangeFeed, RedisChangeFeedOptions } from './changes.js';
export { createFleetBus, fleetMessageSchema, signReload, verifyReload, FLEET_CHANNEL } from './fleetBus.js';
export type { FleetBus, FleetMessage, ReloadRequest, ReloadResultMessage } from './fleetBus.js';
