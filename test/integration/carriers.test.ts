/**
 * "Adding a carrier is one folder plus one registration line": a carrier defined only in this
 * test (test/fakes/fakeCarrier.ts: its own wire format, stream path, upgrade token, webhooks,
 * media format and call control) is registered beside Twilio, and with no change to server or
 * runtime code the gateway mounts its routes and stream path, its calls reach the handler with
 * its name, and the runtime frames audio and hangs up through it.
 */
import { once } from 'node:events';
import WebSocket from 'ws';
import { createGateway, type Gateway } from '../../src/server/index.js';
import { CARRIERS, createCarriers, type Carrier } from '../../src/telephony/index.js';
import { FakeCallHandler } from '../fakes/callHandler.js';
import { createFakeCarrier, FAKE_MEDIA, FAKE_PATHS, fakeCarrier, type FakeCarrier } from '../fakes/fakeCarrier.js';
import { eventually, startHarness, RT_NUMBER, type Harness } from './realtimeHarness.js';
import { DEMO_NUMBER, fixtureCatalog, postForm, request, type FixtureCatalog } from './serverHelpers.js';
import { httpSend } from '../../src/telephony/http.js';

const TOKEN = 'fake-carrier-token';

async function postJson(url: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await httpSend({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, text: res.text };
}

function upgradeStatus(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    let answered = false;
    ws.on('unexpected-response', (_req, res) => {
      answered = true;
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
        ws.terminate();
      });
    });
    ws.on('error', (err) => { if (!answered) reject(err); });
  });
}

/** The fake carrier's side of a call: its webhook, then its media socket. */
async function placeFakeCall(baseUrl: string, id: string, to: string, token = TOKEN): Promise<{ ws: WebSocket; received: Array<Record<string, string>>; params: Record<string, string> }> {
  const answer = await postJson(`${baseUrl}${FAKE_PATHS.calls}`, { id, to, from: '+15550001234' });
  expect(answer.status).toBe(200);
  const body = JSON.parse(answer.text) as { action: string; url: string; params: Record<string, string> };
  expect(body.action).toBe('stream');
  expect(new URL(body.url).pathname).toBe(FAKE_PATHS.stream);
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${FAKE_PATHS.stream}?token=${token}`);
  const received: Array<Record<string, string>> = [];
  ws.on('message', (d) => received.push(JSON.parse(d.toString()) as Record<string, string>));
  await once(ws, 'open');
  ws.send(JSON.stringify({ t: 'hello', call: id, stream: `FS${id}`, params: body.params }));
  return { ws, received, params: body.params };
}

describe('a carrier registered beside Twilio, served by the unchanged gateway', () => {
  let fixture: FixtureCatalog;
  let handler: FakeCallHandler;
  let gateway: Gateway;
  let url: string;
  beforeAll(async () => {
    fixture = fixtureCatalog();
    handler = new FakeCallHandler();
    const carriers = createCarriers({ publicUrl: 'https://gw.example.test', env: { FAKE_CARRIER_TOKEN: TOKEN } }, [...CARRIERS, fakeCarrier]);
    expect(carriers.map((c) => c.name)).toEqual(['twilio', 'webrtc', 'chat', 'fake']);
    gateway = createGateway({ catalog: fixture.catalog, handler, carriers });
    url = `http://127.0.0.1:${(await gateway.listen(0, '127.0.0.1')).port}`;
  });
  afterAll(async () => {
    await gateway.close('test over');
    fixture.cleanup();
  });

  it('prepares a call from its webhook and attaches its stream, both named for the carrier', async () => {
    const { ws, received, params } = await placeFakeCall(url, 'F100', DEMO_NUMBER);
    const version = fixture.catalog.get('demo')!.version;
    expect(params).toEqual({ callSid: 'F100', vertical: 'demo', version });
    expect(handler.prepared.get('F100')).toMatchObject({ carrier: 'fake', callSid: 'F100', to: DEMO_NUMBER });
    expect(handler.prepared.get('F100')!.vertical.id).toBe('demo');

    ws.send(JSON.stringify({ t: 'audio', b64: Buffer.alloc(FAKE_MEDIA.frameBytes, 0xff).toString('base64') }));
    await handler.until(() => handler.calls.some((c) => c.start?.callSid === 'F100' && c.events.length === 1));
    const call = handler.calls.find((c) => c.start?.callSid === 'F100')!;
    expect(call.connection.carrier).toBe('fake');
    expect(call.start).toMatchObject({ streamSid: 'FSF100', customParameters: params });
    // The handler's greeting leaves in the fake carrier's wire format.
    while (received.length < 2) await once(ws, 'message');
    expect(received.map((m) => m.t)).toEqual(['play', 'mark']);
    expect(received[0]!.stream).toBe('FSF100');
    ws.send(JSON.stringify({ t: 'bye' }));
    await once(ws, 'close');
  });

  it('refuses its stream upgrade with its own check, and answers 404 on paths nobody owns', async () => {
    const bad = await upgradeStatus(`${url.replace(/^http/, 'ws')}${FAKE_PATHS.stream}?token=wrong`);
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body).error.code).toBe('FAKE_TOKEN_INVALID');
    expect((await upgradeStatus(`${url.replace(/^http/, 'ws')}/fake/elsewhere`)).status).toBe(404);
  });

  it('forwards its status reports normalised, once each', async () => {
    for (let i = 0; i < 2; i++) expect((await postJson(`${url}${FAKE_PATHS.events}`, { id: 'F200', state: 'ended' })).status).toBe(204);
    expect(handler.statusCallbacks.filter((r) => r.callSid === 'F200')).toEqual([
      { carrier: 'fake', callSid: 'F200', status: 'ended', ended: true, outcome: 'completed' },
    ]);
  });

  it('still serves Twilio on the same gateway, and /healthz lists both carriers', async () => {
    const res = await postForm(`${url}/twilio/voice`, { CallSid: 'CA900', To: DEMO_NUMBER });
    expect(res.text).toContain('<Connect><Stream url="wss://gw.example.test/twilio/stream">');
    expect(handler.prepared.get('CA900')!.carrier).toBe('twilio');
    const health = (await request(`${url}/healthz`)).json() as { signatureCheck: boolean; carriers: Array<{ name: string; signatureCheck: boolean }> };
    expect(health.carriers).toEqual([{ name: 'twilio', signatureCheck: false }, { name: 'webrtc', signatureCheck: false }, { name: 'chat', signatureCheck: false }, { name: 'fake', signatureCheck: true }]);
    expect(health.signatureCheck).toBe(false);
  });

  it('refuses a second registration of a name or a stream path', () => {
    const fake = createFakeCarrier({ publicUrl: 'http://x' });
    expect(() => createGateway({ catalog: fixture.catalog, handler, carriers: [fake, fake] })).toThrow(/registered twice/);
    const samePath: Carrier = { ...fake, name: 'other', serializer: { ...fake.serializer, carrier: 'other' } };
    expect(() => createGateway({ catalog: fixture.catalog, handler, carriers: [fake, samePath] })).toThrow(/already taken/);
  });
});

describe('the runtime serves a call on the carrier it came in on', () => {
  let h: Harness;
  let fake: FakeCarrier;
  beforeAll(async () => {
    fake = createFakeCarrier({ publicUrl: 'http://127.0.0.1:1', env: { FAKE_CARRIER_TOKEN: TOKEN } });
    h = await startHarness({ carriers: [fake], audio: 'pcmu' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('frames the greeting in the carrier\'s media format and hangs up through its call control', async () => {
    const { ws, received } = await placeFakeCall(h.baseUrl, 'F300', RT_NUMBER);
    // Acknowledge marks as they come, like a carrier that played the audio.
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { t: string; name?: string };
      if (m.t === 'mark') ws.send(JSON.stringify({ t: 'ack', mark: m.name }));
    });
    await eventually(async () => received.filter((m) => m.t === 'play').length >= 10, 'greeting frames');
    const plays = received.filter((m) => m.t === 'play');
    for (const p of plays) expect(Buffer.from(p.b64!, 'base64').length).toBe(FAKE_MEDIA.frameBytes);

    const session = h.manager.get('F300');
    expect(session).toBeDefined();
    await session!.hangUpNow(undefined, 'agent_hangup');
    expect(fake.callControl.requests).toEqual([{ kind: 'hangup', callSid: 'F300' }]);
    expect(h.twilio.requests.filter((r) => r.callSid === 'F300')).toEqual([]);
    const row = await eventually(async () => {
      const r = await h.store.calls.getBySid('F300');
      return r?.endedAt ? r : undefined;
    }, 'finalised call row');
    expect(row.endReason).toBe('agent_hangup');
    ws.terminate();
  }, 30_000);
});
