/**
 * Failover: the model connection dies mid-call. The caller hears the canned message at once
 * (synthesised locally), the call reconnects once and the new model is told the conversation so
 * far; when the connection dies again (retries used up) the caller is transferred to the human
 * number through the Twilio REST API (or, without one, hears the apology and the call ends).
 */
import { eventually, startHarness, HUMAN_NUMBER, RT_NUMBER, type Harness } from './realtimeHarness.js';
import { TwilioCaller } from './twilioCaller.js';

async function endedRow(h: Harness, callSid: string) {
  return eventually(async () => {
    const r = await h.store.calls.getBySid(callSid);
    return r?.endedAt ? r : undefined;
  }, 'finalised call row');
}

describe('model failover', () => {
  let h: Harness;
  beforeAll(async () => {
    // A webhook for call.ended and transfers: the call path records those events (and no call.started).
    h = await startHarness({ manifest: { webhooks: 'webhooks: [{ url: "http://127.0.0.1:9/hook", events: [call.ended, transfer.*], secret: env:RT_TEST_WEBHOOK_SECRET }]' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('says the canned message, reconnects once with the conversation, then transfers to a human', async () => {
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, speed: 4 });
    await caller.waitFor(() => caller.media().length > 5, 'greeting');
    await caller.waitPlayed();
    caller.dtmf('7');
    caller.dtmf('#');
    // The greeting and the answer to the digits.
    await eventually(async () => h.proxy.events.filter((e) => e.dir === 'server' && e.type === 'response.done' && e.conn === 0).length >= 2, 'an answer to the DTMF');
    await caller.waitPlayed();
    const before = caller.out.length;

    h.proxy.killAll();
    // At once: playback cleared, then the canned message (local audio, no model).
    await caller.waitFor(() => caller.out.slice(before).some((o) => o.kind === 'clear'), 'clear');
    await caller.waitFor(() => caller.out.slice(before).filter((o) => o.kind === 'media').length > 20, 'canned message audio');
    // One reconnect, told what was said before.
    await eventually(async () => h.proxy.connections === 2 && h.proxy.events.find((e) => e.conn === 1 && e.dir === 'client' && e.type === 'response.create'), 'reconnect and a response');
    const replayed = h.proxy.events.filter((e) => e.conn === 1 && e.dir === 'client' && e.type === 'conversation.item.create').map((e) => e.event.item);
    expect(replayed.length).toBeGreaterThanOrEqual(3);
    expect(replayed[0]).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello, thanks for calling the test line.' }] });
    expect(replayed.map((i) => i.content[0].text)).toContain('[DTMF 7#]');
    expect(replayed.map((i) => i.content[0].text)).toContain('One moment please.');
    const callRow = await h.store.calls.getBySid(caller.callSid);
    expect(callRow?.endedAt).toBeNull();

    // Second failure: no retries left → transfer to the human number.
    await caller.waitPlayed();
    h.proxy.killAll();
    const transfer = await h.twilio.waitFor((r) => r.kind === 'call_update' && r.callSid === caller.callSid, 10_000);
    expect(transfer.form.Twiml).toContain(HUMAN_NUMBER);
    expect(transfer.form.Twiml).toContain('<Dial');
    expect(h.proxy.connections).toBe(2);

    const row = await endedRow(h, caller.callSid);
    expect(row.endReason).toBe('failover_transfer');
    const transcript = await h.store.transcripts.list(row.id);
    expect(transcript.filter((t) => t.role === 'system').map((t) => t.text)).toEqual(['One moment please.', 'One moment please.']);
    const events = await h.store.webhookEvents.forCall(row.id);
    expect(events.map((e) => [e.type, e.data.reason ?? e.data.endReason])).toEqual([['transfer.started', 'failover_transfer'], ['call.ended', 'failover_transfer']]);
    expect(JSON.stringify(events)).not.toContain(HUMAN_NUMBER);
    await caller.close();
  });
});

describe('model failover without a human number', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ manifest: { fallback: 'fallback: { message: One moment please., retries: 1 }' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('apologises and hangs up when the model cannot be restored', async () => {
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, speed: 4 });
    await caller.waitFor(() => caller.media().length > 5, 'greeting');
    await caller.waitPlayed();
    h.proxy.refuse = true;
    h.proxy.killAll();
    const hangup = await h.twilio.waitFor((r) => r.kind === 'call_update' && r.callSid === caller.callSid, 20_000);
    expect(hangup.form.Twiml).toContain('<Hangup');
    const row = await endedRow(h, caller.callSid);
    expect(row.endReason).toBe('model_unavailable');
    expect(row.status).toBe('failed');
    const system = (await h.store.transcripts.list(row.id)).filter((t) => t.role === 'system').map((t) => t.text);
    expect(system[0]).toBe('One moment please.');
    expect(system[1]).toMatch(/technical trouble/);
    await caller.close();
  });
});
