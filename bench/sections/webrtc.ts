/**
 * Browser calls under load: N concurrent WebRTC calls from werift peers in a load process, on
 * loopback, against ONE gateway process (the WebRTC carrier, signalling through the console)
 * with the emulator in a third; then the Twilio path (edge.ts, passthrough) at the same N in the
 * same run, for comparison. Figures: frames lost each way, gateway CPU per call-second, and the
 * latency the browser path adds (RTP clock tick lateness, arrival jitter, the runtime's edge
 * latencies, which are the same code as Twilio's).
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { spawnChild, type Child } from '../lib/ipc.js';
import type { BenchContext, BenchSection, Figure } from '../types.js';
import { edgeFigures, runEdge } from './edge.js';

interface Stats {
  cpu: NodeJS.CpuUsage;
  rss: number;
  eldP99Ms: number;
  edge: { appendsOut: number; framesOut: number; inboundMs: { p50: number; p99: number }; outboundMs: { p50: number; p99: number } };
  webrtc: { framesSent: number; framesCleared: number; framesOverflowed: number; packetsIn: number };
  tickLateMs: { p50: number; p99: number; max: number };
  active: number;
}
interface LoadCounters { callsConnected: number; callsFailed: number; framesSent: number; framesReceived: number; seqGaps: number; jitterP50Ms: number; jitterP99Ms: number }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (ms: number) => (Number.isFinite(ms) ? (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`) : 'n/a');

export async function runWebRtc(calls: number, ctx: BenchContext) {
  const children: Child[] = [];
  try {
    const emulator = spawnChild('emulator');
    children.push(emulator);
    const { url: emulatorUrl } = await emulator.once<{ url: string }>('ready');
    const schema = `bench_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    const gateway = spawnChild('webrtcGateway', { BENCH_EMULATOR_URL: emulatorUrl, BENCH_DATABASE_URL: ctx.databaseUrl, BENCH_SCHEMA: schema }, ['--expose-gc']);
    children.push(gateway);
    const { url, store } = await gateway.once<{ url: string; store: string }>('ready', 90_000);
    const load = spawnChild('webrtcLoad');
    children.push(load);
    await load.once('ready');
    const placed = await load.request<LoadCounters>('start', { baseUrl: url, calls, rampMs: Math.min(5000, calls * 40), vertical: 'salon' }, 180_000);
    await sleep(2000);

    const s0 = await gateway.request<Stats>('reset');
    const l0 = await load.request<NodeJS.CpuUsage>('cpu');
    const t0 = performance.now();
    await sleep(ctx.windowSec * 1000);
    const s1 = await gateway.request<Stats>('stats');
    const l1 = await load.request<NodeJS.CpuUsage>('cpu');
    const windowSec = (performance.now() - t0) / 1000;
    const counters = await load.request<LoadCounters>('quiesce', undefined, 60_000);
    const s2 = await gateway.request<Stats>('stats');
    await load.request('hangUp', undefined, 60_000);
    await gateway.request('close', undefined, 60_000).catch(() => undefined);
    const cpuMs = (s1.cpu.user + s1.cpu.system - s0.cpu.user - s0.cpu.system) / 1000;
    return {
      calls, windowSec, store, placed, counters,
      framesLostIn: counters.framesSent - s2.webrtc.packetsIn,
      framesLostOut: s2.webrtc.framesSent - counters.framesReceived,
      gatewayFramesSent: s2.webrtc.framesSent,
      gatewayPacketsIn: s2.webrtc.packetsIn,
      appendsOut: s2.edge.appendsOut,
      framesCleared: s2.webrtc.framesCleared,
      framesOverflowed: s2.webrtc.framesOverflowed,
      cpuMsPerCallSecond: cpuMs / (calls * windowSec),
      loadCpuMsPerCallSecond: (l1.user + l1.system - l0.user - l0.system) / 1000 / (calls * windowSec),
      tickLateMs: s1.tickLateMs,
      inboundMs: s1.edge.inboundMs,
      outboundMs: s1.edge.outboundMs,
      eldP99Ms: s1.eldP99Ms,
      machineLoad: loadavg()[0]!,
    };
  } finally {
    for (const c of children.reverse()) await c.kill().catch(() => undefined);
  }
}

export type WebRtcRunResult = Awaited<ReturnType<typeof runWebRtc>>;

export function webrtcFigures(r: WebRtcRunResult): Figure[] {
  const c = r.counters;
  return [
    { name: 'frames lost (caller→gateway / gateway→caller)', value: `${r.framesLostIn} / ${r.framesLostOut} of ${c.framesSent} / ${r.gatewayFramesSent} (sequence gaps seen by callers: ${c.seqGaps}; overflowed ${r.framesOverflowed})`, ok: r.calls >= 50 ? r.framesLostIn === 0 && r.framesLostOut === 0 && c.seqGaps === 0 : undefined },
    { name: 'caller frames appended to the model', value: `${r.appendsOut} of ${r.gatewayPacketsIn} received` },
    { name: 'gateway CPU per call-second (user + kernel)', value: `${r.cpuMsPerCallSecond.toFixed(2)} ms` },
    { name: 'added latency: RTP clock tick late p50 / p99 / max', value: `${fmt(r.tickLateMs.p50)} / ${fmt(r.tickLateMs.p99)} / ${fmt(r.tickLateMs.max)}` },
    { name: 'arrival jitter at the caller p50 / p99', value: `${fmt(c.jitterP50Ms)} / ${fmt(c.jitterP99Ms)}` },
    { name: 'edge latency in / out p50 (same runtime code as Twilio)', value: `${fmt(r.inboundMs.p50)} / ${fmt(r.outboundMs.p50)}` },
    { name: 'event-loop lag p99', value: fmt(r.eldP99Ms) },
    { name: 'calls connected / failed', value: `${c.callsConnected} / ${c.callsFailed}`, ok: c.callsFailed === 0 && c.callsConnected === r.calls },
    { name: 'load generator CPU per call-second (werift peers, for scale)', value: `${r.loadCpuMsPerCallSecond.toFixed(2)} ms` },
    { name: 'machine load (1 min) during the run', value: `${r.machineLoad.toFixed(1)} on ${cpus().length} cores` },
  ];
}

export const webrtcSection: BenchSection = {
  name: 'webrtc',
  title: 'Browser calls: N concurrent WebRTC calls (werift peers on loopback) vs the Twilio path, one gateway process each',
  async run(ctx) {
    const results = [];
    for (const calls of ctx.calls) {
      ctx.log(`webrtc: ${calls} WebRTC calls, ${ctx.windowSec}s window…`);
      const w = await runWebRtc(calls, ctx);
      results.push({ heading: `WebRTC, N=${calls} (store: ${w.store}, window ${w.windowSec.toFixed(1)} s)`, figures: webrtcFigures(w), raw: w });
      ctx.log(`webrtc: ${calls} Twilio calls (passthrough) for comparison…`);
      const t = await runEdge('passthrough', calls, ctx);
      results.push({ heading: `Twilio passthrough, N=${calls} (same run)`, figures: edgeFigures(t), raw: t });
    }
    return results;
  },
};
