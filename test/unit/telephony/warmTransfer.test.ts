/**
 * The Twilio side of a warm transfer against the fake Twilio API, with signatures checked: the
 * person's leg is placed through the Calls API with the briefing in a one-key <Gather>, its
 * signed status callbacks and key press reach the gateway's transfer routes and come out as
 * leg events; unsigned callbacks are refused.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createTwilioCarrier, TRANSFER_PATHS, type CarrierCallPort, type HumanLegEvent, type WarmTransferControl } from '../../../src/telephony/index.js';
import { startFakeTwilioApi, type FakeTwilioApi } from '../../fakes/index.js';

const ACCOUNT = 'AC' + 'b'.repeat(32);
const TOKEN = 'transfer-token';

describe('Twilio warm transfer', () => {
  let api: FakeTwilioApi;
  let server: Server;
  let base: string;
  let warm: WarmTransferControl;
  const counts: string[] = [];

  beforeAll(async () => {
    api = await startFakeTwilioApi({ accountSid: ACCOUNT, authToken: TOKEN });
    const app = express();
    let router: express.Router | undefined;
    app.use((req, res, next) => (router ? router(req, res, next) : next()));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const carrier = createTwilioCarrier({ publicUrl: base, accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: api.url, rest: { retries: 0 } });
    const port: CarrierCallPort = {
      admit: () => ({ kind: 'refused' }), statusChanged: async () => true, count: (route, outcome) => void counts.push(`${route}:${outcome}`),
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
    };
    router = carrier.webhooks(port);
    warm = carrier.warmTransfer!;
    expect(carrier.recording).toBeDefined();
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await api.close();
  });

  function dial(to: string): Promise<{ events: HumanLegEvent[]; legSid: string; done: Promise<void> }> {
    const events: HumanLegEvent[] = [];
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    return warm.dialHuman({
      room: 'sb-room', to, from: '+15550100000', briefing: 'The caller needs a refund.', ringTimeoutSec: 7,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'accepted' || e.type === 'ended') finish();
      },
    }).then(({ legSid }) => ({ events, legSid, done }));
  }

  it('places the leg with the briefing, ring timeout and status callbacks, and joins the room when the person presses 1', async () => {
    api.voice.scripts.set('+15550100001', { outcome: 'answer', ringMs: 20 });
    const { events, legSid, done } = await dial('+15550100001');
    await done;
    expect(events.map((e) => e.type)).toEqual(['ringing', 'answered', 'accepted']);
    const create = api.requests.find((r) => r.kind === 'call_create')!;
    expect(create.form).toMatchObject({ To: '+15550100001', From: '+15550100000', Timeout: '7', StatusCallbackMethod: 'POST' });
    expect(create.form.Twiml).toContain('<Say>The caller needs a refund.</Say>');
    expect(create.form.StatusCallback).toMatch(new RegExp(`^${base}${TRANSFER_PATHS.status}\\?leg=[0-9a-f-]{36}$`));
    // Every callback passed the signature check.
    expect(api.voice.callbacks.every((c) => c.status === 204 || c.status === 200)).toBe(true);
    // The key press was answered with the room (the fake joins it once it has read the answer).
    for (let i = 0; i < 100 && !api.voice.conferences.get('sb-room'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(api.voice.conferences.get('sb-room')?.participants.map((p) => p.callSid)).toEqual([legSid]);
  });

  it.each([
    ['busy', 'busy'], ['no-answer', 'no_answer'], ['failed', 'failed'], ['decline', 'declined'], ['silent', 'declined'],
  ] as const)('reports a leg that ends without taking the call (%s → %s)', async (outcome, failure) => {
    const to = `+1555010${String(Math.floor(Math.random() * 9000) + 1000)}`;
    api.voice.scripts.set(to, { outcome, ringMs: 20 });
    const { events, done } = await dial(to);
    await done;
    expect(events.at(-1)).toEqual({ type: 'ended', failure });
  });

  it('refuses unsigned or wrongly signed callbacks (403) and ignores legs it does not know', async () => {
    const url = `${base}${TRANSFER_PATHS.status}?leg=${randomUUID()}`;
    const body = new URLSearchParams({ CallSid: 'CA1', CallStatus: 'ringing' }).toString();
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(unsigned.status).toBe(403);
    const forged = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bm9wZQ==' }, body });
    expect(forged.status).toBe(403);
    expect(counts).toContain('transfer_status:bad_signature');
  });
});
