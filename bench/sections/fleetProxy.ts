/**
 * The fleet part of `npm run bench -- --only fleet`: two gateway instances (`src/bin/server.ts`
 * on one Postgres database, one shared emulator in its own process) holding 2 × N calls, once
 * behind Debian's haproxy with the README's routing config (webhooks round-robin, each stream
 * routed by its path back to the instance that prepared it), once with each load generator
 * talking to one instance directly. Same processes, same load: the difference is the proxy.
 *
 * The proxy's added latency is read on the media path itself: every call pings its media socket
 * once a second and times the pong (through haproxy's tunnel, queued behind the call's frames,
 * answered by the gateway's event loop). The gateways' own edge latencies (frame in → append out,
 * model delta in → frames out) show what the proxy's CPU costs the gateways on a shared machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  createFleetDatabase, freePort, launchGateway, startHaproxy, waitHealthy, type FleetGateway, type RunningProxy,
} from '../../test/integration/fleetProcs.js';
import { spawnChild, type Child } from '../lib/ipc.js';
import type { LoadCounters } from '../lib/loadgen.js';
import { carrierFramesIn, cpuSeconds, edgeLatency, percentile, scrapeMetrics } from '../lib/procStats.js';
import type { BenchContext, Figure } from '../types.js';

const SALON_NUMBER = '+15550100100';
const INSTANCES = ['gw-a', 'gw-b'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type FleetMode = 'proxy' | 'direct';

/** What every fleet run reports of its load, whatever the layout (fleet.ts, below). */
export interface FleetLoadOutcome {
  windowSec: number;
  connected: number;
  failed: number;
  unexpectedCloses: number;
  framesSent: number;
  framesIn: number;
  framesLost: number;
}

export interface FleetProxyRun extends FleetLoadOutcome {
  mode: FleetMode;
  callsPerInstance: number;
  /** Caller frames each instance read (how the proxy split the calls). */
  framesInByInstance: Record<string, number>;
  rttP50Ms: number;
  rttP99Ms: number;
  rttSamples: number;
  /** The worse of the two instances' recent edge percentiles. */
  edgeInP50Ms: number;
  edgeInP99Ms: number;
  edgeOutP50Ms: number;
  edgeOutP99Ms: number;
  webhookP50Ms: number;
  webhookP99Ms: number;
  upgradeP50Ms: number;
  upgradeP99Ms: number;
  gatewayCpuPerCallSecMs: number;
  proxyCpuPerCallSecMs: number;
  /** Cores busy on average over the window, per part (where the time goes on a shared machine). */
  coresBusy: { gateways: number; proxy: number; loads: number; emulator: number };
  /** Call rows by end reason once the callers hung up (`unfinished`: still open 15 s later): why calls dropped. */
  endReasons: Record<string, number>;
  /** Times haproxy's health check took an instance out of the rotation (`… is DOWN`). */
  proxyDownEvents: number;
  machineLoad: number;
}

/** Two instances (and haproxy in `proxy` mode) on a fresh database; two load generators, N calls each. */
export async function runFleetBehindProxy(ctx: BenchContext, emulator: { url: string; pid: number }, mode: FleetMode, calls: number): Promise<FleetProxyRun> {
  const emulatorUrl = emulator.url;
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-fleet-'));
  const db = await createFleetDatabase(ctx.databaseUrl, 'sb_bench');
  const proxyPort = await freePort();
  const gateways: FleetGateway[] = [];
  const loads: Child[] = [];
  let proxy: RunningProxy | undefined;
  try {
    for (const id of INSTANCES) {
      gateways.push(launchGateway(id, await freePort(), {
        DATABASE_URL: db.url, PUBLIC_URL: `http://127.0.0.1:${proxyPort}`, SWITCHBOARD_ENGINE: 'emulator', SWITCHBOARD_EMULATOR_URL: emulatorUrl,
        SWITCHBOARD_MAX_CALLS: '0', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error', SWITCHBOARD_CONSOLE: 'false',
        SWITCHBOARD_DATA_DIR: join(dir, `data-${id}`), OTEL_EXPORTER_OTLP_ENDPOINT: '',
        // Post-call analysis runs in-process without Redis, after the calls hang up (outside the window).
        REDIS_URL: undefined, OPENAI_API_KEY: undefined, TWILIO_AUTH_TOKEN: undefined,
      }));
    }
    await Promise.all(gateways.map((g) => waitHealthy(g, 180_000)));
    if (mode === 'proxy') proxy = await startHaproxy(dir, proxyPort, gateways);
    const targets = mode === 'proxy' ? INSTANCES.map(() => proxy!.url) : gateways.map((g) => g.url);
    for (const _ of targets) loads.push(spawnChild('load'));
    await Promise.all(loads.map((l) => l.once('ready')));
    const rampMs = Math.max(2000, 2 * calls * 15);
    await Promise.all(loads.map((l, i) => l.request('start', {
      baseUrl: targets[i], to: SALON_NUMBER, calls, rampMs, bargeInShare: 0.5, bargeAfterMs: 1000, pingEveryMs: 1000,
    }, 300_000)));
    await sleep(2000);
    const cpuOf = () => ({
      gateways: gateways.reduce((s, g) => s + cpuSeconds(g.proc.pid!), 0), proxy: proxy ? cpuSeconds(proxy.proc.pid!) : 0,
      loads: loads.reduce((s, l) => s + cpuSeconds(l.pid), 0), emulator: cpuSeconds(emulator.pid),
    });
    const rttFrom = (await Promise.all(loads.map((l) => l.request<LoadCounters>('counters')))).map((c) => c.mediaRttMs.length);
    const cpu0 = cpuOf();
    const t0 = performance.now();
    await sleep(ctx.windowSec * 1000);
    const cpu1 = cpuOf();
    const elapsedSec = (performance.now() - t0) / 1000;
    const machineLoad = loadavg()[0]!;
    const rtt = (await Promise.all(loads.map((l) => l.request<LoadCounters>('counters')))).flatMap((c, i) => c.mediaRttMs.slice(rttFrom[i]));
    // A gateway too far behind to answer /metrics in 30 s is reported (n/a), not fatal.
    const metricsOf = (g: FleetGateway) => scrapeMetrics(g.url).catch((err: unknown) => {
      ctx.log(`fleet: ${g.id} did not answer /metrics: ${(err as Error).message}`);
      return '';
    });
    const edges = await Promise.all(gateways.map(async (g) => edgeLatency(await metricsOf(g))));
    const counters = await Promise.all(loads.map((l) => l.request<LoadCounters>('quiesce', undefined, 60_000)));
    // A gateway behind on its sockets is still reading frames the callers sent: wait until the
    // counts stop moving (or a minute), so that late is not counted as lost.
    const framesInByInstance: Record<string, number> = {};
    let last = -1;
    for (const settleEnd = Date.now() + 60_000; Date.now() < settleEnd; await sleep(1000)) {
      for (const g of gateways) framesInByInstance[g.id] = carrierFramesIn(await metricsOf(g));
      const total = Object.values(framesInByInstance).reduce((s, n) => s + n, 0);
      if (total === last) break;
      last = total;
    }
    await Promise.all(loads.map((l) => l.request('hangUp', undefined, 60_000)));
    const endReasons = await callEndReasons(db.url);
    const sum = (f: (c: LoadCounters) => number) => counters.reduce((s, c) => s + f(c), 0);
    const connected = sum((c) => c.callsConnected);
    const framesSent = sum((c) => c.framesSent);
    const framesIn = Object.values(framesInByInstance).reduce((s, n) => s + n, 0);
    const callSec = Math.max(1, connected) * elapsedSec;
    const webhookMs = counters.flatMap((c) => c.webhookMs);
    const upgradeMs = counters.flatMap((c) => c.upgradeMs);
    const worst = (f: (e: (typeof edges)[number]) => number) => Math.max(...edges.map(f));
    return {
      mode, callsPerInstance: calls, windowSec: ctx.windowSec, connected, failed: sum((c) => c.callsFailed), unexpectedCloses: sum((c) => c.unexpectedCloses),
      framesSent, framesIn, framesLost: Math.max(0, framesSent - framesIn), framesInByInstance,
      rttP50Ms: percentile(rtt, 50), rttP99Ms: percentile(rtt, 99), rttSamples: rtt.length,
      edgeInP50Ms: worst((e) => e.inP50), edgeInP99Ms: worst((e) => e.inP99), edgeOutP50Ms: worst((e) => e.outP50), edgeOutP99Ms: worst((e) => e.outP99),
      webhookP50Ms: percentile(webhookMs, 50), webhookP99Ms: percentile(webhookMs, 99),
      upgradeP50Ms: percentile(upgradeMs, 50), upgradeP99Ms: percentile(upgradeMs, 99),
      gatewayCpuPerCallSecMs: ((cpu1.gateways - cpu0.gateways) * 1000) / callSec,
      proxyCpuPerCallSecMs: ((cpu1.proxy - cpu0.proxy) * 1000) / callSec,
      coresBusy: {
        gateways: (cpu1.gateways - cpu0.gateways) / elapsedSec, proxy: (cpu1.proxy - cpu0.proxy) / elapsedSec,
        loads: (cpu1.loads - cpu0.loads) / elapsedSec, emulator: (cpu1.emulator - cpu0.emulator) / elapsedSec,
      },
      endReasons,
      proxyDownEvents: (proxy?.output.join('').match(/is DOWN/g) ?? []).length,
      machineLoad,
    };
  } finally {
    await Promise.all(loads.map((l) => l.kill()));
    await proxy?.close();
    await Promise.all(gateways.map((g) => g.stop(30_000)));
    await db.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The fleet's call rows by end reason, once every row is finalised (or 15 s passed). */
async function callEndReasons(databaseUrl: string): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    for (const end = Date.now() + 15_000; Date.now() < end; await sleep(500)) {
      if (Number((await c.query('SELECT count(*) AS n FROM calls WHERE ended_at IS NULL')).rows[0].n) === 0) break;
    }
    const rows = (await c.query(`SELECT coalesce(end_reason, 'unfinished') AS reason, count(*)::int AS n FROM calls GROUP BY 1 ORDER BY 2 DESC`)).rows as Array<{ reason: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.reason, r.n]));
  } finally {
    await c.end();
  }
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(Math.abs(v) < 10 ? 2 : 0)} ms` : 'n/a');
const signedMs = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${ms(v)}` : 'n/a');

export function fleetProxyFigures(r: FleetProxyRun): Figure[] {
  const total = 2 * r.callsPerInstance;
  const split = Object.entries(r.framesInByInstance).map(([id, n]) => `${id} ${n}`).join(', ');
  return [
    { name: 'calls connected', value: `${r.connected}/${total} (failed ${r.failed}, dropped ${r.unexpectedCloses})`, ok: r.connected === total && r.unexpectedCloses === 0 },
    // instance_lost here means a starved gateway's heartbeat came late and the other finalised its live calls.
    { name: 'call rows by end reason', value: Object.entries(r.endReasons).map(([k, n]) => `${k} ${n}`).join(', ') || 'none', ok: !r.endReasons.instance_lost && !r.endReasons.unfinished },
    { name: 'caller frames lost before the gateways', value: `${r.framesLost} of ${r.framesSent} (read: ${split})`, ok: r.framesLost === 0 },
    { name: 'media socket ping round trip p50 / p99', value: `${ms(r.rttP50Ms)} / ${ms(r.rttP99Ms)} (${r.rttSamples} pings)` },
    { name: 'edge latency in (frame → append) p50 / p99', value: `${ms(r.edgeInP50Ms)} / ${ms(r.edgeInP99Ms)} (worse instance)` },
    { name: 'edge latency out (delta → frames) p50 / p99', value: `${ms(r.edgeOutP50Ms)} / ${ms(r.edgeOutP99Ms)} (worse instance)` },
    { name: 'webhook p50 / p99', value: `${ms(r.webhookP50Ms)} / ${ms(r.webhookP99Ms)}` },
    { name: 'stream upgrade p50 / p99', value: `${ms(r.upgradeP50Ms)} / ${ms(r.upgradeP99Ms)}` },
    { name: 'CPU per call-second: gateways / proxy', value: `${r.gatewayCpuPerCallSecMs.toFixed(2)} ms / ${r.proxyCpuPerCallSecMs.toFixed(2)} ms` },
    ...(r.mode === 'proxy' ? [{ name: 'instances marked down by the proxy check', value: String(r.proxyDownEvents), ok: r.proxyDownEvents === 0 }] : []),
    { name: 'cores busy: gateways / proxy / load generators / emulator', value: `${r.coresBusy.gateways.toFixed(2)} / ${r.coresBusy.proxy.toFixed(2)} / ${r.coresBusy.loads.toFixed(2)} / ${r.coresBusy.emulator.toFixed(2)} of ${cpus().length}` },
    { name: 'machine load (1 min) at the end of the window', value: `${r.machineLoad.toFixed(1)}${r.machineLoad > cpus().length ? ' (oversubscribed: other work shares these cores)' : ''}` },
  ];
}

/** What the proxy adds: the proxied run against the direct one. */
export function proxyAddedFigures(proxied: FleetProxyRun, direct: FleetProxyRun): Figure[] {
  return [
    { name: 'media round trip added p50 / p99', value: `${signedMs(proxied.rttP50Ms - direct.rttP50Ms)} / ${signedMs(proxied.rttP99Ms - direct.rttP99Ms)}` },
    { name: 'edge latency in added p50 / p99', value: `${signedMs(proxied.edgeInP50Ms - direct.edgeInP50Ms)} / ${signedMs(proxied.edgeInP99Ms - direct.edgeInP99Ms)}` },
    { name: 'edge latency out added p50 / p99', value: `${signedMs(proxied.edgeOutP50Ms - direct.edgeOutP50Ms)} / ${signedMs(proxied.edgeOutP99Ms - direct.edgeOutP99Ms)}` },
    { name: 'webhook p50 added', value: signedMs(proxied.webhookP50Ms - direct.webhookP50Ms) },
    { name: 'stream upgrade p50 added', value: signedMs(proxied.upgradeP50Ms - direct.upgradeP50Ms) },
    { name: 'proxy CPU per call-second', value: `${proxied.proxyCpuPerCallSecMs.toFixed(2)} ms` },
  ];
}
