/**
 * `switchboard analysis rerun <call-id>` and `switchboard analysis rerun --vertical v --since DATE`:
 * analyse finished calls again with each vertical's current manifest (after changing its fields,
 * intents or rubric), in this process, with the analyser config allows (OpenAI when a key is
 * configured and the vertical's analyser is auto/openai). Each re-run adds a revision; earlier
 * results are kept.
 */
import type { Command } from 'commander';
import { analysersFromConfig, rerunAnalysis, rerunVertical, type AnalyserSet, type RerunDeps, type RerunOutcome } from '../../analysis/index.js';
import { loadConfig, type AppConfig } from '../../config/index.js';
import { setLogLevel } from '../../observability/index.js';
import { AppError } from '../../shared/index.js';
import { findCall, openStore, type OpenStoreOptions, type Store } from '../../store/index.js';
import { action, EXIT_FAILED, type CliRun, type RegisterCommand } from '../context.js';
import type { WorkerCatalog } from './worker.js';
import { defaultWorkerDeps } from './worker.js';

export interface AnalysisCommandDeps {
  config(): AppConfig;
  openStore(options: OpenStoreOptions): Promise<Store>;
  loadCatalog(config: AppConfig): Promise<WorkerCatalog>;
  /** Overrides the analysers built from config (tests). */
  analysers?: AnalyserSet;
}

export const defaultAnalysisDeps: AnalysisCommandDeps = {
  config: () => loadConfig(),
  openStore,
  loadCatalog: (config) => defaultWorkerDeps.loadCatalog(config),
};

/** `2026-11-30` (UTC midnight) or a full ISO timestamp. */
export function parseSince(text: string): Date {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  const date = new Date(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime())) {
    throw new AppError('CLI_USAGE', `--since must be a date like 2026-11-30 or an ISO timestamp, not "${text}"`);
  }
  return date;
}

function line(o: RerunOutcome): string {
  if (!o.ok) return `${o.callId}  failed  ${o.code}: ${o.message}`;
  const success = o.success === null ? '' : `  success ${o.success ? 'pass' : 'fail'}`;
  return `${o.callId}  revision ${o.revision} (${o.revisionCount} kept)  ${o.analyser}  intent ${o.intent}  lead ${o.leadScore}${success}`;
}

export function makeAnalysisCommand(deps: AnalysisCommandDeps = defaultAnalysisDeps): RegisterCommand {
  return (program: Command, run: CliRun) => {
    const analysis = program
      .command('analysis')
      .description('post-call analysis: re-run it for one call or a vertical\'s calls since a date');

    analysis
      .command('rerun')
      .description('analyse finished calls again with the current manifest, keeping earlier revisions')
      .argument('[call]', 'call id (uuid) or Twilio CallSid')
      .option('--vertical <id>', 'every ended call of this vertical (with --since)')
      .option('--since <date>', 'calls that started at or after this date (YYYY-MM-DD, UTC) or ISO timestamp')
      .option('--json', 'print JSON')
      .addHelpText('after', `
Uses each vertical's manifest as deployed now (that is the point: after changing its fields,
intents or rubric) and the analyser config allows: OpenAI when OPENAI_API_KEY is set and the
vertical's analyser is auto or openai, the offline heuristic otherwise. Each re-run adds a
revision; \`switchboard calls show\` prints the current one and how many are kept.

Examples:
  $ switchboard analysis rerun 5b0c6d1e-0f3a-4c1b-9a55-0e8f3c2d1a77
  $ switchboard analysis rerun --vertical healthcare --since 2026-11-01
  $ switchboard analysis rerun --vertical salon --since 2026-11-30T12:00:00Z --json`)
      .action(action(run, async (call: string | undefined, options: { vertical?: string; since?: string; json?: boolean }) => {
        if (call && (options.vertical || options.since)) throw new AppError('CLI_USAGE', 'give a call id, or --vertical with --since, not both');
        if (!call && !(options.vertical && options.since)) throw new AppError('CLI_USAGE', 'give a call id, or --vertical <id> --since <date>');
        const since = options.since ? parseSince(options.since) : null;
        const config = deps.config();
        setLogLevel(config.log.level);
        const store = await deps.openStore({ databaseUrl: config.database.url, dataDir: config.paths.data, poolSize: 2 });
        try {
          const catalog = await deps.loadCatalog(config);
          await store.migrate();
          for (const v of catalog.list()) await store.migrateVertical(v.manifest, v.dir);
          const rerun: RerunDeps = {
            store, getManifest: (id) => catalog.get(id)?.manifest, analysers: deps.analysers ?? analysersFromConfig(config),
          };
          let outcomes: RerunOutcome[];
          if (call) {
            const found = await findCall(store, call);
            outcomes = [found ? await rerunAnalysis(rerun, found.id) : { callId: call, ok: false, code: 'ANALYSIS_CALL_NOT_FOUND', message: `no call ${call}` }];
            if (!options.json) run.io.out(line(outcomes[0]!));
          } else {
            outcomes = await rerunVertical(rerun, options.vertical!, since!, options.json ? undefined : (o) => run.io.out(line(o)));
            if (!options.json) run.io.out(`${outcomes.filter((o) => o.ok).length} of ${outcomes.length} calls analysed again`);
          }
          if (options.json) run.io.out(JSON.stringify(outcomes, null, 2));
          if (outcomes.some((o) => !o.ok)) run.exitCode = EXIT_FAILED;
        } finally {
          await store.close();
        }
      }));
  };
}

export const analysisCommand: RegisterCommand = makeAnalysisCommand();
