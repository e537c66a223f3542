/**
 * The audio edge under load: N concurrent simulated Twilio calls against ONE gateway process
 * talking to the emulator in another process, the load generator in a third. The gateway
 * reports its own CPU (process.cpuUsage), RSS, event-loop delay and the edge figures it keeps
 * (src/realtime/edgeStats.ts: carrier frame in → append out, model delta in → frames out,
 * speech_started → clear, each timed inside the gateway).
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { startOtlpReceiver, type OtlpReceiver } from '../../test/fakes/otlpReceiver.js';
import { spawnChild, type Child } from '../lib/ipc.js';
import type { LoadCounters } from '../lib/loadgen.js';
import type { BenchContext, BenchSection, Figure } from '../types.js';

/** `sdk`: the SDK's own TwilioRealtimeTransportLayer in a minimal gateway, for comparison. */
type Mode = 'passthrough' | 'transcoding' | 'sdk';

interface GatewayStats {
  cpu: NodeJS.CpuUsage;
  rss: number;
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
  edge: {
    appendsOut: number; framesDroppedNoModel: number; framesHeld?: number; framesDroppedHeldFull?: number; framesDroppedSlowCarrier?: number; deltasIn: number; framesOut: number; deltasDropped: number; clears: number;
    inboundMs: { p50: number; p99: number; count: number };
    outboundMs: { p50: number; p99: number; count: number };
    clearMs: { p50: number; p99: number; count: number };
  };
  carrier: { framesIn: number; framesOut: number; protocolErrors: number };
  active: number;
  hrUs: number;
}

const SALON_NUMBER = '+15550100100';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface EdgeRunResult {
  mode: Mode;
  /** The gateway exported its traces (OTLP/HTTP to a receiver in this process). */
  tracing: boolean;
  spansExported: number;
  calls: number;
  windowSec: number;
  store: string;
  framesLostIn: number;
  framesDroppedNoModel: number;
  /** Flow control (issue 17): caller frames held for the model, held frames dropped, playback frames dropped for slow carriers. */
  framesHeld: number;
  framesDroppedHeldFull: number;
  framesDroppedSlowCarrier: number;
  carrierFramesIn: number;
  appendsOut: number;
  protocolErrors: number;
  framesLostOut: number;
  framesIn: number;
  framesOut: number;
  badFrames: number;
  inboundP50Ms: number;
  inboundP99Ms: number;
  outboundP50Ms: number;
  outboundP99Ms: number;
  cpuMsPerCallSecond: number;
  /** JavaScript and libuv work (user) and the kernel's socket work (system). */
  userMsPerCallSecond: number;
  systemMsPerCallSecond: number;
  mediaMessagesOut: number;
  rssMbPerCall: number;
  eldP99Ms: number;
  clearP50Ms: number;
  clearP99Ms: number;
  clears: number;
  bargeIns: number;
  callsConnected: number;
  callsFailed: number;
  unexpectedCloses: number;
  loadCpuMsPerCallSecond: number;
  /** The measurement window on the gateway's monotonic clock (to cut a --cpu-prof profile). */
  profileWindowUs: [number, number];
  /** 1-minute load average at the end of the window (the machine is shared). */
  machineLoad: number;
}

export async function runEdge(mode: Mode, calls: number, ctx: BenchContext, tracing = false): Promise<EdgeRunResult> {
  const children: Child[] = [];
  let receiver: OtlpReceiver | undefined;
  try {
    receiver = tracing ? await startOtlpReceiver({ keepSpans: false }) : undefined;
    const otel: Record<string, string> = receiver ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'switchboard-bench-gateway' } : {};
    const emulator = spawnChild('emulator');
    children.push(emulator);
    const { url: emulatorUrl } = await emulator.once<{ url: string }>('ready');
    const schema = `bench_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    const execArgv = ['--expose-gc', ...(ctx.profile ? ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`] : [])];
    const gateway = spawnChild(mode === 'sdk' ? 'sdkGateway' : 'gateway', {
      BENCH_EMULATOR_URL: emulatorUrl,
      BENCH_AUDIO: mode === 'transcoding' ? 'pcm24k' : 'pcmu',
      BENCH_DATABASE_URL: ctx.databaseUrl,
      BENCH_SCHEMA: schema,
      ...otel,
    }, execArgv);
    children.push(gateway);
    const { url, store } = await gateway.once<{ url: string; store: string }>('ready', 90_000);
    await gateway.request('gc');
    await sleep(300);
    const baseline = await gateway.request<GatewayStats>('stats');

    const load = spawnChild('load');
    children.push(load);
    await load.once('ready');
    const rampMs = Math.min(4000, calls * 15);
    await load.request('start', { baseUrl: url, to: SALON_NUMBER, calls, rampMs, bargeInShare: 0.5, bargeAfterMs: 1000 });
    await sleep(2500);

    const s0 = await gateway.request<GatewayStats>('reset');
    const l0 = await load.request<NodeJS.CpuUsage>('cpu');
    const t0 = performance.now();
    await sleep(ctx.windowSec * 1000);
    const s1 = await gateway.request<GatewayStats>('stats');
    const l1 = await load.request<NodeJS.CpuUsage>('cpu');
    const windowSec = (performance.now() - t0) / 1000;
    // Memory under load, after a collection (as the baseline was taken).
    const rssLoaded = await gateway.request<number>('gc');

    const counters = await load.request<LoadCounters>('quiesce', undefined, 60_000);
    const s2 = await gateway.request<GatewayStats>('stats');
    await load.request('hangUp');
    await gateway.request('close', undefined, 60_000).catch(() => undefined);

    const cpuMs = (s1.cpu.user + s1.cpu.system - s0.cpu.user - s0.cpu.system) / 1000;
    const loadCpuMs = (l1.user + l1.system - l0.user - l0.system) / 1000;
    return {
      mode, calls, windowSec, store, tracing, spansExported: receiver?.stats.spans ?? 0,
      framesIn: counters.framesSent,
      carrierFramesIn: s2.carrier.framesIn,
      appendsOut: s2.edge.appendsOut,
      protocolErrors: s2.carrier.protocolErrors,
      framesOut: s2.carrier.framesOut,
      // Caller frames that never became an append to the model (any reason), and frames the
      // gateway wrote that the caller never received.
      framesLostIn: counters.framesSent - s2.edge.appendsOut,
      framesLostOut: s2.carrier.framesOut - counters.framesReceived,
      badFrames: counters.badFrames,
      inboundP50Ms: s1.edge.inboundMs.p50,
      inboundP99Ms: s1.edge.inboundMs.p99,
      outboundP50Ms: s1.edge.outboundMs.p50,
      outboundP99Ms: s1.edge.outboundMs.p99,
      cpuMsPerCallSecond: cpuMs / (calls * windowSec),
      userMsPerCallSecond: (s1.cpu.user - s0.cpu.user) / 1000 / (calls * windowSec),
      systemMsPerCallSecond: (s1.cpu.system - s0.cpu.system) / 1000 / (calls * windowSec),
      mediaMessagesOut: s2.carrier.framesOut,
      rssMbPerCall: (rssLoaded - baseline.rss) / calls / (1024 * 1024),
      framesDroppedNoModel: s2.edge.framesDroppedNoModel,
      framesHeld: s2.edge.framesHeld ?? 0,
      framesDroppedHeldFull: s2.edge.framesDroppedHeldFull ?? 0,
      framesDroppedSlowCarrier: s2.edge.framesDroppedSlowCarrier ?? 0,
      eldP99Ms: s1.eldP99Ms,
      clearP50Ms: s1.edge.clearMs.p50,
      clearP99Ms: s1.edge.clearMs.p99,
      clears: s1.edge.clears - s0.edge.clears,
      bargeIns: counters.bargeIns,
      callsConnected: counters.callsConnected,
      callsFailed: counters.callsFailed,
      unexpectedCloses: counters.unexpectedCloses,
      loadCpuMsPerCallSecond: loadCpuMs / (calls * windowSec),
      profileWindowUs: [s0.hrUs, s1.hrUs],
      machineLoad: loadavg()[0]!,
    };
  } finally {
    for (const c of children.reverse()) await c.kill().catch(() => undefined);
    await receiver?.close();
  }
}

const fmt = (ms: number) => (Number.isFinite(ms) ? (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`) : 'n/a');

export function edgeFigures(r: EdgeRunResult): Figure[] {
  if (r.mode === 'sdk') {
    return [
      { name: 'media messages to callers', value: `${r.mediaMessagesOut} (whole model chunks, not 20 ms frames; no edge timings kept)` },
      { name: 'gateway CPU per call-second (user + kernel)', value: `${r.cpuMsPerCallSecond.toFixed(2)} ms (${r.userMsPerCallSecond.toFixed(2)} + ${r.systemMsPerCallSecond.toFixed(2)})` },
      { name: 'gateway RSS per call', value: `${r.rssMbPerCall.toFixed(2)} MB` },
      { name: 'event-loop lag p99', value: fmt(r.eldP99Ms) },
      { name: 'frames not 160 bytes', value: String(r.badFrames) },
      { name: 'calls connected / failed / dropped', value: `${r.callsConnected} / ${r.callsFailed} / ${r.unexpectedCloses}` },
      { name: 'machine load (1 min) during the run', value: `${r.machineLoad.toFixed(1)} on ${cpus().length} cores` },
    ];
  }
  const pass = r.mode === 'passthrough';
  return [
    { name: 'frames lost (caller→model / model→caller)', value: `${r.framesLostIn} / ${r.framesLostOut} of ${r.framesIn} / ${r.framesOut} (gateway read ${r.carrierFramesIn}, appended ${r.appendsOut}, ${r.framesDroppedNoModel} with no model connection, ${r.protocolErrors} protocol errors)`, ok: pass && r.calls >= 200 ? r.framesLostIn === 0 && r.framesLostOut === 0 : undefined },
    { name: 'flow control: caller frames held / dropped, playback dropped (slow carrier)', value: `${r.framesHeld} / ${r.framesDroppedHeldFull}, ${r.framesDroppedSlowCarrier}`, ok: pass ? r.framesDroppedHeldFull === 0 && r.framesDroppedSlowCarrier === 0 : undefined },
    { name: 'frames not 160 bytes', value: String(r.badFrames), ok: r.badFrames === 0 },
    { name: 'edge latency in (frame → append) p50 / p99', value: `${fmt(r.inboundP50Ms)} / ${fmt(r.inboundP99Ms)}`, ok: pass ? r.inboundP50Ms <= 1 && r.inboundP99Ms <= 5 : undefined },
    { name: 'edge latency out (delta → frames) p50 / p99', value: `${fmt(r.outboundP50Ms)} / ${fmt(r.outboundP99Ms)}`, ok: pass ? r.outboundP50Ms <= 1 && r.outboundP99Ms <= 5 : undefined },
    { name: 'gateway CPU per call-second (user + kernel)', value: `${r.cpuMsPerCallSecond.toFixed(2)} ms (${r.userMsPerCallSecond.toFixed(2)} + ${r.systemMsPerCallSecond.toFixed(2)})`, ok: pass ? r.cpuMsPerCallSecond <= 2 : undefined },
    { name: 'tracing', value: r.tracing ? `on: ${r.spansExported} spans exported over OTLP/HTTP to a local receiver` : 'off' },
    { name: 'gateway RSS per call', value: `${r.rssMbPerCall.toFixed(2)} MB`, ok: pass ? r.rssMbPerCall <= 2 : undefined },
    { name: 'event-loop lag p99', value: fmt(r.eldP99Ms) },
    { name: 'speech_started → clear p50 / p99', value: `${fmt(r.clearP50Ms)} / ${fmt(r.clearP99Ms)} (${r.clears} clears, ${r.bargeIns} barge-ins)`, ok: r.clears > 0 ? r.clearP99Ms <= 5 : undefined },
    { name: 'calls connected / failed / dropped', value: `${r.callsConnected} / ${r.callsFailed} / ${r.unexpectedCloses}`, ok: r.callsFailed === 0 && r.unexpectedCloses === 0 },
    { name: 'load generator CPU per call-second (for scale)', value: `${r.loadCpuMsPerCallSecond.toFixed(2)} ms` },
    { name: 'machine load (1 min) during the run', value: `${r.machineLoad.toFixed(1)} on ${cpus().length} cores${r.machineLoad > cpus().length ? ' (oversubscribed: latency tails and lag mostly measure waiting for a core)' : ''}` },
  ];
}

/** Gateway CPU per call-second with tracing on against off; target ≤ 5 % more. */
export function tracingOverhead(off: EdgeRunResult, on: EdgeRunResult): Figure {
  const pct = ((on.cpuMsPerCallSecond - off.cpuMsPerCallSecond) / off.cpuMsPerCallSecond) * 100;
  return {
    name: 'gateway CPU per call-second, tracing on vs off',
    value: `${on.cpuMsPerCallSecond.toFixed(2)} ms vs ${off.cpuMsPerCallSecond.toFixed(2)} ms (${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %, ${on.spansExported} spans exported)`,
    ok: on.calls >= 200 ? pct <= 5 : undefined,
  };
}

export const edgeSection: BenchSection = {
  name: 'edge',
  title: 'Realtime edge: N concurrent calls, one gateway process, emulator and load generator in separate processes',
  async run(ctx) {
    const results = [];
    for (const mode of ctx.modes) {
      for (const calls of ctx.calls) {
        // Tracing side by side (the default) for passthrough, the mode whose CPU the target is about.
        const variants = ctx.tracing === 'both' ? (mode === 'passthrough' ? [false, true] : [false]) : [ctx.tracing === 'on'];
        const runs: EdgeRunResult[] = [];
        for (const tracing of variants) {
          ctx.log(`edge: ${mode}, ${calls} calls, tracing ${tracing ? 'on' : 'off'}, ${ctx.windowSec}s window…`);
          const r = await runEdge(mode, calls, ctx, tracing);
          runs.push(r);
          results.push({ heading: `${mode}, N=${calls}, tracing ${tracing ? 'on' : 'off'} (store: ${r.store}, window ${r.windowSec.toFixed(1)} s)`, figures: edgeFigures(r), raw: r });
        }
        const [off, on] = runs;
        if (off && on) results.push({ heading: `${mode}, N=${calls}: tracing overhead`, figures: [tracingOverhead(off, on)], raw: { off: off.cpuMsPerCallSecond, on: on.cpuMsPerCallSecond } });
      }
    }
    return results;
  },
};
