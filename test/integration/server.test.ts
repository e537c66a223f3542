import { once } from 'node:events';
import WebSocket from 'ws';
import { createGateway, type Gateway } from '../../src/server/index.js';
import { computeTwilioSignature } from '../../src/telephony/twilio/signature.js';
import { CARRIER_ERROR } from '../../src/telephony/errors.js';
import { createTwilioCarrier } from '../../src/telephony/index.js';
import { setEdgeLatencySource } from '../../src/observability/metrics.js';
import { FakeCallHandler } from '../fakes/callHandler.js';
import { DEMO_NUMBER, OTHER_NUMBER, fixtureCatalog, postForm, request, type FixtureCatalog } from './serverHelpers.js';

const frame = Buffer.alloc(160, 0x55).toString('base64');
const media = (payload = frame) => `{"event":"media","media":{"payload":"${payload}"}}`;
const startMsg = (callSid: string, params: Record<string, string> = {}) =>
  JSON.stringify({ event: 'start', start: { streamSid: `MZ${callSid}`, callSid, tracks: ['inbound'], mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 }, customParameters: params } });

interface Running {
  gateway: Gateway;
  handler: FakeCallHandler;
  url: string;
  wsUrl: string;
}

/** What Twilio sees and signs: a public https URL in front of the loopback listener. */
const PUBLIC_URL = 'https://gw.example.test';
const PUBLIC_WSS = 'wss://gw.example.test/twilio/stream';

async function startGateway(fixture: FixtureCatalog, over: { twilioAuthToken?: string; adminToken?: string } = {}): Promise<Running> {
  const handler = new FakeCallHandler();
  const gateway = createGateway({
    catalog: fixture.catalog,
    handler,
    carriers: [createTwilioCarrier({ publicUrl: PUBLIC_URL, authToken: over.twilioAuthToken ?? null })],
    adminToken: over.adminToken ?? null,
    engine: 'fake',
  });
  const { port } = await gateway.listen(0, '127.0.0.1');
  return { gateway, handler, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/twilio/stream` };
}

async function openStream(wsUrl: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl, { headers });
  await once(ws, 'open');
  return ws;
}

function upgradeStatus(wsUrl: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', (err) => { if (!/Unexpected server response/.test(err.message)) reject(err); });
  });
}

describe('gateway without a Twilio token', () => {
  let fixture: FixtureCatalog;
  let run: Running;
  beforeAll(async () => {
    fixture = fixtureCatalog();
    run = await startGateway(fixture);
  });
  afterAll(async () => {
    await run.gateway.close('test over');
    fixture.cleanup();
  });

  it('reports health with every vertical and its version', async () => {
    const res = await request(`${run.url}/healthz`);
    expect(res.status).toBe(200);
    const body = (res.json()) as { status: string; verticals: Array<{ id: string; version: string }>; activeCalls: number };
    expect(body.status).toBe('ok');
    expect(body.verticals.map((v) => v.id)).toEqual(['demo', 'other']);
    expect(body.verticals[0]!.version).toBe(fixture.catalog.get('demo')!.version);
    expect(body.activeCalls).toBe(0);
  });

  it('answers a call to a vertical\'s number with a stream carrying call, vertical, version and scenario', async () => {
    const res = await postForm(`${run.url}/twilio/voice`, { CallSid: 'CA100', From: '+15559990000', To: DEMO_NUMBER, 'X-Switchboard-Scenario': 'demo/book' });
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/xml/);
    const version = fixture.catalog.get('demo')!.version;
    expect(res.text).toContain(`<Connect><Stream url="${PUBLIC_WSS}">`);
    expect(res.text).toContain('<Parameter name="callSid" value="CA100"/>');
    expect(res.text).toContain('<Parameter name="vertical" value="demo"/>');
    expect(res.text).toContain(`<Parameter name="version" value="${version}"/>`);
    expect(res.text).toContain('<Parameter name="scenario" value="demo/book"/>');
    const prepared = run.handler.prepared.get('CA100');
    expect(prepared?.carrier).toBe('twilio');
    expect(prepared?.vertical.id).toBe('demo');
    expect(prepared?.scenario).toBe('demo/book');
    expect(prepared?.to).toBe(DEMO_NUMBER);
  });

  it('apologises and hangs up for a number no vertical claims (never a 500)', async () => {
    const res = await postForm(`${run.url}/twilio/voice`, { CallSid: 'CA101', To: '+15550009999' });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<Say>.*<\/Say><Hangup\/><\/Response>$/);
    const noTo = await postForm(`${run.url}/twilio/voice`, { CallSid: 'CA102' });
    expect(noTo.status).toBe(200);
    expect(noTo.text).toContain('<Hangup/>');
    expect(run.handler.prepared.has('CA101')).toBe(false);
  });

  it('apologises when the handler refuses to prepare the call', async () => {
    run.handler.refusePrepare = new Error('at capacity');
    try {
      const res = await postForm(`${run.url}/twilio/voice`, { CallSid: 'CA103', To: DEMO_NUMBER });
      expect(res.status).toBe(200);
      expect(res.text).toContain('can&apos;t take your call');
    } finally {
      run.handler.refusePrepare = null;
    }
  });

  it('refuses a webhook without a CallSid with a coded 400', async () => {
    const res = await postForm(`${run.url}/twilio/voice`, { To: DEMO_NUMBER });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error.code).toBe('BAD_REQUEST');
  });

  it('forwards each status callback once, however often Twilio repeats it', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await postForm(`${run.url}/twilio/status`, { CallSid: 'CA200', CallStatus: 'completed', CallDuration: '42' });
      expect(res.status).toBe(204);
    }
    await Promise.all([1, 2, 3].map(() => postForm(`${run.url}/twilio/status`, { CallSid: 'CA201', CallStatus: 'completed' })));
    await postForm(`${run.url}/twilio/status`, { CallSid: 'CA200', CallStatus: 'failed' });
    await postForm(`${run.url}/twilio/status`, { CallSid: 'CA202', CallStatus: 'ringing' });
    expect(run.handler.statusCallbacks).toEqual([
      { carrier: 'twilio', callSid: 'CA200', status: 'completed', ended: true, outcome: 'completed', durationSec: 42 },
      { carrier: 'twilio', callSid: 'CA201', status: 'completed', ended: true, outcome: 'completed' },
      { carrier: 'twilio', callSid: 'CA200', status: 'failed', ended: true, outcome: 'failed' },
      { carrier: 'twilio', callSid: 'CA202', status: 'ringing', ended: false },
    ]);
  });

  it('hands a media stream to the call handler, which talks back in Twilio\'s format', async () => {
    const ws = await openStream(run.wsUrl);
    const got: string[] = [];
    ws.on('message', (d) => got.push(d.toString()));
    ws.send('{"event":"connected","protocol":"Call","version":"1.0.0"}');
    ws.send(startMsg('CA300', { vertical: 'demo' }));
    ws.send(media());
    await run.handler.until(() => run.handler.calls.some((c) => c.start?.callSid === 'CA300' && c.events.length === 1));
    while (got.length < 2) await once(ws, 'message');
    expect(got.map((m) => JSON.parse(m).event)).toEqual(['media', 'mark']);
    const health = ((await request(`${run.url}/healthz`)).json()) as { activeCalls: number; activeByVertical: Record<string, number> };
    expect(health.activeCalls).toBe(1);
    expect(health.activeByVertical).toEqual({ demo: 1 });
    ws.send('{"event":"stop","stop":{}}');
    await once(ws, 'close');
  });

  it('survives malformed input on one call while a neighbouring call carries on', async () => {
    const bad = await openStream(run.wsUrl);
    const good = await openStream(run.wsUrl);
    bad.send(media());                                   // media before start
    bad.send(startMsg('CA400'));
    good.send(startMsg('CA401'));
    await run.handler.until(() => run.handler.calls.filter((c) => c.start && ['CA400', 'CA401'].includes(c.start.callSid)).length === 2);
    const badCall = run.handler.calls.find((c) => c.start?.callSid === 'CA400')!;
    const goodCall = run.handler.calls.find((c) => c.start?.callSid === 'CA401')!;
    for (let i = 0; i < 20; i++) {
      bad.send('{"event":');                              // bad JSON
      bad.send('{"event":"banana"}');                     // unknown event
      bad.send(media('***='));                            // bad base64
      bad.send(media(Buffer.alloc(6000).toString('base64'))); // oversized frame
      bad.send(startMsg('CA400'));                        // second start
      good.send(media());
    }
    bad.send(media());
    await run.handler.until(() => goodCall.events.length === 20 && badCall.events.length === 1);
    expect(new Set(badCall.errors.map((e) => e.code))).toEqual(new Set([
      CARRIER_ERROR.beforeStart, CARRIER_ERROR.badJson, CARRIER_ERROR.unknownEvent, CARRIER_ERROR.badBase64, CARRIER_ERROR.frameTooLarge, CARRIER_ERROR.duplicateStart,
    ]));
    expect(goodCall.errors).toEqual([]);
    expect(bad.readyState).toBe(WebSocket.OPEN);
    // A message beyond the socket limit closes only that socket.
    const closed = once(bad, 'close');
    bad.send('x'.repeat(70 * 1024));
    expect((await closed)[0]).toBe(1009);
    good.send(media());
    await run.handler.until(() => goodCall.events.length === 21);
    expect((await request(`${run.url}/healthz`)).status).toBe(200);
    good.close();
    await once(good, 'close');
  });

  it('refuses an upgrade on any other path', async () => {
    expect(await upgradeStatus(run.wsUrl.replace('/twilio/stream', '/elsewhere'))).toBe(404);
  });

  it('serves Prometheus metrics', async () => {
    setEdgeLatencySource(() => ({
      inboundMs: { p50: 0.02, p99: 0.3, count: 10 },
      outboundMs: { p50: 0.05, p99: 0.9, count: 10 },
      clearMs: { p50: 0, p99: 0, count: 0 },
    }));
    const res = await request(`${run.url}/metrics`);
    const text = res.text;
    expect(res.status).toBe(200);
    expect(text).toMatch(/switchboard_carrier_frames_total\{direction="in"\} \d+/);
    expect(text).toContain('switchboard_active_calls');
    expect(text).toMatch(/switchboard_webhooks_total\{route="voice",outcome="unknown_number"\} \d+/);
    expect(text).toContain('switchboard_edge_latency_ms{path="inbound",quantile="0.99"} 0.3');
    expect(text).not.toContain('path="clear"');
  });

  it('answers unknown routes with a coded 404', async () => {
    const res = await request(`${run.url}/nope`);
    expect(res.status).toBe(404);
    expect(((res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('disables the admin API when no ADMIN_TOKEN is set, even for loopback clients', async () => {
    const res = await request(`${run.url}/admin/calls`);
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({ error: { code: 'ADMIN_DISABLED', message: expect.stringMatching(/ADMIN_TOKEN/) } });
    const reload = await request(`${run.url}/admin/reload`, { method: 'POST' });
    expect(reload.status).toBe(403);
  });

  it('names no phone number in /healthz', async () => {
    const res = await request(`${run.url}/healthz`);
    expect(res.text).not.toContain(DEMO_NUMBER);
    expect(res.text).not.toContain(OTHER_NUMBER);
  });
});

describe('gateway with a Twilio token', () => {
  const token = 'twilio-auth-token-for-tests';
  let fixture: FixtureCatalog;
  let run: Running;
  beforeAll(async () => {
    fixture = fixtureCatalog();
    run = await startGateway(fixture, { twilioAuthToken: token });
  });
  afterAll(async () => {
    await run.gateway.close();
    fixture.cleanup();
  });

  const form = { CallSid: 'CA500', From: '+15559990000', To: DEMO_NUMBER };

  it('accepts a correctly signed voice webhook', async () => {
    const sig = computeTwilioSignature(token, `${PUBLIC_URL}/twilio/voice`, form);
    const res = await postForm(`${run.url}/twilio/voice`, form, { 'X-Twilio-Signature': sig });
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Connect><Stream');
  });

  it('refuses a missing or wrong signature with 403', async () => {
    const missing = await postForm(`${run.url}/twilio/voice`, form);
    expect(missing.status).toBe(403);
    expect(JSON.parse(missing.text).error.code).toBe('TWILIO_SIGNATURE_INVALID');
    const wrongToken = computeTwilioSignature('another-token', `${PUBLIC_URL}/twilio/voice`, form);
    expect((await postForm(`${run.url}/twilio/voice`, form, { 'X-Twilio-Signature': wrongToken })).status).toBe(403);
    const tampered = computeTwilioSignature(token, `${PUBLIC_URL}/twilio/voice`, form);
    expect((await postForm(`${run.url}/twilio/voice`, { ...form, To: OTHER_NUMBER }, { 'X-Twilio-Signature': tampered })).status).toBe(403);
    const status = await postForm(`${run.url}/twilio/status`, { CallSid: 'CA500', CallStatus: 'completed' });
    expect(status.status).toBe(403);
    expect(run.handler.statusCallbacks).toEqual([]);
  });

  it('checks the signature of the stream upgrade over the wss URL', async () => {
    expect(await upgradeStatus(run.wsUrl)).toBe(403);
    expect(await upgradeStatus(run.wsUrl, { 'X-Twilio-Signature': computeTwilioSignature('another-token', PUBLIC_WSS) })).toBe(403);
    expect(await upgradeStatus(run.wsUrl, { 'X-Twilio-Signature': computeTwilioSignature(token, PUBLIC_WSS) })).toBe(101);
  });
});

describe('admin API with ADMIN_TOKEN, reload and shutdown', () => {
  const adminToken = 'admin-token-0123456789';
  let fixture: FixtureCatalog;
  let run: Running;
  beforeAll(async () => {
    fixture = fixtureCatalog();
    run = await startGateway(fixture, { adminToken });
  });
  afterAll(async () => {
    await run.gateway.close();
    fixture.cleanup();
  });
  const auth = { authorization: `Bearer ${adminToken}` };

  it('requires the bearer token', async () => {
    expect((await request(`${run.url}/admin/calls`)).status).toBe(401);
    expect((await request(`${run.url}/admin/calls`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await request(`${run.url}/admin/reload`, { method: 'POST' })).status).toBe(401);
    expect((await request(`${run.url}/admin/calls`, { headers: auth })).status).toBe(200);
  });

  it('reloads: new calls get the new version, a live call keeps the one it started with', async () => {
    const v1 = fixture.catalog.get('demo')!.version;
    await postForm(`${run.url}/twilio/voice`, { CallSid: 'CA600', To: DEMO_NUMBER });
    const live = await openStream(run.wsUrl);
    live.send(startMsg('CA600', { callSid: 'CA600', vertical: 'demo', version: v1 }));
    await run.handler.until(() => run.handler.calls.some((c) => c.start?.callSid === 'CA600'));

    fixture.writeVertical('demo', DEMO_NUMBER, 'Be helpful, and mention the new opening hours.');
    const res = await request(`${run.url}/admin/reload`, { method: 'POST', headers: auth });
    expect(res.status).toBe(200);
    const body = (res.json()) as { ok: boolean; changed: Array<{ id: string; from: string; to: string }>; verticals: Array<{ id: string; version: string }> };
    const v2 = fixture.catalog.get('demo')!.version;
    expect(v2).not.toBe(v1);
    expect(body.changed).toEqual([{ id: 'demo', from: v1, to: v2 }]);
    expect(body.verticals).toContainEqual({ id: 'demo', version: v2 });

    const next = await postForm(`${run.url}/twilio/voice`, { CallSid: 'CA601', To: DEMO_NUMBER });
    expect(next.text).toContain(`<Parameter name="version" value="${v2}"/>`);
    expect(run.handler.prepared.get('CA601')!.vertical.version).toBe(v2);
    // The live call's pinned vertical is untouched and its stream is still up.
    expect(run.handler.prepared.get('CA600')!.vertical.version).toBe(v1);
    expect(run.handler.prepared.get('CA600')!.vertical.instructions.get('Front Desk')).toBe('Be helpful.');
    expect(live.readyState).toBe(WebSocket.OPEN);
    live.send(media());
    await run.handler.until(() => run.handler.calls.find((c) => c.start?.callSid === 'CA600')!.events.length === 1);
    live.close();
    await once(live, 'close');
  });

  it('rejects a reload of broken manifests and keeps the running versions', async () => {
    const before = fixture.catalog.get('demo')!.version;
    fixture.writeVertical('demo', 'not-a-number', 'x');
    const res = await request(`${run.url}/admin/reload`, { method: 'POST', headers: auth });
    expect(res.status).toBe(422);
    const body = (res.json()) as { error: { code: string; problems: Array<{ text: string }> } };
    expect(body.error.code).toBe('CATALOG_RELOAD_REJECTED');
    expect(body.error.problems.some((p) => /numbers\[0\]/.test(p.text))).toBe(true);
    expect(fixture.catalog.get('demo')!.version).toBe(before);
  });

  it('shuts down gracefully: the handler ends live calls, new calls are turned away', async () => {
    const ws = await openStream(run.wsUrl);
    ws.send(startMsg('CA700', { vertical: 'demo' }));
    await run.handler.until(() => run.handler.calls.some((c) => c.start?.callSid === 'CA700'));
    const closed = once(ws, 'close');
    await run.gateway.close('SIGTERM');
    expect(run.handler.shutdownReason).toBe('SIGTERM');
    expect((await closed)[0]).toBe(1001);
    expect(run.gateway.draining).toBe(true);
    await expect(request(`${run.url}/healthz`)).rejects.toThrow();
  });
});
