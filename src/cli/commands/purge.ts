/**
 * `switchboard purge [--dry-run] [--vertical v] [--json]`: applies each vertical's `retention` now.
 * A purged call keeps its metadata (times, end reason, scores, intent) and loses its content
 * (transcript, tool arguments and results, recording references, the analysis' free text).
 * `--dry-run` prints what would go and deletes nothing. The worker (or the gateway without Redis)
 * runs the same purge on a schedule.
 */
import type { Command } from 'commander';
import { formatPurgeReport, purgeExpired } from '../../analysis/index.js';
import { AppError } from '../../shared/index.js';
import { setLogLevel } from '../../observability/index.js';
import { action, type CliRun, type RegisterCommand } from '../context.js';
import { defaultAnalysisDeps, type AnalysisCommandDeps } from './analysis.js';

export type PurgeCommandDeps = Omit<AnalysisCommandDeps, 'analysers'> & { now?: () => Date };

export function makePurgeCommand(deps: PurgeCommandDeps = defaultAnalysisDeps): RegisterCommand {
  return (program: Command, run: CliRun) => {
    program
      .command('purge')
      .description("apply each vertical's retention now: calls keep their metadata and lose their content")
      .option('--dry-run', 'print what would be purged; delete nothing')
      .option('--vertical <id>', 'only this vertical')
      .option('--json', 'print JSON')
      .addHelpText('after', `
A vertical sets retention in days per kind of content, for example
  retention: { transcripts: 30, toolArguments: 30, recordings: 90, analysis: 365 }
Kinds it leaves out are kept. \`switchboard worker\` (or the gateway without Redis) runs the
same purge every config retention.purgeIntervalMs (RETENTION_PURGE_INTERVAL_MS, default 1 h).

Examples:
  $ switchboard purge --dry-run
  $ switchboard purge --vertical healthcare
  $ switchboard purge --json`)
      .action(action(run, async (options: { dryRun?: boolean; vertical?: string; json?: boolean }) => {
        const config = deps.config();
        setLogLevel(config.log.level);
        const store = await deps.openStore({ databaseUrl: config.database.url, dataDir: config.paths.data, poolSize: 2 });
        try {
          const catalog = await deps.loadCatalog(config);
          if (options.vertical && !catalog.get(options.vertical)) {
            throw new AppError('CLI_USAGE', `no vertical "${options.vertical}" (loaded: ${catalog.list().map((v) => v.manifest.id).join(', ') || 'none'})`);
          }
          await store.migrate();
          for (const v of catalog.list()) await store.migrateVertical(v.manifest, v.dir);
          const report = await purgeExpired({
            store, manifests: catalog.list().map((v) => v.manifest),
            ...(options.dryRun ? { dryRun: true } : {}),
            ...(options.vertical ? { vertical: options.vertical } : {}),
            ...(deps.now ? { now: deps.now() } : {}),
          });
          run.io.out(options.json ? JSON.stringify(report, null, 2) : formatPurgeReport(report));
        } finally {
          await store.close();
        }
      }));
  };
}

export const purgeCommand: RegisterCommand = makePurgeCommand();
