/**
 * `switchboard instances [--json]`: every gateway and worker of the fleet from the registry
 * (the `instances` table): alive, lost (silent past fleet.lostAfterMs) or stopped, with its
 * heartbeat age, live calls and the version of each vertical it gives new calls.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { openStore, type InstanceRecord, type OpenStoreOptions, type Store } from '../../store/index.js';
import { action, EXIT_OK, type CliRun, type RegisterCommand } from '../context.js';

export interface InstancesCommandDeps {
  storeOptions(): OpenStoreOptions;
  openStore(options: OpenStoreOptions): Promise<Store>;
  lostAfterMs(): number;
}

export const defaultInstancesDeps: InstancesCommandDeps = {
  storeOptions() {
    const config = loadConfig();
    return { databaseUrl: config.database.url, dataDir: config.paths.data, poolSize: 2 };
  },
  openStore,
  lostAfterMs: () => loadConfig().fleet.lostAfterMs,
};

export type InstanceState = 'alive' | 'lost' | 'stopped';

export function stateOf(i: InstanceRecord, lostAfterMs: number): InstanceState {
  if (i.stoppedAt) return 'stopped';
  return i.heartbeatAgeMs > lostAfterMs ? 'lost' : 'alive';
}

function versionsText(versions: Record<string, string> | undefined): string {
  const entries = Object.entries(versions ?? {}).sort(([x], [y]) => x.localeCompare(y));
  return entries.length ? entries.map(([id, v]) => `${id}@${v}`).join(' ') : '-';
}

export function makeInstancesCommand(deps: InstancesCommandDeps = defaultInstancesDeps): RegisterCommand {
  return (program: Command, run: CliRun) => {
    program
      .command('instances')
      .description('list the gateways and workers of the fleet: heartbeat, live calls, versions')
      .option('--json', 'print JSON')
      .option('--all', 'include instances that stopped or were lost in the last 24 hours (default: the last hour)')
      .addHelpText('after', `
Reads the registry every gateway and worker writes its heartbeat to (in the database). An
instance silent for longer than fleet.lostAfterMs (SWITCHBOARD_INSTANCE_LOST_MS) is "lost": a
live gateway finalises its calls with end reason instance_lost, and they are analysed.

Examples:
  $ switchboard instances
  $ switchboard instances --json`)
      .action(action(run, async (options: { json?: boolean; all?: boolean }) => {
        const store = await deps.openStore(deps.storeOptions());
        try {
          const lostAfterMs = deps.lostAfterMs();
          const list = await store.fleet.list(options.all ? 24 * 3600_000 : 3600_000);
          if (options.json) {
            run.io.out(JSON.stringify(list.map((i) => ({
              id: i.id, kind: i.kind, state: stateOf(i, lostAfterMs), heartbeatAgeMs: i.heartbeatAgeMs,
              startedAt: i.startedAt.toISOString(), stoppedAt: i.stoppedAt?.toISOString() ?? null,
              liveCalls: i.info.liveCalls ?? 0, versions: i.info.versions ?? {}, pid: i.info.pid ?? null, host: i.info.host ?? null,
            })), null, 2));
          } else if (list.length === 0) {
            run.io.out('no instances registered (start a gateway with `npm start` or a worker with `switchboard worker`)');
          } else {
            run.io.out('instance                               kind     state    heartbeat  calls  versions');
            for (const i of list) {
              const age = `${(i.heartbeatAgeMs / 1000).toFixed(1)}s ago`;
              run.io.out(`${i.id.padEnd(38)} ${i.kind.padEnd(8)} ${stateOf(i, lostAfterMs).padEnd(8)} ${age.padStart(9)}  ${String(i.info.liveCalls ?? 0).padStart(5)}  ${versionsText(i.info.versions)}`);
            }
          }
          run.exitCode = EXIT_OK;
        } finally {
          await store.close();
        }
      }));
  };
}

export const instancesCommand: RegisterCommand = makeInstancesCommand();
