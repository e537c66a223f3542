/**
 * `switchboard simulate <vertical> [scenario|--all]`: places scripted calls against a running
 * gateway exactly as Twilio would and checks each scenario's expectations against the stored
 * call. Exits 1 when any expectation fails, 2 when the gateway cannot be reached.
 */
import type { Command } from 'commander';
import { loadConfig, type AppConfig } from '../../config/index.js';
import { loadScenarios, type Scenario } from '../../scenarios/index.js';
import { openStore, type Store } from '../../store/index.js';
import { AppError } from '../../shared/index.js';
import {
  formatCallSummary, formatChecks, formatStoredCall, formatTimelineEvent, runScenarios, type ScenarioRun,
} from '../../simulator/index.js';
import { action, EXIT_FAILED, EXIT_OK, type CliRun, type RegisterCommand } from '../context.js';

interface SimulateOptions {
  all?: boolean;
  url?: string;
  publicUrl?: string;
  fast?: boolean;
  speed?: string;
  concurrency?: string;
  records?: boolean;
  json?: boolean;
}

export interface SimulateDeps {
  config(): AppConfig;
  openStore: typeof openStore;
}

export const defaultSimulateDeps: SimulateDeps = { config: () => loadConfig(), openStore };

function pickScenarios(all: Scenario[], vertical: string | undefined, name: string | undefined, runAll: boolean): Scenario[] {
  const inVertical = vertical ? all.filter((s) => s.vertical === vertical) : all;
  if (vertical && inVertical.length === 0) throw new AppError('CLI_USAGE', `no scenarios for vertical "${vertical}" (verticals/${vertical}/scenarios/*.yaml)`);
  if (name) {
    const found = inVertical.find((s) => s.name === name || s.id === name);
    if (!found) throw new AppError('CLI_USAGE', `no scenario "${name}"${vertical ? ` in ${vertical}` : ''}; known: ${inVertical.map((s) => s.name).join(', ')}`);
    return [found];
  }
  if (!runAll) {
    throw new AppError('CLI_USAGE', `name a scenario or pass --all; ${vertical ?? 'all'} scenarios: ${inVertical.map((s) => s.id).join(', ') || 'none'}`);
  }
  return inVertical;
}

function printRun(run: CliRun, r: ScenarioRun, withTimeline: boolean): void {
  const head = r.error ? '✗ ERROR' : r.ok ? '✓ PASS' : '✗ FAIL';
  run.io.out(`\n${head}  ${r.scenario.id}${r.scenario.description ? ` — ${r.scenario.description}` : ''}`);
  if (r.call) {
    run.io.out(`  ${formatCallSummary(r.call)}`);
    if (withTimeline) for (const e of [...r.call.timeline].sort((a, b) => a.atMs - b.atMs)) run.io.out(`  ${formatTimelineEvent(e)}`);
  }
  if (r.stored) run.io.out(formatStoredCall(r.stored, { indent: '  ' }));
  if (r.error) run.io.out(`  error: ${r.error}`);
  if (r.checks.length) run.io.out(formatChecks(r.checks, '  '));
}

export function makeSimulateCommand(deps: SimulateDeps = defaultSimulateDeps): RegisterCommand {
  return (program: Command, run: CliRun) => {
    program
      .command('simulate')
      .description('place simulated calls against a running gateway, as Twilio would, and check the scenarios\' expectations')
      .argument('[vertical]', 'the vertical whose scenarios to run (all verticals with --all and no vertical)')
      .argument('[scenario]', 'one scenario name (file name under verticals/<vertical>/scenarios/)')
      .option('--all', 'every scenario (of the vertical, or of every vertical)')
      .option('--url <url>', 'the gateway (default http://localhost:$PORT)')
      .option('--public-url <url>', 'the URL Twilio signs, when the gateway checks signatures (default PUBLIC_URL, else --url)')
      .option('--fast', 'run the call clock 4x faster than real time')
      .option('--speed <x>', 'run the call clock at this multiple of real time')
      .option('--concurrency <n>', 'calls at once (default 1, or 4 with --all)')
      .option('--no-records', 'do not read the call records (only when the gateway\'s database is out of reach)')
      .option('--json', 'print the results as JSON')
      .addHelpText('after', `
Each call: a voice webhook (signed with TWILIO_AUTH_TOKEN when set), then the Media Streams
WebSocket with continuous 20 ms μ-law frames (the caller's speech, silence in between), marks
acknowledged as the audio plays, clear honoured, barge-ins where the scenario says, then a hang-up
and the status callback. Afterwards the stored call (tools, handoffs, transcript, end reason,
rows) is checked against the scenario's expect: block.

Examples:
  $ switchboard simulate salon booking
  $ switchboard simulate salon --all --fast
  $ switchboard simulate --all --concurrency 8
  $ switchboard simulate salon booking --url http://127.0.0.1:4000`)
      .action(action(run, async (vertical: string | undefined, name: string | undefined, options: SimulateOptions) => {
        const config = deps.config();
        const library = await loadScenarios(config.paths.verticals, vertical ? { vertical } : {});
        const scenarios = pickScenarios(library.list(), vertical, name, Boolean(options.all));
        const speed = options.speed ? Number(options.speed) : options.fast ? 4 : 1;
        if (!Number.isFinite(speed) || speed <= 0 || speed > 50) throw new AppError('CLI_USAGE', '--speed must be a number above 0 and at most 50');
        const concurrency = options.concurrency ? Number(options.concurrency) : options.all ? 4 : 1;
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 500) throw new AppError('CLI_USAGE', '--concurrency must be a whole number from 1 to 500');
        const gatewayUrl = (options.url ?? `http://localhost:${config.server.port}`).replace(/\/+$/, '');
        const publicUrl = options.publicUrl ?? (process.env.PUBLIC_URL ? config.server.publicUrl ?? undefined : undefined) ?? gatewayUrl;

        let store: Store | null = null;
        if (options.records !== false) {
          store = await deps.openStore({ databaseUrl: config.database.url, dataDir: config.paths.data, poolSize: Math.min(4, concurrency + 1) });
        }
        const live = scenarios.length === 1 && !options.json;
        try {
          if (!options.json) run.io.out(`simulating ${scenarios.length} call(s) against ${gatewayUrl}${speed !== 1 ? ` at ${speed}x` : ''}${scenarios.length > 1 ? `, ${Math.min(concurrency, scenarios.length)} at once` : ''}`);
          const results = await runScenarios(scenarios, {
            gatewayUrl,
            publicUrl,
            authToken: config.twilio.authToken,
            ...(config.twilio.accountSid ? { accountSid: config.twilio.accountSid } : {}),
            speed,
            concurrency,
            store,
            verticalsDir: config.paths.verticals,
            agentsDir: config.paths.agents,
            ...(live ? { onEvent: (_s: Scenario, e: Parameters<typeof formatTimelineEvent>[0]) => run.io.out(`  ${formatTimelineEvent(e)}`) } : {}),
            ...(!options.json ? { onDone: (r: ScenarioRun) => printRun(run, r, !live) } : {}),
          });
          const unreachable = results.find((r) => r.error?.startsWith('SIMULATOR_GATEWAY_UNREACHABLE'));
          if (unreachable) throw new AppError('SIMULATOR_GATEWAY_UNREACHABLE', unreachable.error!.replace(/^SIMULATOR_GATEWAY_UNREACHABLE: /, ''));
          const passed = results.filter((r) => r.ok).length;
          if (options.json) {
            run.io.out(JSON.stringify(results.map((r) => ({
              scenario: r.scenario.id, ok: r.ok, error: r.error, call: r.call, checks: r.checks,
              record: r.stored ? { call: r.stored.call, transcript: r.stored.transcript, tools: r.stored.tools, handoffs: r.stored.handoffs } : null,
            })), null, 2));
          } else {
            run.io.out(`\n${passed}/${results.length} scenario(s) passed${passed < results.length ? `; failed: ${results.filter((r) => !r.ok).map((r) => r.scenario.id).join(', ')}` : ''}`);
          }
          run.exitCode = passed === results.length ? EXIT_OK : EXIT_FAILED;
        } finally {
          await store?.close();
        }
      }));
  };
}

export const simulateCommand: RegisterCommand = makeSimulateCommand();
