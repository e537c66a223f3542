/**
 * Admission control through the Twilio voice webhook: past `maxCalls` live calls (or while the
 * gateway drains) a call gets its vertical's `overflow` answer, counted in metrics.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGateway, type Gateway } from '../../src/server/index.js';
import { createTwilioCarrier } from '../../src/telephony/index.js';
import { metricsRegistry } from '../../src/observability/index.js';
import { FakeCallHandler } from '../fakes/callHandler.js';
import { demoManifest, fixtureCatalog, postForm, request, type FixtureCatalog } from './serverHelpers.js';

const NUMBERS = { busy: '+15550003001', reject: '+15550003002', dial: '+15550003003', url: '+15550003004', plain: '+15550003005' };
const OVERFLOW = {
  busy: 'overflow:\n  policy: busy_message\n  message: All our stylists are busy. Please call back soon.\n',
  reject: 'overflow:\n  policy: reject\n',
  dial: 'overflow:\n  policy: redirect\n  number: "+15550009999"\n  message: Connecting you to our partner line.\n',
  url: 'overflow:\n  policy: redirect\n  url: https://overflow.example.test/voice\n',
  plain: '',
};

let fixture: FixtureCatalog;
let handler: FakeCallHandler;
let gateway: Gateway;
let url: string;

async function counter(vertical: string, reason: string, policy: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('switchboard_calls_overflow_total')!.get();
  return metric.values.find((v) => v.labels.vertical === vertical && v.labels.reason === reason && v.labels.policy === policy)?.value ?? 0;
}

const call = (to: string, sid: string) => postForm(`${url}/twilio/voice`, { CallSid: sid, From: '+15550123456', To: to });

beforeAll(async () => {
  fixture = fixtureCatalog();
  for (const [id, number] of Object.entries(NUMBERS)) {
    mkdirSync(join(fixture.dir, 'verticals', `ov-${id}`), { recursive: true });
    writeFileSync(join(fixture.dir, 'verticals', `ov-${id}`, 'vertical.yaml'), demoManifest(`ov-${id}`, number, 'Be helpful.') + OVERFLOW[id as keyof typeof OVERFLOW]);
  }
  const reloaded = await fixture.catalog.reload();
  expect(fixture.catalog.problems).toEqual([]);
  expect(reloaded).toBeTruthy();
  handler = new FakeCallHandler();
  gateway = createGateway({
    catalog: fixture.catalog, handler, engine: 'fake', maxCalls: 1,
    carriers: [createTwilioCarrier({ publicUrl: 'http://127.0.0.1', authToken: null })],
  });
  url = `http://127.0.0.1:${(await gateway.listen(0, '127.0.0.1')).port}`;
  // One live call fills the gateway (maxCalls 1): the fake handler counts started streams.
  handler.stats = () => ({ active: handler.prepared.size, byVertical: {} });
  const first = await call(NUMBERS.plain, 'CA00000000000000000000000000000001');
  expect(first.text).toContain('<Connect><Stream');
});

afterAll(async () => {
  await gateway.close('test over');
  fixture.cleanup();
});

it('says the busy message and hangs up (busy_message)', async () => {
  const before = await counter('ov-busy', 'at_capacity', 'busy_message');
  const res = await call(NUMBERS.busy, 'CA00000000000000000000000000000002');
  expect(res.text).toMatch(/<Say>All our stylists are busy\. Please call back soon\.<\/Say><Hangup\/>/);
  expect(res.text).not.toContain('<Stream');
  expect(handler.prepared.has('CA00000000000000000000000000000002')).toBe(false);
  expect(await counter('ov-busy', 'at_capacity', 'busy_message')).toBe(before + 1);
});

it('rejects busy (reject)', async () => {
  const res = await call(NUMBERS.reject, 'CA00000000000000000000000000000003');
  expect(res.text).toContain('<Response><Reject reason="busy"/></Response>');
  expect(await counter('ov-reject', 'at_capacity', 'reject')).toBe(1);
});

it('dials the overflow number after the message (redirect to a number)', async () => {
  const res = await call(NUMBERS.dial, 'CA00000000000000000000000000000004');
  expect(res.text).toMatch(/<Say>Connecting you to our partner line\.<\/Say><Dial><Number>\+15550009999<\/Number><\/Dial>/);
  expect(await counter('ov-dial', 'at_capacity', 'redirect')).toBe(1);
});

it('redirects to another answering URL (redirect to a url)', async () => {
  const res = await call(NUMBERS.url, 'CA00000000000000000000000000000005');
  expect(res.text).toContain('<Redirect method="POST">https://overflow.example.test/voice</Redirect>');
});

it('uses the default busy message when the vertical names no policy, and readiness stays 200 while full', async () => {
  const res = await call(NUMBERS.plain, 'CA00000000000000000000000000000006');
  expect(res.text).toMatch(/<Say>We&apos;re sorry, all our lines are busy/);
  const ready = await request(`${url}/readyz`);
  expect(ready.status).toBe(200);
  expect(ready.json()).toMatchObject({ status: 'ready', atCapacity: true, maxCalls: 1, activeCalls: 1 });
  const metrics = (await request(`${url}/metrics`)).text;
  expect(metrics).toMatch(/switchboard_webhooks_total\{route="voice",outcome="at_capacity"\} [1-9]/);
});

it('takes calls again once a call ended', async () => {
  handler.prepared.clear();
  const res = await call(NUMBERS.busy, 'CA00000000000000000000000000000007');
  expect(res.text).toContain('<Connect><Stream');
});
