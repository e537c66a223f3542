/**
 * The manifest's call limits: a silent caller gets one "are you still there?" and then a polite
 * goodbye and hang-up; a call that reaches its maximum duration gets the goodbye and is hung up.
 */
import { eventually, startHarness, RT_NUMBER, type Harness } from './realtimeHarness.js';
import { TwilioCaller } from './twilioCaller.js';

async function endedRow(h: Harness, callSid: string, timeoutMs = 20_000) {
  return eventually(async () => {
    const r = await h.store.calls.getBySid(callSid);
    return r?.endedAt ? r : undefined;
  }, 'finalised call row', timeoutMs);
}

describe('silence limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ manifest: { limits: 'limits: { silenceTimeoutMs: 2000, silencePrompt: Are you still there?, goodbye: Goodbye for now. }' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('prompts once, then says goodbye and hangs up', async () => {
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, speed: 4 });
    const hangup = await h.twilio.waitFor((r) => r.kind === 'call_update' && r.callSid === caller.callSid, 20_000);
    expect(hangup.form.Twiml).toContain('<Hangup');
    const row = await endedRow(h, caller.callSid);
    expect(row.endReason).toBe('silence_timeout');
    const said = (await h.store.transcripts.list(row.id)).filter((t) => t.role === 'assistant').map((t) => t.text);
    expect(said).toEqual(['Hello, thanks for calling the test line.', 'Are you still there?', 'Goodbye for now.']);
    const asks = h.proxy.events.filter((e) => e.dir === 'client' && e.type === 'response.create').map((e) => String(e.event.response?.instructions ?? ''));
    expect(asks.filter((i) => i.includes('Are you still there?'))).toHaveLength(1);
    await caller.waitFor(() => caller.closed, 'stream closed');
  });
});

describe('maximum duration', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ manifest: { limits: 'limits: { silenceTimeoutMs: 60000, maxDurationMs: 10000, goodbye: "Time is up, goodbye." }' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('says goodbye and hangs up when the call reaches its maximum duration', async () => {
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, speed: 4 });
    const hangup = await h.twilio.waitFor((r) => r.kind === 'call_update' && r.callSid === caller.callSid, 25_000);
    expect(hangup.form.Twiml).toContain('<Hangup');
    const row = await endedRow(h, caller.callSid);
    expect(row.endReason).toBe('max_duration');
    expect(row.durationMs).toBeGreaterThanOrEqual(10_000);
    const said = (await h.store.transcripts.list(row.id)).filter((t) => t.role === 'assistant').map((t) => t.text);
    expect(said.at(-1)).toBe('Time is up, goodbye.');
  }, 40_000);
});
