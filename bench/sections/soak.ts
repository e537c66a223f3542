/**
 * The soak: `--calls` simulated calls at all times (default 100) for `--minutes` (default 10;
 * fractions work, e.g. 0.5), each call a few tens of seconds long and then replaced, with about
 * half of them carrying a fault, so that one strikes every second or few across the load: model
 * socket drops, failed responses, server errors, rate limits, stalled models, sessions expiring,
 * garbage carrier frames, stalled carrier readers. Gateway, emulator and callers run in three
 * processes. Targets: no crash, every call row finalised, every finalised call analysed, RSS
 * after warm-up growing under 5 %, and no frame lost on calls without faults.
 *
 *   npm run bench -- --only soak                          100 calls, 10 minutes
 *   npm run bench -- --only soak --calls 40 --minutes 2   shorter
 */
import { randomUUID } from 'node:crypto';
import { FAULT_KINDS } from '../../src/scenarios/index.js';
import { spawnChild, type Child } from '../lib/ipc.js';
import type { SoakCallRecord, SoakFault } from '../lib/soakLoad.js';
import type { BenchContext, BenchSection, Figure, SectionResult } from '../types.js';

const SALON_NUMBER = '+15550100100';
const FRAME_BYTES = 160;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Rows {
  total: number; unfinalised: number; failedOver: number; byCause: Record<string, number>; gaveUp: Record<string, number>; endReasons: Record<string, number>;
  analysesLost: number;
  outboxPending: number; jobErrors: string[];
}
interface PerCall { sessions: number; audioAppends: number; audioOutBytes: number }

export async function runSoak(ctx: BenchContext, calls: number, minutes: number): Promise<SectionResult> {
  const children: Child[] = [];
  let gatewayExited = false;
  try {
    const emulator = spawnChild('soakEmulator');
    children.push(emulator);
    const { url: emulatorUrl } = await emulator.once<{ url: string }>('ready');
    const schema = `soak_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    const gateway = spawnChild('soakGateway', { BENCH_EMULATOR_URL: emulatorUrl, BENCH_DATABASE_URL: ctx.databaseUrl, BENCH_SCHEMA: schema }, ['--expose-gc']);
    children.push(gateway);
    gateway.exited.then(() => { gatewayExited = true; }, () => undefined);
    const { url } = await gateway.once<{ url: string }>('ready', 90_000);
    const load = spawnChild('soakLoad');
    children.push(load);
    await load.once('ready');

    const kinds: SoakFault[] = [...FAULT_KINDS, 'garbage_frames', 'stalled_reader'];
    const durationMs = minutes * 60_000;
    await load.request('start', {
      baseUrl: url, to: SALON_NUMBER, calls, callMs: [20_000, 45_000], faultShare: 0.5, kinds, carrierFaultAtMs: 8000, stallReaderMs: 5000,
    });
    const t0 = performance.now();
    // Warm-up: the first calls have churned (a fifth of the run, at least 45 s), then the baseline.
    const warmMs = Math.min(durationMs / 2, Math.max(45_000, durationMs / 5));
    await sleep(warmMs);
    const rssWarm = await gateway.request<number>('gc');
    const samples: number[] = [rssWarm];
    while (performance.now() - t0 < durationMs && !gatewayExited) {
      await sleep(Math.min(15_000, Math.max(1000, durationMs - (performance.now() - t0))));
      if (!gatewayExited) samples.push(await gateway.request<number>('gc'));
    }
    const rssEnd = samples.at(-1)!;
    ctx.log(`soak: ${minutes} min done; hanging up`);
    const { counters, records } = await load.request<{ counters: { placed: number; faultsInjected: number; garbageSent: number }; records: SoakCallRecord[] }>('stop', undefined, 120_000);
    // Every call row finalised and analysed (the in-process queue drains).
    let rows: Rows | undefined;
    for (let i = 0; i < 60 && !gatewayExited; i++) {
      rows = await gateway.request<Rows>('rows');
      if (rows.unfinalised === 0 && rows.analysesLost === 0) break;
      await sleep(1000);
    }
    const perCall = await emulator.request<Record<string, PerCall>>('perCall');
    const clean = records.filter((r) => r.placed && r.fault === null);
    let lostIn = 0;
    let lostOut = 0;
    let unexpected = 0;
    let callsWithLoss = 0;
    for (const r of clean) {
      const seen = perCall[r.tag];
      if (r.closedUnexpectedly) unexpected++;
      if (!seen) continue;
      const inLost = Math.max(0, r.framesSentAfterAudio - seen.audioAppends);
      const outLost = Math.max(0, Math.floor(seen.audioOutBytes / FRAME_BYTES) - r.framesReceived - seen.sessions);
      if (inLost + outLost > 0) callsWithLoss++;
      lostIn += inLost;
      lostOut += outLost;
    }
    const growth = (rssEnd - rssWarm) / rssWarm * 100;
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
    const faulted = records.filter((r) => r.placed && r.fault !== null);
    const modelFaults = rows ? Object.values(rows.byCause).reduce((a, b) => a + b, 0) : 0;
    const elapsedS = (performance.now() - t0) / 1000;
    const figures: Figure[] = [
      { name: 'gateway crashes', value: String(gatewayExited ? 1 : 0), ok: !gatewayExited },
      { name: 'calls placed', value: `${counters.placed} (${clean.length} clean, ${faulted.length} with a fault)` },
      { name: 'faults injected', value: `${modelFaults + counters.faultsInjected} (${modelFaults} model failovers, ${counters.faultsInjected} carrier) ≈ one every ${(elapsedS / Math.max(1, modelFaults + counters.faultsInjected)).toFixed(1)} s` },
      { name: 'failover causes', value: rows ? Object.entries(rows.byCause).map(([k, v]) => `${k} ${v}`).join(', ') : 'n/a' },
      { name: 'failovers that gave up (second failure)', value: rows ? Object.entries(rows.gaveUp).map(([k, v]) => `${k} ${v}`).join(', ') || 'none' : 'n/a' },
      { name: 'end reasons', value: rows ? Object.entries(rows.endReasons).map(([k, v]) => `${k} ${v}`).join(', ') : 'n/a' },
      { name: 'unfinalised call rows', value: String(rows?.unfinalised ?? 'n/a'), ok: rows?.unfinalised === 0 },
      {
        name: 'analyses lost', ok: rows?.analysesLost === 0,
        value: `${rows?.analysesLost ?? 'n/a'}${rows?.analysesLost ? ` (outbox pending ${rows.outboxPending}; errors: ${rows.jobErrors.join(' | ') || 'none'})` : ''}`,
      },
      { name: 'RSS after warm-up → end', value: `${mb(rssWarm)} → ${mb(rssEnd)} (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} %; samples ${samples.map((s) => (s / 1024 / 1024).toFixed(0)).join(' ')})`, ok: growth < 5 },
      { name: 'caller frames lost, clean calls', value: String(lostIn), ok: lostIn === 0 },
      { name: 'agent frames lost, clean calls', value: String(lostOut), ok: lostOut === 0 },
      { name: 'clean calls with any frame lost', value: `${callsWithLoss} of ${clean.length}`, ok: callsWithLoss === 0 },
      { name: 'clean calls cut off', value: String(unexpected), ok: unexpected === 0 },
    ];
    await gateway.request('close', undefined, 60_000).catch(() => undefined);
    return { heading: `${calls} calls at a time for ${minutes} min, a fault on about half of them`, figures, raw: { rows, counters, samples, lostIn, lostOut } };
  } finally {
    await Promise.all(children.map((c) => c.kill()));
  }
}

export const soakSection: BenchSection = {
  name: 'soak',
  title: 'Soak: many calls, faults every few seconds (crashes, call rows, analyses, memory, frames)',
  async run(ctx) {
    // Minutes long: only when asked for by name.
    if (!(arg('only') ?? '').split(',').includes('soak')) return [{ heading: 'not run (select it: --only soak)', figures: [] }];
    const calls = Number(arg('calls') ?? 100);
    const minutes = Number(arg('minutes') ?? 10);
    return [await runSoak(ctx, calls, minutes)];
  },
};
