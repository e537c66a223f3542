/**
 * The fleet for real: two gateway processes on one Postgres and Redis behind Debian's haproxy,
 * routed by the config the README documents (fleetHarness.haproxyConfig). A salon call whose
 * webhook and stream reach different instances passes with one model session serving it; a
 * reload through the proxy reaches both instances (and a broken manifest leaves both on their
 * running version); `kill -9` of the instance serving a live call gets the call finalised by the
 * other (instance_lost) and analysed; SIGTERM to the instance serving a live call drains it (the
 * proxy stops sending it new calls, the call runs to its end) and the process exits 0.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { runScenarios, formatChecks } from '../../src/simulator/index.js';
import { readTwimlAnswer, twilioSignatureHeaders } from '../../src/telephony/index.js';
import { reloadOverRedis } from '../../src/cli/commands/reloadFleet.js';
import { proxyUnavailable, startFleet, type Fleet, type FleetGateway } from './fleetHarness.js';

const skip = proxyUnavailable();
if (skip) process.stdout.write(`fleet-proxy tests did not run: ${skip}\n`);
const describeProxy = skip ? describe.skip : describe;

let fleet: Fleet;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function adminReload(): Promise<{ status: number; body: { instances?: Array<{ instance: string; ok: boolean; versions: Record<string, string> }>; error?: { code: string; instances?: Array<{ instance: string; ok: boolean; versions: Record<string, string> }> } } }> {
  const res = await fetch(`${fleet.proxyUrl}/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${fleet.adminToken}` } });
  return { status: res.status, body: (await res.json()) as never };
}

/** The instance a TwiML stream URL names (`…/twilio/stream/<id>`). */
const namedIn = (streamUrl: string) => new URL(streamUrl).pathname.split('/').pop()!;
const other = (id: string) => fleet.gateways.find((g) => g.id !== id)!;
/** The voice webhook for a new call, through the proxy; the TwiML answer. */
async function placeWebhook(callSid: string) {
  const form = { CallSid: callSid, AccountSid: fleet.accountSid, From: '+15555550123', To: salonNumber(), CallStatus: 'ringing', Direction: 'inbound' };
  const res = await fetch(`${fleet.proxyUrl}/twilio/voice`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...twilioSignatureHeaders(fleet.authToken, `${fleet.proxyUrl}/twilio/voice`, form) },
    body: new URLSearchParams(form).toString(),
  });
  return readTwimlAnswer(await res.text());
}
const salonNumber = () => fleet.scenarios.find((s) => s.id === 'salon/booking')!.caller.to ?? '';

describeProxy('two gateways behind haproxy', () => {
  beforeAll(async () => {
    fleet = await startFleet({ instances: ['gw-a', 'gw-b'] });
  }, 240_000);
  afterAll(async () => {
    await fleet?.close();
  }, 60_000);

  it('registers both gateways with their versions', async () => {
    const list = await eventually(() => fleet.store.fleet.list(), (l) => l.filter((i) => i.kind === 'gateway').length === 2, 'two gateways registered');
    expect(list.map((i) => i.id).sort()).toEqual(['gw-a', 'gw-b']);
    for (const i of list) expect(i.info.versions?.salon).toMatch(/^[0-9a-f]{12}$/);
  });

  it('passes salon/booking with the webhook through the proxy and the stream on the other instance; one model session serves it', async () => {
    const scenario = fleet.scenarios.find((s) => s.id === 'salon/booking')!;
    const before = fleet.emulator.totalSessions;
    const servingBefore = fleet.emulator.servingSessions;
    let preparedBy = '';
    let servedBy = '';
    let maxActive = 0;
    let stop = false;
    const sampler = (async () => {
      while (!stop) {
        maxActive = Math.max(maxActive, fleet.emulator.activeSessions);
        await sleep(100);
      }
    })();
    const [run] = await runScenarios([scenario], {
      gatewayUrl: fleet.proxyUrl, publicUrl: fleet.proxyUrl, authToken: fleet.authToken, accountSid: fleet.accountSid,
      speed: 4, store: fleet.store, verticalsDir: fleet.verticalsDir, agentsDir: resolve('agents'),
      streamTarget: (streamUrl) => {
        preparedBy = namedIn(streamUrl);
        const target = other(preparedBy);
        servedBy = target.id;
        return target.url;
      },
    });
    stop = true;
    await sampler;
    if (!run!.ok) throw new Error(`salon/booking failed:\n${run!.error ?? ''}\n${formatChecks(run!.checks)}`);
    const row = await fleet.store.fleet.lookup(run!.call!.callSid);
    expect(row).toMatchObject({ preparedBy, owner: servedBy });
    expect(preparedBy).not.toBe(servedBy);
    // Exactly one model session carried the call. Opened in all: the preparer's pre-warm (let go at
    // the claim) and the claimer's session, plus the claimer's language spare (salon speaks several
    // languages: a spare stands by during the first turns and is closed unused when the caller's
    // language is confirmed; it never hears caller audio).
    expect(fleet.emulator.servingSessions - servingBefore).toBe(1);
    expect(fleet.emulator.totalSessions - before).toBe(3);
    expect(maxActive).toBeLessThanOrEqual(3);
    expect(fleet.emulator.activeSessions).toBe(0);
    const call = await fleet.store.calls.getBySid(run!.call!.callSid);
    expect(call).toMatchObject({ status: 'completed' });
  }, 180_000);

  it('routes a stream through the proxy back to the instance that prepared the call (no claim)', async () => {
    const scenario = fleet.scenarios.find((s) => s.id === 'salon/handoff') ?? fleet.scenarios.find((s) => s.id === 'salon/booking')!;
    const before = fleet.emulator.totalSessions;
    const servingBefore = fleet.emulator.servingSessions;
    const [run] = await runScenarios([scenario], {
      gatewayUrl: fleet.proxyUrl, publicUrl: fleet.proxyUrl, authToken: fleet.authToken, accountSid: fleet.accountSid,
      speed: 4, store: fleet.store, verticalsDir: fleet.verticalsDir, agentsDir: resolve('agents'),
    });
    if (!run!.ok) throw new Error(`${scenario.id} failed:\n${run!.error ?? ''}\n${formatChecks(run!.checks)}`);
    const row = await fleet.store.fleet.lookup(run!.call!.callSid);
    expect(row!.owner).toBe(row!.preparedBy);
    // One session carried the call; the other opened was its language spare, closed unused.
    expect(fleet.emulator.servingSessions - servingBefore).toBe(1);
    expect(fleet.emulator.totalSessions - before).toBe(2);
  }, 180_000);

  it('reloads both instances through one POST /admin/reload; a broken manifest leaves both on their running version', async () => {
    const file = join(fleet.verticalsDir, 'salon', 'vertical.yaml');
    const original = readFileSync(file, 'utf8');
    const oldVersion = (await fleet.store.fleet.list()).find((i) => i.id === 'gw-a')!.info.versions!.salon!;
    writeFileSync(file, original.replace(/^greeting: .*$/m, 'greeting: Thanks for calling Luna Hair Studio (reloaded), how can I help?'));
    const ok = await adminReload();
    expect(ok.status).toBe(200);
    const outcomes = ok.body.instances!;
    expect(outcomes.map((i) => i.instance).sort()).toEqual(['gw-a', 'gw-b']);
    const newVersions = new Set(outcomes.map((i) => i.versions.salon));
    expect(newVersions.size).toBe(1);
    expect([...newVersions][0]).not.toBe(oldVersion);
    expect(outcomes.every((i) => i.ok)).toBe(true);

    // `switchboard reload` with REDIS_URL, DATABASE_URL and ADMIN_TOKEN: straight over Redis.
    const saved = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL, ADMIN_TOKEN: process.env.ADMIN_TOKEN };
    Object.assign(process.env, { DATABASE_URL: fleet.databaseUrl, REDIS_URL: fleet.redisUrl, ADMIN_TOKEN: fleet.adminToken });
    try {
      const direct = await reloadOverRedis(20_000);
      expect(direct?.ok).toBe(true);
      expect(direct!.instances.map((i) => [i.instance, i.versions.salon])).toEqual([['gw-a', [...newVersions][0]], ['gw-b', [...newVersions][0]]]);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }

    writeFileSync(file, original.replace(/^greeting: .*$/m, 'greeting: [unclosed'));
    const bad = await adminReload();
    expect(bad.status).toBe(422);
    expect(bad.body.error!.code).toBe('CATALOG_RELOAD_REJECTED');
    const kept = bad.body.error!.instances!;
    expect(kept.map((i) => i.instance).sort()).toEqual(['gw-a', 'gw-b']);
    expect(kept.every((i) => !i.ok && i.versions.salon === [...newVersions][0])).toBe(true);
    writeFileSync(file, original);
  }, 90_000);

  it('drains an instance on SIGTERM during a live call behind the proxy: the call runs to its end, new calls go to the other instance, then the process exits 0', async () => {
    const scenario = fleet.scenarios.find((s) => s.id === 'salon/booking')!;
    let owner: FleetGateway | undefined;
    let sigtermAtMs = 0;
    let during: Promise<{ ready: number; live: number; nextCallPreparedBy: string }> | undefined;
    const [run] = await runScenarios([scenario], {
      gatewayUrl: fleet.proxyUrl, publicUrl: fleet.proxyUrl, authToken: fleet.authToken, accountSid: fleet.accountSid,
      speed: 4, store: fleet.store, verticalsDir: fleet.verticalsDir, agentsDir: resolve('agents'),
      streamTarget: (streamUrl) => {
        owner = fleet.gateways.find((g) => g.id === namedIn(streamUrl))!;
        const draining = owner;
        during = (async () => {
          await sleep(1000);
          sigtermAtMs = Date.now();
          draining.proc.kill('SIGTERM');
          const ready = await eventually(() => fetch(`${draining.url}/readyz`).then((r) => r.status), (st) => st === 503, 'readyz 503 while draining', 5000);
          const live = (await fetch(`${draining.url}/livez`)).status;
          // haproxy's check (/readyz: 503 while draining) takes it out of the rotation within a few
          // seconds; until then a new call it receives gets the vertical's overflow answer.
          const end = Date.now() + 15_000;
          for (;;) {
            const answer = await placeWebhook(`CA${randomUUID().replace(/-/g, '')}`);
            if (answer.kind === 'stream') return { ready, live, nextCallPreparedBy: namedIn(answer.url) };
            if (Date.now() > end) throw new Error(`new calls during the drain still not connected: ${answer.kind}`);
            await sleep(500);
          }
        })();
        return undefined; // the stream goes through the proxy, which routes it to its preparer
      },
    });
    if (!run!.ok) throw new Error(`salon/booking failed during the drain:\n${run!.error ?? ''}\n${formatChecks(run!.checks)}`);
    const probes = await during!;
    expect(probes).toEqual({ ready: 503, live: 200, nextCallPreparedBy: other(owner!.id).id });
    const call = (await fleet.store.calls.getBySid(run!.call!.callSid))!;
    expect(call).toMatchObject({ status: 'completed' });
    expect(call.endReason).not.toBe('drain_timeout');
    expect(call.endedAt!.getTime()).toBeGreaterThan(sigtermAtMs);
    expect(await owner!.exit).toBe(0);
    expect(owner!.output.join('')).toContain('gateway draining');
    // Back to two instances for the next test.
    await fleet.restart(owner!.id);
  }, 180_000);

  it('finalises a live call of a kill -9ed instance on the other one (instance_lost) and analyses it', async () => {
    const callSid = `CA${randomUUID().replace(/-/g, '')}`;
    const answer = await placeWebhook(callSid);
    if (answer.kind !== 'stream') throw new Error('the gateway did not connect a stream');
    const owner = namedIn(answer.url);
    // The stream through the proxy, which routes it to the preparing instance.
    const ws = new WebSocket(answer.url, { headers: twilioSignatureHeaders(fleet.authToken, answer.url), perMessageDeflate: false });
    await new Promise<void>((ok, fail) => { ws.once('open', () => ok()); ws.once('error', fail); });
    ws.on('error', () => undefined);
    ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    ws.send(JSON.stringify({ event: 'start', sequenceNumber: '1', streamSid: 'MZ1', start: { streamSid: 'MZ1', callSid, accountSid: fleet.accountSid, customParameters: answer.parameters } }));
    const silence = Buffer.alloc(160, 0xff).toString('base64');
    const frames = setInterval(() => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event: 'media', streamSid: 'MZ1', media: { payload: silence } })); }, 20);
    try {
      await eventually(() => fleet.store.fleet.lookup(callSid), (r) => r?.owner === owner, 'the call row owned by its instance');
      await sleep(1000);
      expect((await fleet.store.calls.getBySid(callSid))!.endedAt).toBeNull();
      await fleet.gateways.find((g) => g.id === owner)!.kill9();
      const row = await eventually(() => fleet.store.calls.getBySid(callSid), (r) => r?.endedAt != null, 'the call finalised by the survivor', 30_000);
      expect(row).toMatchObject({ endReason: 'instance_lost', status: 'failed' });
      const survivor = other(owner);
      expect(survivor.output.join('')).toContain('call of a lost instance finalised');
      // Analysed: the survivor's outbox relay and in-process worker write call_analysis.
      const analysis = await eventually(
        () => fleet.store.db.query(`SELECT count(*)::int AS n FROM v_salon.call_analysis WHERE call_id = $1`, [row!.id]).then((r) => Number(r.rows[0]!.n)),
        (n) => n === 1, 'the lost call analysed', 60_000,
      );
      expect(analysis).toBe(1);
      const lost = (await fleet.store.fleet.list()).find((i) => i.id === owner)!;
      expect(lost.heartbeatAgeMs).toBeGreaterThan(1000);
    } finally {
      clearInterval(frames);
      ws.terminate();
    }
  }, 150_000);
});
