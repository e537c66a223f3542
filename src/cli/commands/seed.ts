/** `switchboard seed [vertical...]`: migrate, then load each vertical's (idempotent) seed file. */
import type { Command } from 'commander';
import { relative } from 'node:path';
import { verticalSchemaName } from '../../manifest/index.js';
import { action, EXIT_FAILED, EXIT_OK, type CliRun, type RegisterCommand } from '../context.js';
import { defaultStoreDeps, describeReport, loadVerticalsForStore, pickVerticals, type StoreCommandDeps } from './migrate.js';

export function makeSeedCommand(deps: StoreCommandDeps = defaultStoreDeps): RegisterCommand {
  return (program: Command, run: CliRun) => {
    program
      .command('seed')
      .description("migrate, then load verticals' demo data (storage.seed in the manifest)")
      .argument('[vertical...]', 'only these verticals (default: every vertical with a seed file)')
      .addHelpText('after', `
Seed files must be idempotent (INSERT ... ON CONFLICT DO NOTHING), so seeding twice is safe.

Examples:
  $ switchboard seed                     every vertical that has a seed file
  $ switchboard seed salon               only the salon
  $ switchboard seed salon healthcare`)
      .action(action(run, async (ids: string[]) => {
        const settings = deps.settings();
        const loaded = await loadVerticalsForStore(run, deps, settings.verticals, settings.agents);
        const targets = pickVerticals(run, loaded.verticals, ids);
        if (!targets) return;
        const store = await deps.openStore(settings.store);
        try {
          run.io.out(describeReport('core', await store.migrate()));
          for (const v of targets) {
            const label = `vertical ${v.manifest.id} (${verticalSchemaName(v.manifest)})`;
            if (!v.manifest.storage.seed && ids.length === 0) {
              run.io.out(describeReport(label, await store.migrateVertical(v.manifest, v.dir)) + '; no seed file');
              continue;
            }
            const report = await store.seedVertical(v.manifest, v.dir);
            const seeded = report.seedFile ? `; seeded from ${relative(process.cwd(), report.seedFile) || report.seedFile}` : '; no seed file';
            run.io.out(describeReport(label, report.migrations) + seeded);
          }
        } finally {
          await store.close();
        }
        run.exitCode = loaded.hadErrors && ids.length === 0 ? EXIT_FAILED : EXIT_OK;
      }));
  };
}

export const seedCommand: RegisterCommand = makeSeedCommand();
