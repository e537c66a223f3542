/**
 * `switchboard calls` lists recent calls; `switchboard calls show <id|callSid>` prints one with
 * its transcript, tool invocations, handoffs and latency samples. Reads the store directly
 * (DATABASE_URL, or the embedded database, shared with a running gateway).
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { openStore, type OpenStoreOptions, type Store } from '../../store/index.js';
import { AppError } from '../../shared/index.js';
import { formatStoredCall } from '../../simulator/index.js';
import { findCall, readStoredCall, type StoredCall } from '../../store/index.js';
import { action, EXIT_FAILED, type CliRun, type RegisterCommand } from '../context.js';
import { formatWaterfall, waterfallJson } from './callsWaterfall.js';
import { recordingSection, transfersSection } from './callsTransfer.js';

/**
 * Extra sections of `calls show` (ANALYSIS engineer: register the post-call analysis here).
 * Each returns text for the human output and a value for `--json` under its key, or null.
 */
export interface CallShowSection {
  key: string;
  load(store: Store, stored: StoredCall): Promise<{ text: string; json: unknown } | null>;
}
export const callShowSections: CallShowSection[] = [
  // Each turn's stages against the latency budget (the call's trace has the same figures as spans).
  { key: 'waterfall', load: async (_store, stored) => ({ text: formatWaterfall(stored), json: waterfallJson(stored) }) },
  // The recording reference (sid, media URL) and any transfers and messages taken (issue 18).
  recordingSection,
  transfersSection,
];

export interface CallsCommandDeps {
  storeOptions(): OpenStoreOptions;
  openStore(options: OpenStoreOptions): Promise<Store>;
}

export const defaultCallsDeps: CallsCommandDeps = {
  storeOptions() {
    const config = loadConfig();
    return { databaseUrl: config.database.url, dataDir: config.paths.data, poolSize: 2 };
  },
  openStore,
};

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

function storedJson(stored: StoredCall, extra: Record<string, unknown>): unknown {
  return { ...stored, ...extra };
}

export function makeCallsCommand(deps: CallsCommandDeps = defaultCallsDeps): RegisterCommand {
  return (program: Command, run: CliRun) => {
    const withStore = async <T>(fn: (store: Store) => Promise<T>): Promise<T> => {
      const store = await deps.openStore(deps.storeOptions());
      try {
        return await fn(store);
      } finally {
        await store.close();
      }
    };

    const calls = program
      .command('calls')
      .description('list recent calls (newest first); `calls show <id>` prints one call in full')
      .option('--json', 'print JSON')
      .option('--vertical <id>', 'only this vertical')
      .option('--limit <n>', 'how many (default 20)', '20')
      .addHelpText('after', `
Examples:
  $ switchboard calls
  $ switchboard calls --vertical salon --limit 5 --json
  $ switchboard calls show CA0123456789abcdef0123456789abcdef
  $ switchboard calls show 5b0c...-uuid --json`)
      .action(action(run, async (options: { json?: boolean; vertical?: string; limit: string }) => {
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new AppError('CLI_USAGE', '--limit must be a whole number from 1 to 1000');
        const rows = await withStore((store) => store.calls.list({ limit, ...(options.vertical ? { vertical: options.vertical } : {}) }));
        if (options.json) {
          run.io.out(JSON.stringify(rows, null, 2));
          return;
        }
        if (rows.length === 0) {
          run.io.out('no calls yet');
          return;
        }
        run.io.out(`${pad('started', 20)} ${pad('id', 36)} ${pad('vertical', 24)} ${pad('status', 11)} ${pad('end', 18)} duration`);
        for (const c of rows) {
          run.io.out([
            pad(c.startedAt.toISOString().slice(0, 19).replace('T', ' '), 20),
            pad(c.id, 36),
            pad(`${c.vertical}@${c.manifestVersion}`, 24),
            pad(c.status, 11),
            pad(c.endReason ?? '-', 18),
            c.durationMs === null ? '-' : `${(c.durationMs / 1000).toFixed(1)}s`,
          ].join(' '));
        }
      }));

    calls
      .command('show')
      .description('one call: row, transcript, tools, handoffs, latency')
      .argument('<id>', 'call id (uuid) or Twilio CallSid')
      .option('--json', 'print JSON')
      .action(action(run, async (id: string, showOptions: { json?: boolean }) => {
        // `--json` after the id may be claimed by the parent `calls` command.
        const options = { json: Boolean(showOptions.json || (calls.opts() as { json?: boolean }).json) };
        const found = await withStore(async (store) => {
          const call = await findCall(store, id);
          if (!call) return null;
          const stored = await readStoredCall(store, call);
          const sections: Array<{ key: string; text: string; json: unknown }> = [];
          for (const section of callShowSections) {
            const s = await section.load(store, stored);
            if (s) sections.push({ key: section.key, ...s });
          }
          return { stored, sections };
        });
        if (!found) {
          run.io.err(`no call ${id}`);
          run.exitCode = EXIT_FAILED;
          return;
        }
        if (options.json) {
          run.io.out(JSON.stringify(storedJson(found.stored, Object.fromEntries(found.sections.map((s) => [s.key, s.json]))), null, 2));
          return;
        }
        run.io.out(formatStoredCall(found.stored));
        const traceId = found.stored.call.traceId;
        if (traceId) run.io.out(`trace ${traceId}  (look it up in Jaeger, Tempo or Grafana: README "Observability")`);
        for (const s of found.sections) run.io.out(`${s.key}:\n${s.text}`);
      }));
  };
}

export const callsCommand: RegisterCommand = makeCallsCommand();
