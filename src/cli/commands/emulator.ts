/**
 * `switchboard emulator`: runs the local Realtime emulator on 127.0.0.1 and prints its URL.
 * Any Realtime client (the Agents SDK, our runtime in another process) can point at it. Every
 * scenario under the verticals directory can be chosen per connection with `?scenario=<id>`.
 * The same port serves the cascade engine's offline peers: Realtime transcription sessions,
 * the Responses API and an ElevenLabs-compatible TTS WebSocket.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { startEmulator, type BrainKind, type RunningEmulator } from '../../engines/index.js';
import { loadScenarioFile, loadScenarios, ScenarioError, ScenarioLibrary, type Scenario } from '../../scenarios/index.js';
import { action, EXIT_FAILED, type CliRun, type RegisterCommand } from '../context.js';

export interface EmulatorCommandDeps {
  /** Resolves when the emulator should stop (default: SIGINT or SIGTERM). */
  waitForStop(emulator: RunningEmulator): Promise<void>;
  /** The verticals directory when --verticals is not given. */
  defaultVerticalsDir(): string;
}

export const defaultEmulatorDeps: EmulatorCommandDeps = {
  waitForStop: () =>
    new Promise((done) => {
      // The listeners stay registered until the process ends: the Agents SDK's own SIGTERM
      // handler exits the process at once when it finds no other listener.
      const stop = (): void => done();
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    }),
  defaultVerticalsDir: () => {
    try {
      return loadConfig().paths.verticals;
    } catch {
      return 'verticals';
    }
  },
};

interface EmulatorCliOptions {
  port: string;
  host: string;
  brain?: string;
  scenario?: string;
  verticals?: string;
  apiKey?: string;
  speed: string;
  voice: string;
}

export function makeEmulatorCommand(deps: EmulatorCommandDeps = defaultEmulatorDeps): RegisterCommand {
  return (program: Command, run: CliRun) => {
    program
      .command('emulator')
      .description('run the local OpenAI Realtime emulator and the cascade peers (transcription, Responses, ElevenLabs TTS; offline stand-ins, not language models) and print their URLs')
      .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '8788')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--brain <brain>', 'scripted (follows a scenario) or rules (offline rule-based stand-in); default: scripted with a scenario, else rules')
      .option('--scenario <path|id>', 'default scenario for connections that do not pick one: a YAML file or an id like salon/booking')
      .option('--verticals <dir>', 'where to find verticals/<id>/scenarios/*.yaml (default: config paths.verticals)')
      .option('--api-key <key>', 'require this bearer key (default: accept any)')
      .option('--speed <factor>', 'how much faster than real time audio is streamed ("inf": all at once)', '4')
      .option('--voice <engine>', 'auto (espeak-ng when installed), espeak or synthetic', 'auto')
      .addHelpText('after', `
Connect with the Agents SDK:
  new OpenAIRealtimeWebSocket({ url: 'ws://127.0.0.1:8788/v1/realtime?scenario=salon/booking' })

Examples:
  $ switchboard emulator --port 8788                       rule-based brain, every scenario selectable
  $ switchboard emulator --scenario salon/booking          scripted brain playing one scenario by default
  $ switchboard emulator --scenario ./my-call.yaml --brain scripted

Cascade peers on the same port:
  ws://127.0.0.1:8788/v1/realtime?intent=transcription&scenario=<id>             speech to text
  POST http://127.0.0.1:8788/v1/responses  (header x-switchboard-scenario: <id>)  text model
  ws://127.0.0.1:8788/v1/text-to-speech/<voice>/multi-stream-input?output_format=ulaw_8000   ElevenLabs voice`)
      .action(action(run, async (opts: EmulatorCliOptions) => {
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65_535) {
          run.io.err(`error: --port must be 0..65535, got ${opts.port}`);
          run.exitCode = EXIT_FAILED;
          return;
        }
        if (opts.brain !== undefined && opts.brain !== 'scripted' && opts.brain !== 'rules') {
          run.io.err(`error: --brain must be scripted or rules, got ${opts.brain}`);
          run.exitCode = EXIT_FAILED;
          return;
        }
        const speed = opts.speed === 'inf' ? Infinity : Number(opts.speed);
        if (!(speed > 0)) {
          run.io.err(`error: --speed must be a positive number or inf, got ${opts.speed}`);
          run.exitCode = EXIT_FAILED;
          return;
        }
        if (!['auto', 'espeak', 'synthetic'].includes(opts.voice)) {
          run.io.err(`error: --voice must be auto, espeak or synthetic, got ${opts.voice}`);
          run.exitCode = EXIT_FAILED;
          return;
        }
        let library: ScenarioLibrary;
        let chosen: Scenario | undefined;
        try {
          library = await loadScenarios(resolve(opts.verticals ?? deps.defaultVerticalsDir()));
          if (opts.scenario) {
            if (/\.ya?ml$/i.test(opts.scenario)) {
              chosen = await loadScenarioFile(resolve(opts.scenario));
              if (!library.get(chosen.id)) library.add(chosen);
            } else {
              chosen = library.get(opts.scenario);
              if (!chosen) {
                run.io.err(`error: unknown scenario "${opts.scenario}" (known: ${library.list().map((s) => s.id).join(', ') || 'none'})`);
                run.exitCode = EXIT_FAILED;
                return;
              }
            }
          }
        } catch (err) {
          if (err instanceof ScenarioError) {
            run.io.err(err.format());
            run.exitCode = EXIT_FAILED;
            return;
          }
          throw err;
        }
        const emulator = await startEmulator({
          port, host: opts.host, scenarios: library,
          ...(chosen ? { scenario: chosen } : {}),
          ...(opts.brain ? { brain: opts.brain as BrainKind } : {}),
          ...(opts.apiKey ? { apiKey: opts.apiKey } : {}),
          pacing: { speed },
          speech: { engine: opts.voice as 'auto' | 'espeak' | 'synthetic' },
        });
        const brain = opts.brain ?? (chosen ? chosen.brain : 'rules');
        run.io.out(`Realtime emulator listening on ${emulator.url}`);
        run.io.out(`brain: ${brain}${chosen ? ` (default scenario ${chosen.id})` : ''}; an offline stand-in, not a language model`);
        run.io.out(`scenarios: ${library.list().map((s) => s.id).join(', ') || 'none'} (pick one per connection with ?scenario=<id>)`);
        run.io.out(`cascade peers: ${emulator.url}?intent=transcription, ${emulator.baseUrl}/v1/responses, ${emulator.baseUrl.replace(/^http/, 'ws')}/v1/text-to-speech/<voice>/multi-stream-input`);
        await deps.waitForStop(emulator);
        await emulator.close();
        run.io.out(`emulator stopped after ${emulator.totalSessions} session(s)`);
      }));
  };
}

export const emulatorCommand: RegisterCommand = makeEmulatorCommand();
