/**
 * `switchboard jobs failed` lists post-call jobs that gave up, with their reason;
 * `switchboard jobs retry <id>` runs one again. With REDIS_URL they are read from and re-run in
 * BullMQ; without it, from Postgres (each final failure is recorded on the call's outbox row) and
 * a retry puts the call back in the outbox for the gateway's relay.
 */
import type { Command } from 'commander';
import { listFailedJobs, retryFailedJob, type JobsAdminDeps } from '../../analysis/index.js';
import { loadConfig, type AppConfig } from '../../config/index.js';
import { AppError } from '../../shared/index.js';
import { openStore, type OpenStoreOptions, type Store } from '../../store/index.js';
import { action, EXIT_FAILED, type CliRun, type RegisterCommand } from '../context.js';

export interface JobsCommandDeps {
  config(): AppConfig;
  openStore(options: OpenStoreOptions): Promise<Store>;
  /** Queue name and Redis key prefix (tests use their own). */
  queue?: { queueName: string; prefix: string; webhookQueueName?: string };
}

export const defaultJobsDeps: JobsCommandDeps = { config: () => loadConfig(), openStore };

export function makeJobsCommand(deps: JobsCommandDeps = defaultJobsDeps): RegisterCommand {
  return (program: Command, run: CliRun) => {
    const withAdmin = async <T>(fn: (admin: JobsAdminDeps) => Promise<T>): Promise<T> => {
      const config = deps.config();
      const store = await deps.openStore({ databaseUrl: config.database.url, dataDir: config.paths.data, poolSize: 2 });
      try {
        return await fn({ config, store, ...(deps.queue ?? {}) });
      } finally {
        await store.close();
      }
    };

    const jobs = program
      .command('jobs')
      .description('post-call jobs and webhook deliveries: list the failed ones, retry one')
      .addHelpText('after', `
With REDIS_URL the BullMQ post-call queue is inspected; without it (the gateway runs the
processors in-process) failures are read from Postgres.

Examples:
  $ switchboard jobs failed
  $ switchboard jobs failed --json
  $ switchboard jobs retry 5b0c6d1e-0f3a-4c1b-9a55-0e8f3c2d1a77
  $ switchboard jobs retry wh-<event id>-<webhook>      (a dead-lettered webhook delivery)`);

    jobs
      .command('failed')
      .description('list post-call jobs that gave up, newest first, with the reason')
      .option('--json', 'print JSON')
      .option('--limit <n>', 'how many (default 100)', '100')
      .action(action(run, async (options: { json?: boolean; limit: string }) => {
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new AppError('CLI_USAGE', '--limit must be a whole number from 1 to 10000');
        const listing = await withAdmin((admin) => listFailedJobs(admin, limit));
        if (options.json) {
          run.io.out(JSON.stringify(listing, null, 2));
          return;
        }
        if (listing.jobs.length === 0) {
          run.io.out(`no failed post-call jobs (${listing.source})`);
          return;
        }
        for (const j of listing.jobs) {
          const when = j.failedAt ? j.failedAt.toISOString().slice(0, 19).replace('T', ' ') : '-';
          const what = j.queue === 'webhooks' ? `  webhook ${j.event ?? '?'} of call ${j.callId}` : '';
          run.io.out(`${j.id}  ${j.vertical ?? '?'}  ${when}  attempts ${j.attemptsMade}${what}\n  ${j.reason}`);
        }
        run.io.out(`${listing.jobs.length} failed (${listing.source}); re-run one with: switchboard jobs retry <id>`);
      }));

    jobs
      .command('retry')
      .description('run a failed post-call job (its id is the call id) or webhook delivery (wh-…) again')
      .argument('<id>', 'job id: the call id, or a webhook delivery id')
      .action(action(run, async (id: string) => {
        const outcome = await withAdmin((admin) => retryFailedJob(admin, id));
        if (outcome.kind === 'refused') {
          run.io.err(outcome.message);
          run.exitCode = EXIT_FAILED;
          return;
        }
        run.io.out(outcome.message);
      }));
  };
}

export const jobsCommand: RegisterCommand = makeJobsCommand();
