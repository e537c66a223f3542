/**
 * Admission control counts browser calls and chats like phone calls: a real gateway (real
 * CallManager, emulator engine, Postgres) with `maxCalls` 1. A live chat fills it: a phone call
 * gets its vertical's overflow answer, a browser (WebRTC) call and a second chat are refused as
 * busy, each counted in `switchboard_calls_overflow_total`; once the chat ends, a chat is taken again.
 */
import { metricsRegistry } from '../../src/observability/index.js';
import { httpSend } from '../../src/telephony/http.js';
import { ChatClient } from '../fakes/chatClient.js';
import { startConsoleGateway, type ConsoleGateway } from './consoleGateway.js';
import { eventually } from './realtimeHarness.js';
import { postForm } from './serverHelpers.js';

const SALON_NUMBER = '+15550100100';

async function refusedAtCapacity(vertical: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('switchboard_calls_overflow_total')!.get();
  return metric.values.filter((v) => v.labels.vertical === vertical && v.labels.reason === 'at_capacity').reduce((s, v) => s + v.value, 0);
}

describe('admission control for browser calls and chats (maxCalls 1)', () => {
  let gw: ConsoleGateway;

  beforeAll(async () => {
    gw = await startConsoleGateway({ maxCalls: 1 });
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
  }, 60_000);

  it('counts a live chat against maxCalls for phone calls, browser calls and chats alike', async () => {
    const before = await refusedAtCapacity('salon');
    const first = await ChatClient.open(gw.baseUrl);
    first.send({ type: 'start', vertical: 'salon' });
    const started = await first.waitFor((m) => m.type === 'started', 'the first chat started');
    if (started.type !== 'started') throw new Error('unreachable');
    await eventually(async () => (gw.manager.stats().active === 1 ? true : undefined), 'the chat live');

    // A phone call to the same gateway: the vertical's overflow answer (salon: the busy message).
    const phone = await postForm(`${gw.baseUrl}/twilio/voice`, { CallSid: `CA${'1'.repeat(32)}`, From: '+15550123456', To: SALON_NUMBER });
    expect(phone.text).not.toContain('<Stream');
    expect(phone.text).toMatch(/<Say>We&apos;re sorry, all our lines are busy[^<]*<\/Say><Hangup\/>/);

    // A browser call: refused before its offer is even read.
    const browser = await httpSend({ method: 'POST', url: `${gw.baseUrl}/console/api/calls`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vertical: 'salon', sdp: 'v=0' }) });
    expect(browser.status).toBe(503);
    expect(JSON.parse(browser.text)).toMatchObject({ error: { code: 'SERVER_AT_CAPACITY' } });

    // A second chat: refused as busy.
    const second = await ChatClient.open(gw.baseUrl);
    second.send({ type: 'start', vertical: 'salon' });
    const busy = await second.waitFor((m) => m.type === 'error', 'the second chat refused');
    expect(busy).toMatchObject({ type: 'error', code: 'CHAT_BUSY' });
    expect(gw.manager.stats().active).toBe(1);
    expect(await refusedAtCapacity('salon')).toBe(before + 3);

    // The chat ends: the line is free again.
    first.send({ type: 'end' });
    await first.waitFor((m) => m.type === 'ended', 'the first chat ended');
    await eventually(async () => (gw.manager.stats().active === 0 ? true : undefined), 'no live call');
    second.ws.close();
    const third = await ChatClient.open(gw.baseUrl);
    third.send({ type: 'start', vertical: 'salon' });
    await third.waitFor((m) => m.type === 'started', 'a chat taken again');
    third.send({ type: 'end' });
    await third.waitFor((m) => m.type === 'ended', 'the third chat ended');
  }, 60_000);
});
