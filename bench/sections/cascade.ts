/**
 * `npm run bench -- --only cascade`: N concurrent calls on the cascade engine (transcription
 * session → the vertical's agents as text agents over the Responses API → the ElevenLabs voice
 * socket), against the emulator's peers in their own process answering at once (no output
 * pacing), ONE gateway process, the load generator in a third, as in the edge section. Then the
 * same load on the same line served by the realtime engine, for the gateway's CPU side by side.
 *
 * The bench writes two lines in a temporary verticals directory (the same agents; one with the
 * `engine: { type: cascade }` block) and one scenario of many caller turns that the emulator
 * plays for every connection: its transcription peer's VAD finds each of a caller's phrases and
 * transcribes it as the scenario's next caller turn; the Responses peer answers with the turn's
 * line. Per run it prints:
 *   - frames lost (caller → model, gateway → caller), as the edge section counts them;
 *   - the engine's own time per turn, from the calls' latency samples in Postgres:
 *     (turn.text_request − turn.transcription)  final transcript in → the text request out, plus
 *     (turn.speech_end_to_first_audio − turn.first_tts_audio)  voice audio in → first frame out;
 *     and each recorded stage's p50 / p99 (all measured from the caller's speech end);
 *   - gateway CPU per call-second (process.cpuUsage over the window), cascade next to realtime.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnChild, type Child } from '../lib/ipc.js';
import type { LoadCounters } from '../lib/loadgen.js';
import type { BenchContext, BenchSection, Figure, SectionResult } from '../types.js';

type Engine = 'cascade' | 'realtime';

const NUMBERS: Record<Engine, string> = { cascade: '+15550100700', realtime: '+15550100701' };
const VOICE_ID = '21m00Tcm4TlvDq8ikWAM';
/** Caller turns in the scenario: more than a call gets through in a run (about one per 6 s). */
const SCENARIO_TURNS = 60;
const TARGET_ENGINE_P99_MS = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stages a cascaded turn records (ms from the caller's speech end), in order. */
export const CASCADE_STAGES = [
  'turn.transcription', 'turn.text_request', 'turn.first_text_token', 'model.first_delta', 'turn.first_tts_audio', 'turn.speech_end_to_first_audio',
] as const;

function manifest(engine: Engine): string {
  return [
    `id: cbench${engine === 'cascade' ? '' : '-rt'}`,
    `name: Cascade bench line (${engine})`,
    `numbers: ["${NUMBERS[engine]}"]`,
    'languages:',
    '  default: en',
    '  supported: [{ code: en, voice: alloy }]',
    'greeting: Hello, thanks for calling the bench line.',
    'entryAgent: Front Desk',
    'agents:',
    '  - name: Front Desk',
    '    description: Answers every call.',
    '    instructions: Answer questions about opening hours briefly.',
    '    tools: [end_call]',
    'turnDetection: { type: server_vad, threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500, interruptResponse: true }',
    engine === 'cascade' ? `engine: { type: cascade, cascade: { tts: { provider: elevenlabs, voiceId: ${VOICE_ID} } } }` : '',
    '',
  ].join('\n');
}

/** Every connection plays it: a greeting, then one short answer per caller phrase. */
export function benchScenario(turns = SCENARIO_TURNS): string {
  const lines = ['opening:', '  - say: Hello, thanks for calling the bench line.', 'turns:'];
  for (let i = 1; i <= turns; i++) {
    lines.push(`  - caller: Question ${i}, what are your opening hours?`, '    agent:', `      - say: Answer ${i}. We are open from nine to five, Monday to Saturday.`);
  }
  return lines.join('\n') + '\n';
}

export interface StageStats { p50: number; p99: number; count: number }

export interface CascadeRunResult {
  engine: Engine;
  calls: number;
  windowSec: number;
  store: string;
  engines: Array<{ engine: string; calls: number }>;
  framesSent: number;
  framesLostIn: number;
  framesLostOut: number;
  framesOut: number;
  appendsOut: number;
  framesDroppedNoModel: number;
  /** Flow control's drops: held caller frames (model not keeping up), playback frames (carrier not keeping up). */
  framesDroppedHeldFull: number;
  framesDroppedSlowCarrier: number;
  badFrames: number;
  turns: number;
  callsConnected: number;
  callsFailed: number;
  unexpectedCloses: number;
  cpuMsPerCallSecond: number;
  userMsPerCallSecond: number;
  systemMsPerCallSecond: number;
  eldP99Ms: number;
  stages: Record<string, StageStats>;
  /** Per turn with all four samples: (text_request − transcription) + (speech_end_to_first_audio − first_tts_audio). */
  engineAdded: StageStats;
  dispatch: StageStats;
  voiceToFrame: StageStats;
  /** Between recorded stages (the peers' and the SDK's share): request out → first token, first token → first voice audio. */
  requestToToken: StageStats;
  tokenToVoice: StageStats;
  /** Speech end → first frame out on a call's first caller turn (new HTTP connection, cold paths) and on later ones. */
  firstTurn: StageStats;
  laterTurns: StageStats;
  /** The engine's own time on a call's first turn (cold paths, a new HTTP connection) and on later ones. */
  engineAddedFirst: StageStats;
  engineAddedLater: StageStats;
  /** The emulator process's CPU per call-second over the window (the peers share the machine). */
  emulatorCpuMsPerCallSecond: number;
  profiled: boolean;
  profileWindowUs: [number, number];
  machineLoad: number;
}

function stats(values: number[]): StageStats {
  if (values.length === 0) return { p50: NaN, p99: NaN, count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99), count: sorted.length };
}

interface Sample { callId: string; turn: number | null; metric: string; valueMs: number }

/** Each stage's spread, and the engine's own time per turn from the turns that have every sample it needs. */
export function turnFigures(samples: Sample[]): Pick<CascadeRunResult, 'stages' | 'engineAdded' | 'dispatch' | 'voiceToFrame' | 'requestToToken' | 'tokenToVoice' | 'firstTurn' | 'laterTurns' | 'engineAddedFirst' | 'engineAddedLater'> {
  const byTurn = new Map<string, Map<string, number>>();
  const byStage: Record<string, number[]> = {};
  for (const s of samples) {
    if (s.turn === null || s.turn < 1) continue;
    (byStage[s.metric] ??= []).push(s.valueMs);
    const key = `${s.callId}#${s.turn}`;
    const m = byTurn.get(key) ?? new Map<string, number>();
    // The first of a stage within a turn is the one the turn is measured by.
    if (!m.has(s.metric)) m.set(s.metric, s.valueMs);
    byTurn.set(key, m);
  }
  const stages: Record<string, StageStats> = {};
  for (const name of CASCADE_STAGES) stages[name] = stats(byStage[name] ?? []);
  const dispatch: number[] = [];
  const voice: number[] = [];
  const added: number[] = [];
  const addedFirst: number[] = [];
  const addedLater: number[] = [];
  const toToken: number[] = [];
  const toVoice: number[] = [];
  const first: number[] = [];
  const later: number[] = [];
  for (const [key, m] of byTurn) {
    const turnEnd = m.get('turn.speech_end_to_first_audio');
    if (turnEnd !== undefined) (key.endsWith('#1') ? first : later).push(turnEnd);
    const token = m.get('turn.first_text_token');
    const tr = m.get('turn.transcription');
    const req = m.get('turn.text_request');
    const tts = m.get('turn.first_tts_audio');
    const out = m.get('turn.speech_end_to_first_audio');
    if (req !== undefined && token !== undefined) toToken.push(token - req);
    if (token !== undefined && tts !== undefined) toVoice.push(tts - token);
    if (tr === undefined || req === undefined || tts === undefined || out === undefined) continue;
    dispatch.push(req - tr);
    voice.push(out - tts);
    added.push(req - tr + (out - tts));
    (key.endsWith('#1') ? addedFirst : addedLater).push(req - tr + (out - tts));
  }
  return { stages, engineAdded: stats(added), dispatch: stats(dispatch), voiceToFrame: stats(voice), requestToToken: stats(toToken), tokenToVoice: stats(toVoice), firstTurn: stats(first), laterTurns: stats(later),
    engineAddedFirst: stats(addedFirst), engineAddedLater: stats(addedLater),
  };
}

interface GatewayStats {
  cpu: NodeJS.CpuUsage;
  eldP99Ms: number;
  edge: { appendsOut: number; framesDroppedNoModel: number; framesDroppedHeldFull?: number; framesDroppedSlowCarrier?: number };
  carrier: { framesIn: number; framesOut: number };
  hrUs: number;
}

export async function runCascade(engine: Engine, calls: number, ctx: BenchContext): Promise<CascadeRunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-cbench-'));
  const children: Child[] = [];
  try {
    for (const e of ['cascade', 'realtime'] as Engine[]) {
      const id = `cbench${e === 'cascade' ? '' : '-rt'}`;
      mkdirSync(join(dir, 'verticals', id), { recursive: true });
      writeFileSync(join(dir, 'verticals', id, 'vertical.yaml'), manifest(e));
    }
    mkdirSync(join(dir, 'agents'));
    const emulator = spawnChild('emulator', { BENCH_EMULATOR_SCENARIO: benchScenario(), BENCH_EMULATOR_VERTICAL: 'cbench', BENCH_EMULATOR_SPEED: 'Infinity' });
    children.push(emulator);
    const { url: emulatorUrl } = await emulator.once<{ url: string }>('ready');
    const schema = `bench_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    const execArgv = ['--expose-gc', ...(ctx.profile ? ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`] : [])];
    const gateway = spawnChild('gateway', {
      BENCH_EMULATOR_URL: emulatorUrl, BENCH_AUDIO: 'pcmu', BENCH_DATABASE_URL: ctx.databaseUrl, BENCH_SCHEMA: schema,
      BENCH_VERTICALS_DIR: join(dir, 'verticals'), BENCH_AGENTS_DIR: join(dir, 'agents'),
    }, execArgv);
    children.push(gateway);
    const { url, store } = await gateway.once<{ url: string; store: string }>('ready', 90_000);
    await gateway.request('gc');

    const load = spawnChild('load');
    children.push(load);
    await load.once('ready');
    const rampMs = Math.min(4000, calls * 15);
    // No barge-ins: every turn runs to its first frame, so each has the full set of samples.
    await load.request('start', { baseUrl: url, to: NUMBERS[engine], calls, rampMs, bargeInShare: 0, bargeAfterMs: 1000 });
    await sleep(2500);

    const s0 = await gateway.request<GatewayStats>('reset');
    const e0 = await emulator.request<{ cpu: NodeJS.CpuUsage }>('stats');
    const t0 = performance.now();
    await sleep(ctx.windowSec * 1000);
    const s1 = await gateway.request<GatewayStats>('stats');
    const e1 = await emulator.request<{ cpu: NodeJS.CpuUsage }>('stats');
    const windowSec = (performance.now() - t0) / 1000;
    const machineLoad = loadavg()[0]!;

    const counters = await load.request<LoadCounters>('quiesce', undefined, 60_000);
    const s2 = await gateway.request<GatewayStats>('stats');
    await load.request('hangUp');
    const { samples, engines } = await gateway.request<{ samples: Sample[]; engines: Array<{ engine: string; calls: number }> }>('samples', undefined, 60_000);
    await gateway.request('close', undefined, 60_000).catch(() => undefined);

    const cpuMs = (s1.cpu.user + s1.cpu.system - s0.cpu.user - s0.cpu.system) / 1000;
    return {
      engine, calls, windowSec, store, engines,
      framesSent: counters.framesSent,
      framesLostIn: counters.framesSent - s2.edge.appendsOut,
      framesLostOut: s2.carrier.framesOut - counters.framesReceived,
      framesOut: s2.carrier.framesOut,
      appendsOut: s2.edge.appendsOut,
      framesDroppedNoModel: s2.edge.framesDroppedNoModel,
      framesDroppedHeldFull: s2.edge.framesDroppedHeldFull ?? 0,
      framesDroppedSlowCarrier: s2.edge.framesDroppedSlowCarrier ?? 0,
      badFrames: counters.badFrames,
      turns: counters.turns,
      callsConnected: counters.callsConnected,
      callsFailed: counters.callsFailed,
      unexpectedCloses: counters.unexpectedCloses,
      cpuMsPerCallSecond: cpuMs / (calls * windowSec),
      userMsPerCallSecond: (s1.cpu.user - s0.cpu.user) / 1000 / (calls * windowSec),
      systemMsPerCallSecond: (s1.cpu.system - s0.cpu.system) / 1000 / (calls * windowSec),
      eldP99Ms: s1.eldP99Ms,
      emulatorCpuMsPerCallSecond: (e1.cpu.user + e1.cpu.system - e0.cpu.user - e0.cpu.system) / 1000 / (calls * windowSec),
      profiled: ctx.profile,
      ...turnFigures(samples),
      profileWindowUs: [s0.hrUs, s1.hrUs],
      machineLoad,
    };
  } finally {
    for (const c of children.reverse()) await c.kill().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (v: number) => (Number.isFinite(v) ? (Math.abs(v) < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(2)} ms`) : 'n/a');
const spread = (s: StageStats) => `${ms(s.p50)} / ${ms(s.p99)} (${s.count})`;

export function cascadeFigures(r: CascadeRunResult, realtime: CascadeRunResult | undefined): Figure[] {
  const figures: Figure[] = [
    { name: 'engine recorded on the calls', value: r.engines.map((e) => `${e.engine} × ${e.calls}`).join(', ') || 'none' },
    {
      name: 'frames lost (caller→model / gateway→caller)',
      value: `${r.framesLostIn} / ${r.framesLostOut} of ${r.framesSent} / ${r.framesOut} (${r.framesDroppedNoModel} with no model connection; flow control dropped ${r.framesDroppedHeldFull} held caller frames, ${r.framesDroppedSlowCarrier} playback frames)`,
      ok: r.calls >= 100 ? r.framesLostIn === 0 && r.framesLostOut === 0 && r.framesDroppedSlowCarrier === 0 : undefined,
    },
    { name: 'frames not 160 bytes', value: String(r.badFrames), ok: r.badFrames === 0 },
  ];
  if (r.engine === 'cascade') {
    figures.push(
      {
        name: 'engine\'s own time per turn p50 / p99 (turns)',
        value: `${spread(r.engineAdded)}  = (text_request − transcription) + (speech_end_to_first_audio − first_tts_audio)`,
        ok: r.engineAdded.count > 0 ? r.engineAdded.p99 <= TARGET_ENGINE_P99_MS : false,
      },
      { name: '  on a call\'s first turn / on later turns', value: `${spread(r.engineAddedFirst)} / ${spread(r.engineAddedLater)}` },
      { name: '  final transcript → text request out p50 / p99', value: spread(r.dispatch) },
      { name: '  voice audio in → first frame out p50 / p99', value: spread(r.voiceToFrame) },
    );
    for (const [name, s] of Object.entries(r.stages)) figures.push({ name: `  stage ${name} (from speech end) p50 / p99`, value: spread(s) });
    figures.push(
      { name: '  between: text request out → first text token p50 / p99', value: `${spread(r.requestToToken)} (Responses peer, HTTP, the SDK's stream)` },
      { name: '  between: first text token → first voice audio p50 / p99', value: `${spread(r.tokenToVoice)} (first clause, the voice socket, the TTS peer)` },
    );
  } else {
    for (const name of ['model.first_delta', 'turn.speech_end_to_first_audio']) figures.push({ name: `  stage ${name} (from speech end) p50 / p99`, value: spread(r.stages[name]!) });
  }
  figures.push({ name: '  speech end → first frame: a call\'s first turn / later turns, p50 / p99', value: `${spread(r.firstTurn)} / ${spread(r.laterTurns)}` });
  figures.push({ name: 'gateway CPU per call-second (user + kernel)', value: `${r.cpuMsPerCallSecond.toFixed(2)} ms (${r.userMsPerCallSecond.toFixed(2)} + ${r.systemMsPerCallSecond.toFixed(2)})` });
  if (realtime) {
    const ratio = r.cpuMsPerCallSecond / realtime.cpuMsPerCallSecond;
    figures.push({ name: 'gateway CPU per call-second, cascade vs realtime', value: `${r.cpuMsPerCallSecond.toFixed(2)} ms vs ${realtime.cpuMsPerCallSecond.toFixed(2)} ms (${ratio.toFixed(1)}×)` });
  }
  figures.push(
    { name: 'emulator (all peers) CPU per call-second, for scale', value: `${r.emulatorCpuMsPerCallSecond.toFixed(2)} ms` },
    { name: 'caller turns started', value: String(r.turns) },
    { name: 'event-loop lag p99', value: ms(r.eldP99Ms) },
    { name: 'calls connected / failed / dropped', value: `${r.callsConnected} / ${r.callsFailed} / ${r.unexpectedCloses}`, ok: r.callsFailed === 0 && r.unexpectedCloses === 0 },
    { name: 'machine load (1 min) during the run', value: `${r.machineLoad.toFixed(1)} on ${cpus().length} cores${r.machineLoad > cpus().length ? ' (oversubscribed: tails mostly measure waiting for a core)' : ''}` },
  );
  if (r.profiled) figures.push({ name: 'profile window (gateway monotonic µs)', value: `${r.profileWindowUs[0]}–${r.profileWindowUs[1]}` });
  return figures;
}

export const cascadeSection: BenchSection = {
  name: 'cascade',
  title: 'Cascade engine: N concurrent calls (transcription → text agents → voice) on the emulator\'s instant peers, one gateway process; realtime on the same load',
  async run(ctx) {
    const results: SectionResult[] = [];
    for (const calls of ctx.callsGiven ? ctx.calls : [100]) {
      ctx.log(`cascade: realtime engine, ${calls} calls, ${ctx.windowSec}s window…`);
      const realtime = await runCascade('realtime', calls, ctx);
      ctx.log(`cascade: cascade engine, ${calls} calls, ${ctx.windowSec}s window…`);
      const cascade = await runCascade('cascade', calls, ctx);
      results.push({ heading: `cascade engine, N=${calls} (store: ${cascade.store}, window ${cascade.windowSec.toFixed(1)} s)`, figures: cascadeFigures(cascade, realtime), raw: cascade });
      results.push({ heading: `realtime engine, same line and load, N=${calls} (window ${realtime.windowSec.toFixed(1)} s)`, figures: cascadeFigures(realtime, undefined), raw: realtime });
    }
    return results;
  },
};
