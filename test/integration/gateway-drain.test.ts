/**
 * Graceful drain of `npm start` (npm → node, signals to the whole process group, as a container
 * runtime or a terminal sends them): readiness fails while liveness holds, a new call gets the
 * vertical's overflow answer, the live call runs on to its end, then the process exits 0.
 */
import { request } from './serverHelpers.js';
import { newCallSid, startGatewayProcess, voiceWebhook, type GatewayProcess } from './gatewayProcess.js';
import { TwilioCaller } from './twilioCaller.js';

const NUMBER = '+15550001111';

let gw: GatewayProcess | undefined;
afterEach(async () => {
  await gw?.cleanup();
  gw = undefined;
});

it('drains on SIGTERM: readyz 503, livez 200, overflow for new calls, the live call runs to its end, exit 0', async () => {
  gw = await startGatewayProcess({ manifestExtra: 'overflow:\n  policy: reject\n' });
  const { baseUrl } = gw;
  expect((await request(`${baseUrl}/readyz`)).status).toBe(200);
  const caller = await TwilioCaller.place({ baseUrl, to: NUMBER, speed: 4 });
  await caller.waitFor(() => caller.media().length > 10, 'greeting audio', 30_000);
  await caller.waitPlayed(30_000);

  gw.signalGroup('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  expect(gw.child.exitCode).toBeNull();
  expect((await request(`${baseUrl}/readyz`)).status).toBe(503);
  const live = await request(`${baseUrl}/livez`);
  expect([live.status, live.json()]).toEqual([200, { status: 'live', draining: true }]);
  const late = await voiceWebhook(baseUrl, newCallSid(), NUMBER);
  expect(late.twiml).toContain('<Reject reason="busy"/>');

  // The live call goes on: the caller speaks and is answered after the signal.
  const heard = caller.media().length;
  await caller.say('Hi, what are your opening hours?');
  await caller.waitFor(() => caller.media().length > heard + 10, 'an answer during the drain', 30_000);
  expect(caller.closed).toBe(false);
  await caller.hangUp();

  const { code } = await gw.exited(30_000);
  expect({ code, closed: gw.output().includes('gateway closed') }).toEqual({ code: 0, closed: true });
  const rows = await gw.query<{ call_sid: string; end_reason: string; status: string }>('SELECT call_sid, end_reason, status FROM calls');
  expect(rows).toEqual([{ call_sid: caller.callSid, end_reason: 'caller_hangup', status: 'completed' }]);
}, 180_000);

it('hears the goodbye when the drain time is up', async () => {
  gw = await startGatewayProcess({ env: { SWITCHBOARD_DRAIN_TIMEOUT_MS: '1000' } });
  const caller = await TwilioCaller.place({ baseUrl: gw.baseUrl, to: NUMBER, speed: 4 });
  await caller.waitFor(() => caller.media().length > 10, 'greeting audio', 30_000);
  await caller.waitPlayed(30_000);
  const heard = caller.media().length;
  gw.signalGroup('SIGTERM');
  const { code } = await gw.exited(45_000);
  expect(code).toBe(0);
  expect(caller.media().length).toBeGreaterThan(heard + 10);
  const rows = await gw.query<{ end_reason: string }>('SELECT end_reason FROM calls');
  expect(rows).toEqual([{ end_reason: 'drain_timeout' }]);
}, 180_000);
