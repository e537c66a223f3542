/**
 * `switchboard numbers` against real Postgres and Redis and the fake Twilio API: assignments
 * reach every gateway instance (at once through Redis, within the refresh period without it),
 * conflicts and bad input are refused with nothing written, and `sync` points the account's
 * numbers at PUBLIC_URL.
 */
import { DEMO_NUMBER, OTHER_NUMBER, PUBLIC_URL, eventually, openRoutingEnv, type Instance, type RoutingEnv } from './routingHarness.js';

const NEW_NUMBER = '+15550003333';
let env: RoutingEnv;
let pushedA: Instance;
let pushedB: Instance;
let polled: Instance;

beforeAll(async () => {
  env = await openRoutingEnv();
  // A and B would poll only once a minute: a change they see within seconds came through Redis.
  pushedA = await env.instance({ redis: true, refreshMs: 60_000 });
  pushedB = await env.instance({ redis: true, refreshMs: 60_000 });
  polled = await env.instance({ redis: false, refreshMs: 200 });
});
afterAll(async () => {
  await env.close();
});

const ringsOn = (inst: Instance, number: string): string | undefined => inst.catalog.byNumber(number)?.id;
const everywhere = (number: string, vertical: string | undefined) =>
  eventually(() => [pushedA, pushedB, polled].every((i) => ringsOn(i, number) === vertical), `${number} → ${vertical ?? 'nothing'} on every instance`, 5000);

describe('switchboard numbers', () => {
  it('lists the manifests\' numbers', async () => {
    const res = await env.cli('numbers', 'list', '--json');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.out)).toEqual([
      { number: DEMO_NUMBER, vertical: 'demo', source: 'manifest' },
      { number: OTHER_NUMBER, vertical: 'other', source: 'manifest' },
    ]);
  });

  it('assigns a number and every instance routes it without a restart', async () => {
    expect(ringsOn(pushedA, NEW_NUMBER)).toBeUndefined();
    const res = await env.cli('numbers', 'assign', NEW_NUMBER, 'demo');
    expect(res).toMatchObject({ code: 0, out: expect.stringMatching(/\+15550003333 → demo: every gateway applies it now \(pushed through Redis\)/) });
    await everywhere(NEW_NUMBER, 'demo');
    expect((await env.cli('numbers', 'assign', NEW_NUMBER, 'demo')).out).toMatch(/already rings demo/);
  });

  it('refuses to take a number assigned elsewhere unless told to move it', async () => {
    const res = await env.cli('numbers', 'assign', NEW_NUMBER, 'other');
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/NUMBER_ASSIGNED_ELSEWHERE: \+15550003333 is assigned to "demo"; release it first, or pass --move/);
    expect((await env.store.phoneNumbers.get(NEW_NUMBER))?.vertical).toBe('demo');
    const moved = await env.cli('numbers', 'assign', NEW_NUMBER, 'other', '--move');
    expect(moved.code).toBe(0);
    await everywhere(NEW_NUMBER, 'other');
  });

  it('overrides a manifest\'s number and gives it back on release', async () => {
    const res = await env.cli('numbers', 'assign', DEMO_NUMBER, 'other');
    expect(res.out).toMatch(/overrides demo's manifest/);
    await everywhere(DEMO_NUMBER, 'other');
    const list = await env.cli('numbers', 'list');
    expect(list.out).toMatch(new RegExp(`\\${DEMO_NUMBER}\\s+other\\s+assigned\\s+moved from demo's manifest`));
    const released = await env.cli('numbers', 'release', DEMO_NUMBER);
    expect(released.out).toMatch(/released from other; it rings demo again/);
    await everywhere(DEMO_NUMBER, 'demo');
  });

  it('refuses bad input with a coded error and writes nothing', async () => {
    const before = await env.store.phoneNumbers.list();
    const notE164 = await env.cli('numbers', 'assign', '415-555-0100', 'demo');
    expect(notE164).toMatchObject({ code: 2, err: expect.stringMatching(/NUMBER_NOT_E164: "415-555-0100" is not an E\.164 number/) });
    const unknown = await env.cli('numbers', 'assign', '+15550004444', 'nosuch');
    expect(unknown).toMatchObject({ code: 2, err: expect.stringMatching(/VERTICAL_UNKNOWN: no vertical "nosuch" \(known: demo, other/) });
    const notAssigned = await env.cli('numbers', 'release', OTHER_NUMBER);
    expect(notAssigned).toMatchObject({ code: 2, err: expect.stringMatching(/NUMBER_NOT_ASSIGNED: .*that vertical's manifest lists it/) });
    expect(await env.store.phoneNumbers.list()).toEqual(before);
  });
});

describe('switchboard numbers sync', () => {
  let demoSid: string;
  let newSid: string;
  let strangerSid: string;
  beforeAll(() => {
    env.twilio.maxPageSize = 2;
    demoSid = env.twilio.addNumber(DEMO_NUMBER);
    newSid = env.twilio.addNumber(NEW_NUMBER, { voice_url: 'https://old.example/voice', voice_method: 'GET' });
    strangerSid = env.twilio.addNumber('+15559990000');
  });
  const updates = () => env.twilio.requests.filter((r) => r.kind === 'number_update');

  it('shows the plan in a dry run and changes nothing', async () => {
    const res = await env.cli('numbers', 'sync', '--dry-run');
    expect(res.code).toBe(0);
    expect(res.out).toContain(`voice webhook:   POST ${PUBLIC_URL}/twilio/voice`);
    expect(res.out).toMatch(/would update \+15550001111 \(demo\)/);
    expect(res.out).toMatch(/would update \+15550003333 \(other\): voice URL was https:\/\/old\.example\/voice/);
    expect(res.out).toMatch(/not answered here: \+15559990000/);
    expect(res.err).toMatch(/warning: \+15550002222 \(other\) is not a number of this Twilio account/);
    expect(updates()).toHaveLength(0);
    // Three numbers at two a page: both pages were read.
    expect(env.twilio.requests.filter((r) => r.kind === 'numbers_list')).toHaveLength(2);
  });

  it('refuses credentials Twilio rejects before changing anything', async () => {
    env.settings.twilio.authToken = 'wrong-token';
    try {
      const res = await env.cli('numbers', 'sync');
      expect(res).toMatchObject({ code: 2, err: expect.stringMatching(/TWILIO_AUTH_FAILED: Twilio refused the credentials \(401\)/) });
      expect(updates()).toHaveLength(0);
    } finally {
      env.settings.twilio.authToken = 'routing-test-token';
    }
  });

  it('refuses a PUBLIC_URL Twilio cannot reach', async () => {
    env.settings.publicUrl = 'http://localhost:3000';
    try {
      expect(await env.cli('numbers', 'sync')).toMatchObject({ code: 2, err: expect.stringMatching(/PUBLIC_URL_NOT_PUBLIC/) });
    } finally {
      env.settings.publicUrl = PUBLIC_URL;
    }
  });

  it('points every answered number at PUBLIC_URL, waiting out a 429, and leaves the others alone', async () => {
    env.twilio.failNext(1, 429, undefined, 1);
    const res = await env.cli('numbers', 'sync');
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/done: 2 updated, 0 already in sync, 1 missing from the account, 1 not answered here/);
    for (const sid of [demoSid, newSid]) {
      expect(env.twilio.phoneNumbers.get(sid)).toMatchObject({
        voice_url: `${PUBLIC_URL}/twilio/voice`, voice_method: 'POST', status_callback: `${PUBLIC_URL}/twilio/status`, status_callback_method: 'POST',
      });
    }
    expect(env.twilio.phoneNumbers.get(strangerSid)!.voice_url).toBe('https://demo.twilio.com/welcome/voice/');
    const again = await env.cli('numbers', 'sync', '--json');
    const plan = JSON.parse(again.out) as { update: unknown[]; inSync: Array<{ number: string }> };
    expect(plan.update).toEqual([]);
    expect(plan.inSync.map((n) => n.number)).toEqual([DEMO_NUMBER, NEW_NUMBER]);
  });

  it('says which numbers were done when Twilio fails one midway', async () => {
    for (const sid of [demoSid, newSid]) env.twilio.phoneNumbers.get(sid)!.voice_url = 'https://elsewhere.example/voice';
    // The number was released from the account between the list and its update: Twilio answers 404.
    env.twilio.failMatching((r) => r.kind === 'number_update' && r.path.includes(newSid), 404, 20404);
    const res = await env.cli('numbers', 'sync');
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/updating \+15550003333 failed \(TWILIO_NOT_FOUND: .*\); updated before it: \+15550001111\. Run the command again to finish\./);
    expect((await env.cli('numbers', 'sync')).out).toMatch(/done: 1 updated, 1 already in sync/);
  });
});
