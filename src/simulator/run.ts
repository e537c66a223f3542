/**
 * Runs scenarios as simulated calls against a gateway, several at once, and checks each one's
 * expectations against the stored call record.
 */
import { join } from 'node:path';
import { SpeechSynthesizer } from '../audio/index.js';
import { loadManifest, type Manifest } from '../manifest/index.js';
import type { Scenario } from '../scenarios/index.js';
import type { Queryable, Store } from '../store/index.js';
import { AppError, describeError } from '../shared/index.js';
import { httpSend, type HttpResponse } from '../telephony/index.js';
import { simulateCall, type SimulatedCall, type TimelineEvent } from './call.js';
import { checkScenario, type Check } from './expectations.js';
import { readStoredCall, waitForFinalCall, type StoredCall } from '../store/index.js';

export interface ScenarioRun {
  scenario: Scenario;
  call: SimulatedCall | null;
  stored: StoredCall | null;
  checks: Check[];
  ok: boolean;
  error: string | null;
}

export interface GatewayVertical {
  id: string;
  version: string;
  /** Older gateways listed numbers in /healthz; current ones name none (the manifest's are dialled). */
  numbers?: string[];
}

export interface RunScenariosOptions {
  gatewayUrl: string;
  /** Where media streams connect, when not to gatewayUrl (another fleet instance, a proxy). */
  streamGatewayUrl?: string;
  streamTarget?: (streamUrl: string) => string | undefined;
  publicUrl?: string;
  authToken?: string | null;
  accountSid?: string;
  speed?: number;
  concurrency?: number;
  /** Reads the call records; without it only the simulator's own checks run. */
  store?: Pick<Store, 'calls' | 'transcripts' | 'toolInvocations' | 'handoffs' | 'latency' | 'dbForVertical'> | null;
  /** Where `verticals/<id>/vertical.yaml` live (for the vertical's schema in row checks). */
  verticalsDir: string;
  agentsDir: string;
  synth?: SpeechSynthesizer;
  /** How long to wait for the gateway to finalise a call's row. */
  finalizeTimeoutMs?: number;
  onEvent?: (scenario: Scenario, e: TimelineEvent) => void;
  onDone?: (run: ScenarioRun) => void;
}

/** The verticals the gateway serves, from its /healthz. */
export async function gatewayVerticals(gatewayUrl: string): Promise<GatewayVertical[]> {
  let res: HttpResponse;
  try {
    res = await httpSend({ url: `${gatewayUrl.replace(/\/+$/, '')}/healthz`, timeoutMs: 10_000 });
  } catch (err) {
    throw new AppError('SIMULATOR_GATEWAY_UNREACHABLE', `no gateway answers at ${gatewayUrl} (start one with \`npm start\`): ${(err as Error).message}`, { cause: err });
  }
  let body: { verticals?: GatewayVertical[] } = {};
  try {
    body = JSON.parse(res.text) as typeof body;
  } catch {
    // reported below
  }
  if (!Array.isArray(body.verticals)) throw new AppError('SIMULATOR_GATEWAY_UNREACHABLE', `${gatewayUrl}/healthz did not list verticals (status ${res.status})`);
  return body.verticals;
}

function manifestFor(verticalsDir: string, agentsDir: string, id: string): Manifest | null {
  const loaded = loadManifest(join(verticalsDir, id, 'vertical.yaml'), { registry: { has: () => true }, agentsDir });
  return loaded.vertical?.manifest ?? null;
}

/** Counts the agent's recorded utterances of a call (0 until its row exists). */
function agentUtterancesFrom(store: NonNullable<RunScenariosOptions['store']>): (callSid: string) => Promise<number> {
  let callId: string | null = null;
  return async (callSid) => {
    callId ??= (await store.calls.getBySid(callSid))?.id ?? null;
    if (!callId) return 0;
    return (await store.transcripts.list(callId)).filter((t) => t.role === 'assistant').length;
  };
}

async function runOne(scenario: Scenario, to: string, opts: RunScenariosOptions, synth: SpeechSynthesizer): Promise<ScenarioRun> {
  const run: ScenarioRun = { scenario, call: null, stored: null, checks: [], ok: false, error: null };
  try {
    run.call = await simulateCall(scenario, {
      gatewayUrl: opts.gatewayUrl,
      ...(opts.streamGatewayUrl ? { streamGatewayUrl: opts.streamGatewayUrl } : {}),
      ...(opts.streamTarget ? { streamTarget: opts.streamTarget } : {}),
      to,
      synth,
      ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
      ...(opts.authToken ? { authToken: opts.authToken } : {}),
      ...(opts.accountSid ? { accountSid: opts.accountSid } : {}),
      ...(opts.speed ? { speed: opts.speed } : {}),
      ...(opts.onEvent ? { onEvent: (e: TimelineEvent) => opts.onEvent!(scenario, e) } : {}),
      ...(opts.store ? { agentUtterances: agentUtterancesFrom(opts.store) } : {}),
    });
    let stored: StoredCall | null | undefined;
    if (opts.store && run.call.answered) {
      const call = await waitForFinalCall(opts.store, run.call.callSid, opts.finalizeTimeoutMs);
      stored = call ? await readStoredCall(opts.store, call) : null;
      run.stored = stored;
    }
    let db: Queryable | undefined;
    if (opts.store && scenario.expect.rows.length > 0) {
      const manifest = manifestFor(opts.verticalsDir, opts.agentsDir, scenario.vertical);
      if (manifest) db = opts.store.dbForVertical(manifest);
    }
    run.checks = await checkScenario(scenario, run.call, stored, db);
    run.ok = run.checks.every((c) => c.ok);
  } catch (err) {
    run.error = describeError(err);
  }
  return run;
}

/** Runs every scenario (at most `concurrency` at a time); results in the scenarios' order. */
export async function runScenarios(scenarios: readonly Scenario[], opts: RunScenariosOptions): Promise<ScenarioRun[]> {
  const verticals = await gatewayVerticals(opts.gatewayUrl);
  const byId = new Map(verticals.map((v) => [v.id, v]));
  const synth = opts.synth ?? new SpeechSynthesizer();
  const results: ScenarioRun[] = new Array(scenarios.length);
  let next = 0;
  const worker = async () => {
    while (next < scenarios.length) {
      const i = next++;
      const scenario = scenarios[i]!;
      const to = scenario.caller.to ?? byId.get(scenario.vertical)?.numbers?.[0]
        ?? (byId.has(scenario.vertical) ? manifestFor(opts.verticalsDir, opts.agentsDir, scenario.vertical)?.numbers[0] : undefined);
      let run: ScenarioRun;
      if (!to) {
        run = { scenario, call: null, stored: null, checks: [], ok: false, error: byId.has(scenario.vertical) ? `vertical ${scenario.vertical} has no phone number and the scenario names none (caller.to)` : `the gateway does not serve vertical ${scenario.vertical}` };
      } else {
        run = await runOne(scenario, to, opts, synth);
      }
      results[i] = run;
      opts.onDone?.(run);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 1, scenarios.length)) }, worker));
  return results;
}
