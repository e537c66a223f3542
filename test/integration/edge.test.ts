/**
 * Malformed carrier input against the real runtime: bad JSON, unknown events, bad base64,
 * oversized frames, media before `start` and a second `start` on one call never crash the
 * process, that call, or a neighbouring call that the simulator drives through a scenario.
 */
import { once } from 'node:events';
import WebSocket from 'ws';
import { runScenarios, formatChecks } from '../../src/simulator/index.js';
import { httpSend } from '../../src/telephony/http.js';
import { eventually, rtScenario, startHarness, RT_NUMBER, type Harness } from './realtimeHarness.js';

const scenarios = [
  rtScenario('neighbour', `
caller: { to: "${RT_NUMBER}" }
opening:
  - say: Hello, thanks for calling the test line.
turns:
  - caller: When are you open on monday?
    agent:
      - call: { tool: rt_lookup, args: { day: monday } }
      - say: We are open nine to five.
  - caller: Thank you.
    agent:
      - say: You're welcome.
hangUpAfterMs: 300
expect:
  tools: [{ name: rt_lookup, args: { day: monday } }]
  agentSays: [nine to five]
  end: { by: caller }
`),
];

const frame = Buffer.alloc(160, 0xff).toString('base64');
const media = (payload = frame) => `{"event":"media","media":{"track":"inbound","payload":"${payload}"}}`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ scenarios });
});
afterAll(async () => {
  await h?.close();
});

async function openAbusiveCall(callSid: string): Promise<{ ws: WebSocket; received: string[]; params: Record<string, string> }> {
  const hook = await httpSend({
    method: 'POST',
    url: `${h.baseUrl}/twilio/voice`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ CallSid: callSid, To: RT_NUMBER, From: '+15550001234' }).toString(),
  });
  const params: Record<string, string> = {};
  for (const m of hook.text.matchAll(/<Parameter name="([^"]+)" value="([^"]*)"\/>/g)) params[m[1]!] = m[2]!;
  const ws = new WebSocket(`${h.baseUrl.replace(/^http/, 'ws')}/twilio/stream`);
  const received: string[] = [];
  ws.on('message', (d) => received.push(d.toString()));
  await once(ws, 'open');
  return { ws, received, params };
}

const startMsg = (callSid: string, params: Record<string, string>) => JSON.stringify({
  event: 'start', sequenceNumber: '1', streamSid: `MZ${callSid}`,
  start: { streamSid: `MZ${callSid}`, callSid, accountSid: 'AC' + '0'.repeat(32), tracks: ['inbound'], mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 }, customParameters: params },
});

describe('malformed carrier input against the real runtime', () => {
  it('leaves the abused call, its neighbour and the process running', async () => {
    const bad = await openAbusiveCall('CAabuse0000000000000000000000000001');
    bad.ws.send(media());                                        // media before start
    bad.ws.send('{"event":"mark","mark":{"name":"early"}}');      // mark before start
    bad.ws.send(startMsg('CAabuse0000000000000000000000000001', bad.params));

    // The neighbour runs its whole scenario while the abuse goes on.
    const neighbour = runScenarios(scenarios, {
      gatewayUrl: h.baseUrl, speed: 4, store: h.store, verticalsDir: '/nonexistent', agentsDir: '/nonexistent',
    });
    const abuse = (async () => {
      for (let i = 0; i < 200 && bad.ws.readyState === WebSocket.OPEN; i++) {
        bad.ws.send('{"event":');                                    // bad JSON
        bad.ws.send('not json at all');
        bad.ws.send('{"event":"banana","banana":{}}');               // unknown event
        bad.ws.send(media('@@@@'));                                  // bad base64
        bad.ws.send(media(Buffer.alloc(5000).toString('base64')));   // oversized frame
        bad.ws.send(startMsg('CAabuse0000000000000000000000000001', bad.params)); // second start
        bad.ws.send('{"event":"media","media":{}}');                 // missing payload
        bad.ws.send(Buffer.from([0, 1, 2, 3]), { binary: true });
        bad.ws.send(media());
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const [[run]] = await Promise.all([neighbour, abuse]);
    if (!run!.ok) throw new Error(`neighbour failed:\n${run!.error ?? ''}\n${formatChecks(run!.checks)}`);

    // The abused call is still up and still being served (its greeting reached it).
    expect(bad.ws.readyState).toBe(WebSocket.OPEN);
    await eventually(async () => bad.received.some((m) => m.includes('"event":"media"')), 'greeting audio on the abused call');
    const health = await httpSend({ url: `${h.baseUrl}/healthz` });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text).activeCalls).toBeGreaterThanOrEqual(1);

    // A message beyond the socket limit closes only that call's socket; its row is finalised.
    const closed = once(bad.ws, 'close');
    bad.ws.send('x'.repeat(80 * 1024));
    expect((await closed)[0]).toBe(1009);
    const call = await eventually(async () => {
      const c = await h.store.calls.getBySid('CAabuse0000000000000000000000000001');
      return c && c.status !== 'in_progress' ? c : null;
    }, 'the abused call finalised');
    expect(call.endReason).toBeTruthy();
    expect((await httpSend({ url: `${h.baseUrl}/healthz` })).status).toBe(200);
  }, 90_000);
});
