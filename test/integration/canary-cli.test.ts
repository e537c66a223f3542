/**
 * `switchboard canary` against real Postgres and Redis: a refused candidate changes nothing; a
 * started one is compiled by every gateway instance from the stored files and takes its share
 * of new calls (the same CallSid lands on the same version everywhere); status compares the
 * versions from the calls table and analyses; promote and abort change new calls only.
 */
import { createGateway, type Gateway } from '../../src/server/index.js';
import { createTwilioCarrier } from '../../src/telephony/index.js';
import { FakeCallHandler } from '../fakes/callHandler.js';
import { postForm } from './serverHelpers.js';
import { DEMO_NUMBER, OTHER_NUMBER, eventually, openRoutingEnv, type Instance, type RoutingEnv } from './routingHarness.js';

const sid = (i: number): string => `CA${(0xc0ffee00 + i).toString(16).padStart(32, '0')}`;

let env: RoutingEnv;
let a: Instance;
let b: Instance;
let gateway: Gateway;
let handler: FakeCallHandler;
let gatewayUrl: string;
let liveVersion: string;

beforeAll(async () => {
  env = await openRoutingEnv();
  a = await env.instance({ redis: true, refreshMs: 60_000 });
  b = await env.instance({ redis: true, refreshMs: 60_000 });
  liveVersion = a.catalog.get('demo')!.version;
  handler = new FakeCallHandler();
  gateway = createGateway({ catalog: a.catalog, handler, carriers: [createTwilioCarrier({ publicUrl: 'http://127.0.0.1:1' })] });
  const { port } = await gateway.listen(0, '127.0.0.1');
  gatewayUrl = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await gateway.close('test over');
  await env.close();
});

const versionOn = (inst: Instance, callSid: string): string => inst.catalog.byNumber(DEMO_NUMBER, callSid)!.version;
const ring = async (callSid: string): Promise<string> => {
  const res = await postForm(`${gatewayUrl}/twilio/voice`, { CallSid: callSid, To: DEMO_NUMBER, From: '+15557770000' });
  expect(res.text).toContain('<Connect><Stream');
  return handler.prepared.get(callSid)!.vertical.version;
};

describe('switchboard canary', () => {
  let candidateVersion: string;

  it('refuses a candidate that fails validation with file:line problems, and stores nothing', async () => {
    const dir = env.candidate('New words.', (y) => y.replace('entryAgent: Front Desk', 'entryAgent: Back Office'));
    const res = await env.cli('canary', 'start', 'demo', '--from', dir, '--percent', '50');
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/candidates\/1\/demo\/vertical\.yaml:\d+ entryAgent: unknown agent "Back Office"/);
    expect(res.err).toMatch(/canary refused: the candidate has 1 error\(s\); nothing was changed/);
    expect(await env.store.canaries.list()).toEqual([]);
  });

  it('refuses bad arguments with coded errors', async () => {
    const dir = env.candidate('New words.');
    expect(await env.cli('canary', 'start', 'nosuch', '--from', dir, '--percent', '5')).toMatchObject({ code: 2, err: expect.stringMatching(/VERTICAL_UNKNOWN/) });
    expect(await env.cli('canary', 'start', 'demo', '--from', dir, '--percent', '150')).toMatchObject({ code: 2, err: expect.stringMatching(/CANARY_BAD_PERCENT/) });
    expect(await env.cli('canary', 'start', 'demo', '--from', dir, '--percent', '5', '--number', '555')).toMatchObject({ code: 2, err: expect.stringMatching(/NUMBER_NOT_E164/) });
    expect(await env.cli('canary', 'start', 'demo', '--from', dir, '--percent', '5', '--number', OTHER_NUMBER))
      .toMatchObject({ code: 2, err: expect.stringMatching(/CANARY_NUMBER_NOT_OF_VERTICAL: \+15550002222 does not ring demo \(it rings other\)/) });
    expect(await env.store.canaries.list()).toEqual([]);
  });

  it('starts at 50 %: every instance compiles the candidate and 40 calls split within [10, 30]', async () => {
    const res = await env.cli('canary', 'start', 'demo', '--from', env.candidate('You are the new front desk.'), '--percent', '50');
    expect(res.code).toBe(0);
    candidateVersion = /candidate ([0-9a-f]+) takes 50% of new calls/.exec(res.out)![1]!;
    await eventually(() => [a, b].every((i) => i.catalog.routing.canaries.get('demo')?.candidate.version === candidateVersion), 'the canary on both instances', 5000);
    // Binomial(40, 0.5): P(X < 10 or X > 30) < 0.0007. The same CallSid gets the same version on both instances.
    const versions = Array.from({ length: 40 }, (_, i) => versionOn(a, sid(i)));
    expect(versions).toEqual(Array.from({ length: 40 }, (_, i) => versionOn(b, sid(i))));
    const onCandidate = versions.filter((v) => v === candidateVersion).length;
    expect(onCandidate).toBeGreaterThanOrEqual(10);
    expect(onCandidate).toBeLessThanOrEqual(30);
    expect(versions.filter((v) => v === liveVersion)).toHaveLength(40 - onCandidate);
    // Post-call analysis finds the candidate's manifest by the version a call ran.
    expect(await env.store.manifestVersions.get('demo', candidateVersion)).toMatchObject({ manifest: { id: 'demo' } });
    const again = await env.cli('canary', 'start', 'demo', '--from', env.candidate('Another try.'), '--percent', '10');
    expect(again).toMatchObject({ code: 2, err: expect.stringMatching(/CANARY_RUNNING/) });
  });

  it('compares the two versions side by side from the calls each ran', async () => {
    const since = new Date();
    const call = async (version: string, endReason: string, latencyMs: number[], lead: number | null, reconnects = 0) => {
      const c = await env.store.calls.create({ id: crypto.randomUUID(), callSid: `CA${crypto.randomUUID().replace(/-/g, '')}`, vertical: 'demo', manifestVersion: version, startedAt: since });
      if (reconnects) await env.store.calls.mergeMetadata(c.id, { reconnects });
      await env.store.latency.record(c.id, latencyMs.map((valueMs, turn) => ({ metric: 'turn.speech_end_to_first_audio', valueMs, turn })));
      await env.store.calls.finalize(c.id, { status: 'completed', endReason });
      if (lead !== null) {
        await env.store.analysis.upsert(vdb, c.id, {
          summary: 's', sentiment: { label: 'neutral', score: 0 }, intent: 'other', leadScore: lead, leadReasons: [], fields: {}, analyser: 'heuristic', model: null, isShort: false,
        });
      }
    };
    const manifest = a.catalog.get('demo')!.manifest;
    await env.store.migrateVertical(manifest, a.catalog.get('demo')!.dir);
    const vdb = env.store.dbForVertical(manifest);
    await call(liveVersion, 'caller_hangup', [300, 500], 40);
    await call(liveVersion, 'transferred', [700], 60);
    await call(candidateVersion, 'caller_hangup', [200, 200, 200], 80);
    await call(candidateVersion, 'failover_transfer', [], null, 1);
    const res = await env.cli('canary', 'status', '--json');
    expect(res.code).toBe(0);
    const [c] = JSON.parse(res.out) as Array<{ live: Record<string, unknown>; candidate: Record<string, unknown>; percent: number; state: string }>;
    expect(c).toMatchObject({ percent: 50, state: 'running' });
    expect(c!.live).toMatchObject({
      version: liveVersion, calls: 2, endReasons: { caller_hangup: 1, transferred: 1 }, failovers: 0, transfersToHuman: 1,
      avgLeadScore: 50, analysed: 2, turnLatency: { samples: 3, avgMs: 500 },
    });
    expect(c!.candidate).toMatchObject({
      version: candidateVersion, calls: 2, endReasons: { caller_hangup: 1, failover_transfer: 1 }, failovers: 1, transfersToHuman: 1,
      avgLeadScore: 80, analysed: 1, turnLatency: { samples: 3, avgMs: 200 },
    });
    const text = await env.cli('canary', 'status', 'demo');
    expect(text.out).toMatch(/canary demo: 50% of new calls on all its numbers/);
    expect(text.out).toMatch(/transfers to a human\s+1 \(50%\)\s+1 \(50%\)/);
  });

  it('promotes on every instance: new calls run the candidate, calls in progress keep their version', async () => {
    const before = new Map<string, string>();
    for (let i = 100; i < 110; i++) before.set(sid(i), await ring(sid(i)));
    expect(new Set(before.values()).size).toBe(2);
    const res = await env.cli('canary', 'promote', 'demo');
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/Make it permanent: copy .* over .*\/demo and reload/);
    await eventually(() => [a, b].every((i) => i.catalog.routing.canaries.get('demo')?.state === 'promoted'), 'the promotion on both instances', 5000);
    for (let i = 200; i < 210; i++) {
      expect(versionOn(b, sid(i))).toBe(candidateVersion);
      expect(await ring(sid(i))).toBe(candidateVersion);
    }
    for (const [callSid, version] of before) expect(handler.prepared.get(callSid)!.vertical.version).toBe(version);
    expect((await env.cli('canary', 'promote', 'demo'))).toMatchObject({ code: 2, err: expect.stringMatching(/CANARY_NOT_RUNNING/) });
  });

  it('aborts on every instance: new calls run the live version, calls in progress keep theirs', async () => {
    const res = await env.cli('canary', 'abort', 'demo');
    expect(res).toMatchObject({ code: 0, out: expect.stringMatching(/canary demo@[0-9a-f]+ dropped/) });
    await eventually(() => [a, b].every((i) => i.catalog.routing.canaries.size === 0), 'the abort on both instances', 5000);
    for (let i = 300; i < 310; i++) expect(await ring(sid(i))).toBe(liveVersion);
    for (let i = 200; i < 210; i++) expect(handler.prepared.get(sid(i))!.vertical.version).toBe(candidateVersion);
    expect(await env.cli('canary', 'abort', 'demo')).toMatchObject({ code: 2, err: expect.stringMatching(/CANARY_NOT_RUNNING/) });
    expect((await env.cli('canary', 'status')).out).toBe('no canaries');
  });

  it('tries a candidate on one number only', async () => {
    await env.cli('numbers', 'assign', '+15550005555', 'demo');
    const res = await env.cli('canary', 'start', 'demo', '--from', env.candidate('Only on the new line.'), '--percent', '100', '--number', '+15550005555');
    expect(res.code).toBe(0);
    const version = /candidate ([0-9a-f]+)/.exec(res.out)![1]!;
    await eventually(() => a.catalog.byNumber('+15550005555', sid(1))?.version === version, 'the number canary', 5000);
    expect(a.catalog.byNumber(DEMO_NUMBER, sid(1))!.version).toBe(liveVersion);
    await env.cli('canary', 'abort', 'demo');
  });
});
