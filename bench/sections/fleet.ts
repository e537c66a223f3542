/**
 * `npm run bench -- --only fleet`: the gateway as operators start it (`src/bin/server.ts` on
 * Postgres, one shared emulator in its own process), holding N calls through one port, first as
 * one process, then with `--workers 2` (the primary hands each connection to a worker; a stream
 * goes back to the worker that answered its webhook). Per run: calls connected, caller frames
 * lost before the model (sent by the callers, not counted in by any gateway process), CPU of all
 * gateway processes per call-second, and the webhook and stream-upgrade times the callers saw
 * (what the routing adds: after the hand-off the primary is off the media path). Then two
 * instances holding 2 × N calls behind Debian's haproxy and without it (./fleetProxy.ts): frames
 * lost and what the proxy adds to the media path.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import pg from 'pg';
import { httpSend } from '../../src/telephony/http.js';
import { spawnChild } from '../lib/ipc.js';
import { carrierFramesIn, cpuSeconds, percentile, scrapeMetrics } from '../lib/procStats.js';
import type { LoadCounters } from '../lib/loadgen.js';
import { proxyUnavailable } from '../../test/integration/fleetProcs.js';
import { fleetProxyFigures, proxyAddedFigures, runFleetBehindProxy, type FleetLoadOutcome, type FleetProxyRun } from './fleetProxy.js';
import type { BenchContext, BenchSection, Figure, SectionResult } from '../types.js';

const SALON_NUMBER = '+15550100100';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sum of caller frames read over the workers (`?sbw=<id>` routes a scrape to one). */
async function framesIn(baseUrl: string, workers: number): Promise<number> {
  let sum = 0;
  for (let w = 1; w <= workers; w++) sum += carrierFramesIn(await scrapeMetrics(baseUrl, workers > 1 ? `?sbw=${w}` : ''));
  return sum;
}

async function admin(databaseUrl: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Mean hand-off time in the primary (`switchboard_worker_handoff_ms`, every kind), from the summed /metrics. */
async function handoffMeanMs(baseUrl: string): Promise<number> {
  const text = (await httpSend({ url: `${baseUrl}/metrics`, headers: { connection: 'close' } })).text;
  let sum = 0;
  let count = 0;
  for (const m of text.matchAll(/^switchboard_worker_handoff_ms_(sum|count)\{[^}]*\} ([\d.e+-]+)$/gm)) {
    if (m[1] === 'sum') sum += Number(m[2]);
    else count += Number(m[2]);
  }
  return count > 0 ? sum / count : NaN;
}

interface FleetRun extends FleetLoadOutcome {
  workers: number;
  calls: number;
  framesReceivedPerCallSec: number;
  cpuPerCallSecMs: number;
  webhookP50Ms: number;
  webhookP99Ms: number;
  upgradeP50Ms: number;
  upgradeP99Ms: number;
  /** `--workers` only: the primary's mean time from first byte to hand-off. */
  handoffMeanMs: number;
}

async function runOnce(ctx: BenchContext, emulatorUrl: string, workers: number, calls: number): Promise<FleetRun> {
  const db = `sb_bench_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  await admin(ctx.databaseUrl, `CREATE DATABASE ${db}`);
  const url = new URL(ctx.databaseUrl);
  url.pathname = `/${db}`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['REDIS_URL', 'OPENAI_API_KEY', 'NODE_OPTIONS', 'PUBLIC_URL', 'TWILIO_AUTH_TOKEN']) delete env[k];
  Object.assign(env, {
    DATABASE_URL: url.toString(), PORT: '0', HOST: '127.0.0.1', SWITCHBOARD_ENGINE: 'emulator', SWITCHBOARD_EMULATOR_URL: emulatorUrl,
    SWITCHBOARD_MAX_CALLS: '0', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error', SWITCHBOARD_CONSOLE: 'false',
  });
  const args = ['--import', 'tsx', 'src/bin/server.ts', ...(workers > 1 ? ['--workers', String(workers)] : [])];
  const gw: ChildProcess = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => gw.once('exit', () => resolve()));
  let out = '';
  gw.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  const until = Date.now() + 120_000;
  let baseUrl: string | undefined;
  while (!(baseUrl = /listening on (http:\/\/\S+)/.exec(out)?.[1])) {
    if (Date.now() > until || gw.exitCode !== null) throw new Error(`gateway did not start: ${out}`);
    await sleep(100);
  }
  baseUrl = baseUrl.replace('localhost', '127.0.0.1');
  const load = spawnChild('load');
  try {
    await load.once('ready');
    const rampMs = Math.max(2000, calls * 15);
    await load.request('start', { baseUrl, to: SALON_NUMBER, calls, rampMs, bargeInShare: 0.5, bargeAfterMs: 1000 }, 300_000);
    await sleep(2000);
    const cpu0 = cpuSeconds(gw.pid!);
    const t0 = performance.now();
    await sleep(ctx.windowSec * 1000);
    const cpu1 = cpuSeconds(gw.pid!);
    const elapsedSec = (performance.now() - t0) / 1000;
    const counters = await load.request<LoadCounters>('quiesce', undefined, 60_000);
    const inbound = await framesIn(baseUrl, workers);
    const handoff = workers > 1 ? await handoffMeanMs(baseUrl) : NaN;
    await load.request('hangUp');
    const connected = counters.callsConnected;
    const callSec = Math.max(1, connected) * elapsedSec;
    return {
      workers, calls, windowSec: ctx.windowSec, connected, failed: counters.callsFailed, unexpectedCloses: counters.unexpectedCloses,
      framesSent: counters.framesSent, framesIn: inbound, framesLost: Math.max(0, counters.framesSent - inbound),
      framesReceivedPerCallSec: counters.framesReceived / Math.max(1, connected) / Math.max(1, (performance.now() - t0) / 1000),
      cpuPerCallSecMs: ((cpu1 - cpu0) * 1000) / callSec,
      webhookP50Ms: percentile(counters.webhookMs, 50), webhookP99Ms: percentile(counters.webhookMs, 99),
      upgradeP50Ms: percentile(counters.upgradeMs, 50), upgradeP99Ms: percentile(counters.upgradeMs, 99),
      handoffMeanMs: handoff,
    };
  } finally {
    await load.kill();
    gw.kill('SIGTERM');
    setTimeout(() => gw.kill('SIGINT'), 1500).unref();
    await Promise.race([exited, sleep(60_000)]);
    if (gw.exitCode === null) gw.kill('SIGKILL');
    await admin(ctx.databaseUrl, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
  }
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(Math.abs(v) < 10 ? 2 : 0)} ms` : 'n/a');

export const fleetSection: BenchSection = {
  name: 'fleet',
  title: 'Fleet: one port, one process vs --workers 2; two instances behind haproxy vs direct',
  async run(ctx: BenchContext): Promise<SectionResult[]> {
    const emulator = spawnChild('emulator');
    const { url: emulatorUrl } = await emulator.once<{ url: string }>('ready');
    const results: SectionResult[] = [];
    try {
      for (const calls of ctx.calls) {
        const runs: FleetRun[] = [];
        for (const workers of [1, 2]) {
          ctx.log(`fleet: ${calls} calls, ${workers === 1 ? 'one process' : `--workers ${workers}`} …`);
          runs.push(await runOnce(ctx, emulatorUrl, workers, calls));
        }
        const [single, multi] = runs as [FleetRun, FleetRun];
        for (const r of runs) {
          const figures: Figure[] = [
            { name: 'calls connected', value: `${r.connected}/${r.calls} (failed ${r.failed}, dropped ${r.unexpectedCloses})`, ok: r.connected === r.calls && r.unexpectedCloses === 0 },
            { name: 'caller frames lost before the gateway', value: `${r.framesLost} of ${r.framesSent}`, ok: r.framesLost === 0 },
            { name: 'agent frames heard per call-second', value: r.framesReceivedPerCallSec.toFixed(1) },
            { name: 'gateway CPU per call-second (all processes)', value: `${r.cpuPerCallSecMs.toFixed(2)} ms` },
            { name: 'webhook p50 / p99', value: `${ms(r.webhookP50Ms)} / ${ms(r.webhookP99Ms)}` },
            { name: 'stream upgrade p50 / p99', value: `${ms(r.upgradeP50Ms)} / ${ms(r.upgradeP99Ms)}` },
          ];
          if (r === multi) {
            figures.push(
              { name: 'primary hand-off per connection (mean)', value: ms(multi.handoffMeanMs) },
              { name: 'webhook p50 added vs one process', value: ms(multi.webhookP50Ms - single.webhookP50Ms) },
              { name: 'upgrade p50 added vs one process', value: ms(multi.upgradeP50Ms - single.upgradeP50Ms) },
              { name: 'CPU per call-second vs one process', value: `${((multi.cpuPerCallSecMs / single.cpuPerCallSecMs - 1) * 100).toFixed(0)} %` },
            );
          }
          results.push({ heading: `${r.calls} calls, ${r.workers === 1 ? 'one process' : `--workers ${r.workers}`}, ${r.windowSec} s window, ${cpus().length} cores`, figures, raw: r });
        }
        const noProxy = proxyUnavailable();
        if (noProxy) {
          results.push({ heading: `two instances behind haproxy, 2 × ${calls} calls: did not run (${noProxy})`, figures: [] });
          continue;
        }
        const pair: FleetProxyRun[] = [];
        for (const mode of ['proxy', 'direct'] as const) {
          ctx.log(`fleet: two instances, 2 × ${calls} calls, ${mode === 'proxy' ? 'behind haproxy' : 'each load generator on one instance'} …`);
          const r = await runFleetBehindProxy(ctx, { url: emulatorUrl, pid: emulator.pid }, mode, calls);
          pair.push(r);
          results.push({ heading: `two instances, 2 × ${calls} calls, ${mode === 'proxy' ? 'behind haproxy' : 'direct (no proxy)'}, ${r.windowSec} s window, ${cpus().length} cores`, figures: fleetProxyFigures(r), raw: r });
        }
        results.push({ heading: `2 × ${calls} calls: what haproxy adds`, figures: proxyAddedFigures(pair[0]!, pair[1]!) });
      }
    } finally {
      await emulator.request('close').catch(() => undefined);
      await emulator.kill();
    }
    return results;
  },
};
