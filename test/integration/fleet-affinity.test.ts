/**
 * Two gateways (two CallManagers, one Postgres, one Redis bus, one emulator) in one process:
 * the webhook on instance A and the stream on instance B. B claims the call atomically and
 * serves it on the pinned version; A releases its pre-warmed model session without ending the
 * call, so exactly one model session serves the call. Forged, unknown and finished calls are
 * refused, never served twice; calls of a lost instance are finalised (instance_lost) and queued
 * for analysis.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { setTracingDisabled } from '@openai/agents';
import { createCatalog, type Catalog } from '../../src/catalog/index.js';
import { loadConfig } from '../../src/config/index.js';
import { startEmulator, type RunningEmulator } from '../../src/engines/emulator/index.js';
import { createEngineSelector } from '../../src/engines/select.js';
import { CallManager } from '../../src/realtime/index.js';
import { loadScenarios, type Scenario } from '../../src/scenarios/index.js';
import { createGateway, startFleetInstance, type Gateway } from '../../src/server/index.js';
import { runScenarios, formatChecks } from '../../src/simulator/index.js';
import { createFleetBus, openStore, type FleetBus, type Store } from '../../src/store/index.js';
import { createTwilioCarrier } from '../../src/telephony/index.js';
import { registry } from '../../tools/index.js';
import { startFakeTwilioApi, type FakeTwilioApi } from '../fakes/index.js';
import { newCall, randomSchema, TEST_DATABASE_URL } from './storeSuite.js';

const ACCOUNT_SID = 'AC' + 'c'.repeat(32);
const PUBLIC_URL = 'http://127.0.0.1:1';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Instance { id: string; manager: CallManager; gateway: Gateway; url: string; bus: FleetBus }

let dir: string;
let coreSchema: string;
let verticalSchema: string;
let store: Store;
let catalog: Catalog;
let emulator: RunningEmulator;
let twilio: FakeTwilioApi;
let scenarios: Scenario[];
let a: Instance;
let b: Instance;
const channel = `switchboard:fleet:test:${randomUUID()}`;

async function startInstance(id: string): Promise<Instance> {
  const carrier = createTwilioCarrier({ publicUrl: PUBLIC_URL, accountSid: ACCOUNT_SID, authToken: null, apiBaseUrl: twilio.url, rest: { retries: 0, timeoutMs: 2000 } });
  const config = loadConfig({ env: { SWITCHBOARD_ENGINE: 'emulator' } });
  const bus = createFleetBus(REDIS_URL, { channel });
  const manager = new CallManager({
    store,
    engines: createEngineSelector({ config, emulatorUrl: emulator.url }),
    carriers: [carrier],
    resolveVertical: (vid) => catalog.get(vid),
    fleet: {
      instanceId: id, repo: store.fleet, pinned: (vid, version) => catalog.resolvePinned(vid, version), rowWaitMs: 400,
      announceClaim: (callSid, preparedBy) => void bus.publish({ type: 'call.claimed', sender: id, callSid, preparedBy }),
    },
  });
  await bus.subscribe((m) => {
    if (m.type === 'call.claimed' && m.preparedBy === id && m.sender !== id) void manager.claimedElsewhere(m.callSid);
  });
  const gateway = createGateway({ catalog, handler: manager, carriers: [carrier], store, engine: 'emulator', instanceId: id });
  const { port } = await gateway.listen(0, '127.0.0.1');
  return { id, manager, gateway, url: `http://127.0.0.1:${port}`, bus };
}

beforeAll(async () => {
  setTracingDisabled(true);
  dir = mkdtempSync(join(tmpdir(), 'switchboard-fleet-'));
  cpSync(resolve('verticals/salon'), join(dir, 'verticals', 'salon'), { recursive: true });
  verticalSchema = randomSchema('v_salon_fleet');
  const manifestFile = join(dir, 'verticals', 'salon', 'vertical.yaml');
  writeFileSync(manifestFile, readFileSync(manifestFile, 'utf8').replace(/^storage:\n/m, `storage:\n  schema: ${verticalSchema}\n`));
  catalog = createCatalog({ verticalsDir: join(dir, 'verticals'), agentsDir: resolve('agents'), registry, cwd: dir });
  scenarios = (await loadScenarios(join(dir, 'verticals'), { vertical: 'salon' })).list();
  coreSchema = randomSchema('fleet');
  store = await openStore({ databaseUrl: TEST_DATABASE_URL, schema: coreSchema, poolSize: 8 });
  await store.migrate();
  await store.seedVertical(catalog.get('salon')!.manifest, catalog.get('salon')!.dir);
  emulator = await startEmulator({ scenarios, pacing: { speed: 4 } });
  twilio = await startFakeTwilioApi({ accountSid: ACCOUNT_SID, authToken: 'unused-token' });
  a = await startInstance('gw-a');
  b = await startInstance('gw-b');
}, 60_000);

afterAll(async () => {
  for (const i of [a, b]) {
    await i?.gateway.close('test over');
    await i?.bus.close();
  }
  await emulator?.close();
  await twilio?.close();
  if (store) {
    await store.db.query(`DROP SCHEMA IF EXISTS "${verticalSchema}" CASCADE`);
    await store.db.query(`DROP SCHEMA IF EXISTS "${coreSchema}" CASCADE`);
    await store.db.query(`DELETE FROM public.schema_migrations WHERE scope LIKE $1 OR scope LIKE $2`, [`%${verticalSchema}%`, `%${coreSchema}%`]);
    await store.close();
  }
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(fn: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await sleep(25);
  }
}

/** A bare Twilio media stream: `connected` + `start`; resolves with how the gateway closed it (or 'open'). */
async function openStream(url: string, callSid: string, params: Record<string, string>, waitMs = 1500): Promise<{ code: number; reason: string; ws: WebSocket }> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((res, rej) => { ws.once('open', () => res()); ws.once('error', rej); });
  const closed = new Promise<{ code: number; reason: string }>((res) => ws.once('close', (code, reason) => res({ code, reason: reason.toString() })));
  ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
  ws.send(JSON.stringify({ event: 'start', sequenceNumber: '1', streamSid: 'MZ1', start: { streamSid: 'MZ1', callSid, accountSid: ACCOUNT_SID, customParameters: { callSid, ...params } } }));
  const r = await Promise.race([closed, sleep(waitMs).then(() => ({ code: 0, reason: 'open' }))]);
  return { ...r, ws };
}

const streamUrl = (inst: Instance, named: string) => `${inst.url.replace('http', 'ws')}/twilio/stream/${named}`;

async function prepareOn(inst: Instance, callSid: string): Promise<{ twiml: string }> {
  const res = await fetch(`${inst.url}/twilio/voice`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ CallSid: callSid, To: catalog.get('salon')!.numbers[0]!, From: '+15555550123' }).toString(),
  });
  return { twiml: await res.text() };
}

describe('call affinity across two instances', () => {
  it('names the preparing instance in the stream URL', async () => {
    const callSid = `CA${randomUUID().replace(/-/g, '')}`;
    const { twiml } = await prepareOn(a, callSid);
    expect(twiml).toContain(`/twilio/stream/gw-a"`);
    const row = await waitFor(() => store.fleet.lookup(callSid), (r) => r !== null);
    expect(row).toMatchObject({ preparedBy: 'gw-a', owner: 'gw-a' });
    await a.manager.get(callSid)!.end('error', 'failed');
  });

  it('serves a salon call whose stream lands on the other instance: B claims it, A releases its pre-warm, one model session', async () => {
    const scenario = scenarios.find((s) => s.id === 'salon/booking')!;
    const before = emulator.totalSessions;
    const servingBefore = emulator.servingSessions;
    let maxAfterRelease = 0;
    let released = false;
    let stop = false;
    const sampler = (async () => {
      while (!stop) {
        if (!released && a.manager.stats().active === 0 && b.manager.stats().active === 1) released = true;
        if (released && b.manager.stats().active === 1) {
          // A's socket close takes a moment to reach the emulator once released.
          await sleep(300);
          if (b.manager.stats().active === 1) maxAfterRelease = Math.max(maxAfterRelease, emulator.activeSessions);
        }
        await sleep(50);
      }
    })();
    const [run] = await runScenarios([scenario], {
      gatewayUrl: a.url, streamGatewayUrl: b.url, publicUrl: PUBLIC_URL, accountSid: ACCOUNT_SID, speed: 4, store,
      verticalsDir: join(dir, 'verticals'), agentsDir: resolve('agents'),
    });
    stop = true;
    await sampler;
    if (!run!.ok) throw new Error(`salon/booking failed:\n${run!.error ?? ''}\n${formatChecks(run!.checks)}`);
    const row = await store.fleet.lookup(run!.call!.callSid);
    expect(row).toMatchObject({ preparedBy: 'gw-a', owner: 'gw-b' });
    const call = await store.calls.getBySid(run!.call!.callSid);
    expect(call).toMatchObject({ status: 'completed', manifestVersion: catalog.get('salon')!.version });
    expect(released).toBe(true);
    // Exactly one model session served the call once A let its pre-warm go (B's language spare,
    // open during the first turns, is closed once the caller's language is confirmed: at most one more).
    expect(maxAfterRelease).toBeLessThanOrEqual(2);
    expect(emulator.servingSessions - servingBefore).toBe(1);
    // A's pre-warm, B's session and B's language spare: three opened in all, never a fourth.
    expect(emulator.totalSessions - before).toBe(3);
    // One greeting in the record: A's pre-warm wrote nothing.
    const transcript = await store.transcripts.list(call!.id);
    const greeting = catalog.get('salon')!.manifest.greeting;
    expect(transcript.filter((t) => t.role === 'assistant' && t.text === greeting).length).toBeLessThanOrEqual(1);
  }, 120_000);

  it('refuses a stream whose URL names an instance that did not prepare the call (forged), and keeps the call with its owner', async () => {
    const callSid = `CA${randomUUID().replace(/-/g, '')}`;
    await prepareOn(a, callSid);
    await waitFor(() => store.fleet.lookup(callSid), (r) => r !== null);
    const forged = await openStream(streamUrl(b, 'gw-zzz'), callSid, { vertical: 'salon' });
    expect(forged).toMatchObject({ code: 1008, reason: 'STREAM_INSTANCE_FORGED' });
    expect((await store.fleet.lookup(callSid))?.owner).toBe('gw-a');
    expect(b.manager.stats().active).toBe(0);
    // The real stream still reaches the call on A.
    const real = await openStream(streamUrl(a, 'gw-a'), callSid, { vertical: 'salon' }, 500);
    expect(real.reason).toBe('open');
    real.ws.close();
    await waitFor(() => store.calls.getBySid(callSid), (c) => c?.endedAt != null);
  }, 30_000);

  it('refuses a stream for an unknown call and for a finished one', async () => {
    const unknown = await openStream(streamUrl(b, 'gw-a'), `CA${randomUUID().replace(/-/g, '')}`, { vertical: 'salon' });
    expect(unknown).toMatchObject({ code: 1008, reason: 'CALL_UNKNOWN' });
    const done = newCall({ vertical: 'salon', manifestVersion: catalog.get('salon')!.version });
    await store.calls.create({ ...done, owner: 'gw-a' });
    await store.calls.finalize(done.id, { status: 'completed', endReason: 'caller_hangup' });
    const finished = await openStream(streamUrl(b, 'gw-a'), done.callSid, { vertical: 'salon' });
    expect(finished).toMatchObject({ code: 1008, reason: 'CALL_FINISHED' });
    expect(b.manager.stats().active).toBe(0);
  }, 30_000);

  it('serves a call once when two streams race for it on both instances', async () => {
    const callSid = `CA${randomUUID().replace(/-/g, '')}`;
    const c = newCall({ callSid, vertical: 'salon', manifestVersion: catalog.get('salon')!.version });
    await store.calls.create({ ...c, owner: 'gw-old' });
    const [x, y] = await Promise.all([
      openStream(streamUrl(a, 'gw-old'), callSid, { vertical: 'salon' }, 800),
      openStream(streamUrl(b, 'gw-old'), callSid, { vertical: 'salon' }, 800),
    ]);
    const open = [x, y].filter((r) => r.reason === 'open');
    expect(open).toHaveLength(1);
    expect([x, y].find((r) => r.reason !== 'open')?.reason).toBe('CALL_CLAIMED_ELSEWHERE');
    expect(a.manager.stats().active + b.manager.stats().active).toBe(1);
    for (const r of open) r.ws.close();
    await waitFor(() => store.calls.getBySid(callSid), (row) => row?.endedAt != null);
  }, 30_000);
});

describe('instances', () => {
  it('finalises the calls of an instance that stopped heart-beating (instance_lost) and queues their analysis', async () => {
    await store.fleet.beat('gw-dead', 'gateway', { versions: {}, liveCalls: 1 });
    await store.db.query(`UPDATE instances SET heartbeat_at = now() - interval '1 hour' WHERE id = 'gw-dead'`);
    const lost = newCall({ vertical: 'salon', manifestVersion: catalog.get('salon')!.version });
    await store.calls.create({ ...lost, owner: 'gw-dead' });
    const mine = newCall({ vertical: 'salon', manifestVersion: catalog.get('salon')!.version });
    await store.calls.create({ ...mine, owner: 'gw-sweeper' });
    const member = await startFleetInstance({
      id: 'gw-sweeper', kind: 'gateway', repo: store.fleet, heartbeatMs: 60_000, lostAfterMs: 5_000, adminToken: null,
      target: { versions: () => ({ salon: catalog.get('salon')!.version }), reload: async () => ({ ok: true, generation: 1, problems: [] }) },
    });
    try {
      // Its own leftovers went at start (an earlier life of the same id).
      expect(await store.calls.get(mine.id)).toMatchObject({ endReason: 'instance_lost', status: 'failed' });
      expect(await member.sweepNow()).toBeGreaterThanOrEqual(1);
      expect(await store.calls.get(lost.id)).toMatchObject({ endReason: 'instance_lost', status: 'failed' });
      const pending = (await store.outbox.pending(1000)).map((o) => o.callId);
      expect(pending).toEqual(expect.arrayContaining([lost.id, mine.id]));
      // A live instance's calls are left alone.
      expect(await member.sweepNow()).toBe(0);
      const listed = await store.fleet.list();
      expect(listed.find((i) => i.id === 'gw-sweeper')).toMatchObject({ kind: 'gateway', info: { versions: { salon: catalog.get('salon')!.version } } });
    } finally {
      await member.close();
    }
    expect((await store.fleet.list()).find((i) => i.id === 'gw-sweeper')?.stoppedAt).not.toBeNull();
  }, 30_000);
});
