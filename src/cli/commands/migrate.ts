/**
 * `switchboard migrate`: applies the core migrations, then every vertical's (framework-level
 * vertical files, then the vertical's own), and prints what was applied.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { loadVerticals, verticalSchemaName, type LoadedVertical } from '../../manifest/index.js';
import { openStore, type MigrationReport, type OpenStoreOptions, type Store } from '../../store/index.js';
import type { ToolRegistry } from '../../toolkit/index.js';
import { action, EXIT_ERROR, EXIT_FAILED, EXIT_OK, type CliRun, type RegisterCommand } from '../context.js';

/** What the database commands need from the outside world; tests pass their own. */
export interface StoreCommandDeps {
  loadRegistry(): Promise<ToolRegistry>;
  settings(): { verticals: string; agents: string; store: OpenStoreOptions };
  openStore(options: OpenStoreOptions): Promise<Store>;
}

export const defaultStoreDeps: StoreCommandDeps = {
  async loadRegistry() {
    const { registry } = await import('../../../tools/index.js');
    return registry;
  },
  settings() {
    const config = loadConfig();
    return {
      verticals: config.paths.verticals,
      agents: config.paths.agents,
      store: { databaseUrl: config.database.url, dataDir: config.paths.data, poolSize: 2 },
    };
  },
  openStore,
};

export interface LoadedForStore {
  verticals: LoadedVertical[];
  /** True when some manifest had errors (those verticals are left out). */
  hadErrors: boolean;
}

/**
 * Loads every vertical; a vertical whose manifest has errors is skipped with one line naming its
 * file and error count (`switchboard validate` prints the details).
 */
export async function loadVerticalsForStore(run: CliRun, deps: StoreCommandDeps, verticalsDir: string, agentsDir: string): Promise<LoadedForStore> {
  const registry = await deps.loadRegistry();
  const result = loadVerticals(verticalsDir, { registry, agentsDir });
  const errorsByFile = new Map<string, number>();
  for (const p of result.problems) if (p.severity === 'error') errorsByFile.set(p.file, (errorsByFile.get(p.file) ?? 0) + 1);
  for (const [file, n] of errorsByFile) {
    run.io.err(`skipped ${file}: ${n} manifest error${n === 1 ? '' : 's'} (run \`switchboard validate\` for details)`);
  }
  return { verticals: result.verticals, hadErrors: errorsByFile.size > 0 };
}

export function describeReport(label: string, report: MigrationReport): string {
  return report.applied.length > 0 ? `${label}: applied ${report.applied.join(', ')}` : `${label}: up to date`;
}

export function pickVerticals(run: CliRun, all: LoadedVertical[], ids: string[]): LoadedVertical[] | null {
  if (ids.length === 0) return all;
  const known = new Map(all.map((v) => [v.manifest.id, v]));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    run.io.err(`error: unknown or invalid vertical ${unknown.map((u) => `"${u}"`).join(', ')} (known: ${[...known.keys()].join(', ') || 'none'})`);
    run.exitCode = EXIT_ERROR;
    return null;
  }
  return ids.map((id) => known.get(id)!);
}

interface MigrateOptions {
  core?: boolean;
}

export function makeMigrateCommand(deps: StoreCommandDeps = defaultStoreDeps): RegisterCommand {
  return (program: Command, run: CliRun) => {
    program
      .command('migrate')
      .description('apply database migrations: core tables, then each vertical in its own schema')
      .argument('[vertical...]', 'only these verticals (default: every vertical under config paths.verticals)')
      .option('--core', 'only the core tables')
      .addHelpText('after', `
Migrations are forward-only SQL files, each applied once and recorded in schema_migrations;
editing an applied file is an error. Uses DATABASE_URL, or the embedded database under
config paths.data (shared with a running gateway automatically).

Examples:
  $ switchboard migrate                  core + every vertical
  $ switchboard migrate salon            core + the salon vertical
  $ switchboard migrate --core           only the core tables
  $ DATABASE_URL=postgres://localhost/switchboard switchboard migrate`)
      .action(action(run, async (ids: string[], options: MigrateOptions) => {
        const settings = deps.settings();
        const loaded = options.core ? { verticals: [], hadErrors: false } : await loadVerticalsForStore(run, deps, settings.verticals, settings.agents);
        const targets = pickVerticals(run, loaded.verticals, ids);
        if (!targets) return;
        const store = await deps.openStore(settings.store);
        try {
          run.io.out(describeReport('core', await store.migrate()));
          for (const v of targets) {
            const report = await store.migrateVertical(v.manifest, v.dir);
            run.io.out(describeReport(`vertical ${v.manifest.id} (${verticalSchemaName(v.manifest)})`, report));
          }
        } finally {
          await store.close();
        }
        // Naming verticals explicitly means the others' problems do not fail this run.
        run.exitCode = loaded.hadErrors && ids.length === 0 ? EXIT_FAILED : EXIT_OK;
      }));
  };
}

export const migrateCommand: RegisterCommand = makeMigrateCommand();
