/**
 * `openStore`: the database (Postgres when a URL is given, embedded PGlite otherwise), its
 * migrations and the core repositories, in one object the composition roots pass around.
 */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { verticalSchemaName, type Manifest } from '../manifest/index.js';
import { AppError } from '../shared/index.js';
import { createLogger } from '../observability/index.js';
import { openEmbedded } from './db/embedded.js';
import { PgliteDb } from './db/pglite.js';
import { PostgresDb } from './db/postgres.js';
import { applyMigrations, readMigrationDir, type MigrationReport } from './migrate.js';
import { createRepositories, type Repositories } from './repositories/index.js';
import { quoteIdent, setLocalSearchPath } from './sql.js';
import type { Db } from './types.js';

const log = createLogger('store');

/** Core migrations shipped with the framework. */
export const CORE_MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
/** Framework-level migrations run in every vertical's schema before the vertical's own. */
export const VERTICAL_FRAMEWORK_MIGRATIONS_DIR = join(CORE_MIGRATIONS_DIR, 'vertical');

export interface OpenStoreOptions {
  /** Postgres URL; null/undefined → embedded PGlite. */
  databaseUrl?: string | null;
  /** Where embedded PGlite keeps its files (`<dataDir>/pglite`). Defaults to `.data`. */
  dataDir?: string;
  /** Embedded PGlite in memory (tests). */
  inMemory?: boolean;
  poolSize?: number;
  /**
   * Schema holding the core tables (calls, transcripts…); default: the database's default
   * (public). Tests use a throwaway schema per file.
   */
  schema?: string;
  /**
   * Serve the embedded database on loopback so CLI commands can use it while this process runs
   * (the gateway sets this). Ignored for Postgres and in-memory stores.
   */
  shareEmbedded?: boolean;
  /** Environment for `storage.databaseUrlEnv` lookups; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export type StoreMode = 'postgres' | 'pglite' | 'pglite-memory' | 'pglite-remote';

export interface SeedReport {
  vertical: string;
  migrations: MigrationReport;
  /** The seed file run, or null when the manifest names none. */
  seedFile: string | null;
}

export interface Store extends Repositories {
  /** The core database (names resolve in `options.schema` first when given). */
  readonly db: Db;
  readonly mode: StoreMode;
  /** Port of the loopback wire server when this process shares its embedded database. */
  readonly sharedPort: number | null;
  /** Applies core migrations. */
  migrate(): Promise<MigrationReport>;
  /** Framework vertical migrations then `verticals/<id>/<storage.migrations>/*.sql`, in the vertical's schema. */
  migrateVertical(manifest: Manifest, verticalDir: string): Promise<MigrationReport>;
  /** The vertical's database: its own (storage.databaseUrlEnv) or this one, names resolving in its schema. */
  dbForVertical(manifest: Manifest): Db;
  /** migrateVertical, then the vertical's seed file (which must be idempotent: ON CONFLICT DO NOTHING). */
  seedVertical(manifest: Manifest, verticalDir: string): Promise<SeedReport>;
  close(): Promise<void>;
}

export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const env = options.env ?? process.env;
  let root: Db;
  let mode: StoreMode;
  let sharedPort: number | null = null;
  let closeRoot: () => Promise<void>;
  if (options.databaseUrl) {
    const db = PostgresDb.open({ connectionString: options.databaseUrl, poolSize: options.poolSize });
    root = db;
    mode = 'postgres';
    closeRoot = () => db.close();
  } else if (options.inMemory) {
    const db = await PgliteDb.open();
    root = db;
    mode = 'pglite-memory';
    closeRoot = () => db.close();
  } else {
    const handle = await openEmbedded(options.dataDir ?? '.data', { poolSize: options.poolSize });
    root = handle.db;
    if (handle.kind === 'owner') {
      mode = 'pglite';
      if (options.shareEmbedded) sharedPort = await handle.share();
    } else {
      mode = 'pglite-remote';
      log.info('using the embedded database shared by a running process', { pid: handle.owner.pid, port: handle.owner.port });
    }
    closeRoot = () => handle.close();
  }
  return new StoreImpl(root, mode, sharedPort, closeRoot, options, env);
}

class StoreImpl implements Store {
  readonly db: Db;
  readonly calls;
  readonly transcripts;
  readonly toolInvocations;
  readonly handoffs;
  readonly latency;
  readonly outbox;
  readonly analysis;
  readonly manifestVersions;
  readonly phoneNumbers;
  readonly canaries;
  readonly versionStats;
  readonly webhookEvents;
  readonly transfers;
  readonly retention;
  readonly fleet;
  /** Roots of verticals with their own database, by URL. */
  private readonly foreign = new Map<string, PostgresDb>();
  private closed = false;

  constructor(
    private readonly root: Db,
    readonly mode: StoreMode,
    readonly sharedPort: number | null,
    private readonly closeRoot: () => Promise<void>,
    private readonly options: OpenStoreOptions,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    if (options.schema) quoteIdent(options.schema);
    this.db = options.schema ? root.withSchema(options.schema) : root;
    const repos = createRepositories(this.db);
    this.calls = repos.calls;
    this.transcripts = repos.transcripts;
    this.toolInvocations = repos.toolInvocations;
    this.handoffs = repos.handoffs;
    this.latency = repos.latency;
    this.outbox = repos.outbox;
    this.analysis = repos.analysis;
    this.manifestVersions = repos.manifestVersions;
    this.phoneNumbers = repos.phoneNumbers;
    this.canaries = repos.canaries;
    this.versionStats = repos.versionStats;
    this.webhookEvents = repos.webhookEvents;
    this.transfers = repos.transfers;
    this.retention = repos.retention;
    this.fleet = repos.fleet;
  }

  private get coreSchema(): string | undefined {
    return this.options.schema;
  }

  async migrate(): Promise<MigrationReport> {
    const files = readMigrationDir(CORE_MIGRATIONS_DIR);
    const schema = this.coreSchema;
    return applyMigrations(this.root, schema ? `core:${schema}` : 'core', files, schema ? { schema } : {});
  }

  /** Root Db of the vertical's database and the schemas searched after its own. */
  private verticalRoot(manifest: Manifest): { root: Db; after: string[] } {
    const envName = manifest.storage.databaseUrlEnv;
    if (!envName) return { root: this.root, after: this.coreSchema ? [this.coreSchema] : [] };
    const url = this.env[envName];
    if (!url) {
      throw new AppError(
        'STORE_VERTICAL_DATABASE_MISSING',
        `vertical "${manifest.id}" keeps its data in the database named by ${envName}, but ${envName} is not set`,
      );
    }
    let db = this.foreign.get(url);
    if (!db) {
      db = PostgresDb.open({ connectionString: url, poolSize: this.options.poolSize });
      this.foreign.set(url, db);
    }
    return { root: db, after: [] };
  }

  private scopeOf(manifest: Manifest): string {
    const schema = verticalSchemaName(manifest);
    return schema === `v_${manifest.id.replace(/-/g, '_')}` ? `vertical:${manifest.id}` : `vertical:${manifest.id}:${schema}`;
  }

  async migrateVertical(manifest: Manifest, verticalDir: string): Promise<MigrationReport> {
    const schema = verticalSchemaName(manifest);
    const { root, after } = this.verticalRoot(manifest);
    const files = [
      ...readMigrationDir(VERTICAL_FRAMEWORK_MIGRATIONS_DIR, 'framework/'),
      ...readMigrationDir(resolve(verticalDir, manifest.storage.migrations)),
    ];
    return applyMigrations(root, this.scopeOf(manifest), files, { schema, searchAfter: after });
  }

  dbForVertical(manifest: Manifest): Db {
    const schema = verticalSchemaName(manifest);
    if (manifest.storage.databaseUrlEnv) return this.verticalRoot(manifest).root.withSchema(schema);
    return this.db.withSchema(schema);
  }

  async seedVertical(manifest: Manifest, verticalDir: string): Promise<SeedReport> {
    const migrations = await this.migrateVertical(manifest, verticalDir);
    const seed = manifest.storage.seed;
    if (!seed) return { vertical: manifest.id, migrations, seedFile: null };
    const file = resolve(verticalDir, seed);
    if (!existsSync(file)) {
      throw new AppError('STORE_SEED_MISSING', `vertical "${manifest.id}": seed file ${file} does not exist`);
    }
    const sql = readFileSync(file, 'utf8');
    const schema = verticalSchemaName(manifest);
    const { root, after } = this.verticalRoot(manifest);
    await root.transaction(async (tx) => {
      await setLocalSearchPath(tx, [schema, ...after]);
      try {
        await tx.query(sql);
      } catch (err) {
        throw new AppError('STORE_SEED_FAILED', `${file} failed: ${(err as Error).message}`, { cause: err });
      }
    });
    return { vertical: manifest.id, migrations, seedFile: file };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const foreign = [...this.foreign.values()];
    this.foreign.clear();
    await Promise.all(foreign.map((db) => db.close()));
    await this.closeRoot();
  }
}
