/**
 * The cascade engine's failures take the same failover path as the realtime engine's, through
 * the real Twilio path and the emulator's peers: the Responses API failing a turn (500), rate
 * limiting it (429 with the back-off it names), a dropped text stream, and the transcription
 * and voice sockets dropping. The caller hears the canned line, a fresh cascade session is
 * told the conversation and answers, and the cause is on the call row.
 */
import type { FaultKind } from '../../src/scenarios/index.js';
import { eventually, rtScenario, startHarness, RT_NUMBER, type Harness } from './realtimeHarness.js';
import { TwilioCaller } from './twilioCaller.js';

const GREETING = 'Hello, thanks for calling the test line.';
const ASK = 'What are your opening hours?';
const ANSWER = 'We are open from nine in the morning to five in the evening.';
const RETRY_AFTER_MS = 700;
const CASCADE = 'engine: { type: cascade, cascade: { tts: { provider: elevenlabs, voiceId: 21m00Tcm4TlvDq8ikWAM } } }';

const faultScenario = (kind: FaultKind) => rtScenario(`cascade-${kind.replace(/_/g, '-')}`, `
opening:
  - say: ${GREETING}
turns:
  - caller: ${ASK}
    agent:
      - fault: { kind: ${kind}${kind === 'rate_limit' ? `, retryAfterMs: ${RETRY_AFTER_MS}` : ''} }
      - say: ${ANSWER}
`);
const LONG = 'We are open from nine in the morning to five in the evening on weekdays, from ten to four on Saturdays, and we are closed on Sundays and public holidays, when the answering service takes messages.';
const long = rtScenario('cascade-long', `
opening:
  - say: ${GREETING}
turns:
  - caller: ${ASK}
    agent:
      - say: ${LONG}
`);
const calm = rtScenario('cascade-calm', `
opening:
  - say: ${GREETING}
turns:
  - caller: ${ASK}
    agent:
      - say: ${ANSWER}
`);

const CAUSES: Partial<Record<FaultKind, string>> = { server_error: 'response_failed', rate_limit: 'rate_limited', drop: 'response_failed' };

async function transcript(h: Harness, callSid: string): Promise<Array<{ role: string; text: string }>> {
  const row = await h.store.calls.getBySid(callSid);
  return row ? h.store.transcripts.list(row.id) : [];
}

describe('cascade engine failures fail over', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ manifest: { extra: CASCADE }, scenarios: [...(Object.keys(CAUSES) as FaultKind[]).map(faultScenario), calm, long] });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function placeAndAsk(scenario: string): Promise<TwilioCaller> {
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: `rt/${scenario}`, speed: 4 });
    await caller.waitFor(() => caller.media().length > 5, 'greeting');
    await caller.waitPlayed();
    await caller.say(ASK);
    return caller;
  }

  it.each(Object.keys(CAUSES) as FaultKind[])('%s from the Responses API: canned line, a fresh session answers, the cause recorded', async (kind) => {
    const t0 = performance.now();
    const caller = await placeAndAsk(`cascade-${kind.replace(/_/g, '-')}`);
    await eventually(async () => (await transcript(h, caller.callSid)).some((t) => t.role === 'assistant' && t.text === ANSWER), 'the answer after the failover', 20_000);
    const row = (await h.store.calls.getBySid(caller.callSid))!;
    expect(row.engine).toBe('emulator/cascade');
    expect(row.endedAt).toBeNull();
    expect(row.metadata.failovers).toEqual([expect.objectContaining({ cause: CAUSES[kind], outcome: 'reconnected' })]);
    if (kind === 'rate_limit') expect(performance.now() - t0).toBeGreaterThan(RETRY_AFTER_MS);
    const said = (await transcript(h, caller.callSid)).map((t) => `${t.role}: ${t.text}`);
    expect(said).toEqual([`assistant: ${GREETING}`, `caller: ${ASK}`, 'system: One moment please.', `assistant: ${ANSWER}`]);
    await caller.hangUp();
    await caller.close();
  }, 60_000);

  it('a hang-up in the middle of an answer keeps the words the caller heard, marked interrupted', async () => {
    const caller = await placeAndAsk('cascade-long');
    const heardFrames = caller.media().length;
    await caller.waitFor(() => caller.media().length > heardFrames + 60, 'a second of the answer');
    await caller.hangUp();
    const row = await eventually(async () => {
      const r = await h.store.calls.getBySid(caller.callSid);
      return r?.endedAt ? r : undefined;
    }, 'finalised', 20_000);
    const answer = (await h.store.transcripts.list(row.id)).filter((t) => t.role === 'assistant').at(-1)!;
    expect(answer.interrupted).toBe(true);
    expect(answer.text.length).toBeGreaterThan(0);
    expect(LONG.startsWith(answer.text)).toBe(true);
    expect(answer.text.length).toBeLessThan(LONG.length);
    await caller.close();
  }, 60_000);

  it('the transcription and voice sockets dropping mid-call: canned line, reconnect, the caller still answered', async () => {
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/cascade-calm', speed: 4 });
    await caller.waitFor(() => caller.media().length > 5, 'greeting');
    await caller.waitPlayed();
    h.proxy.killAll();
    await eventually(async () => ((await h.store.calls.getBySid(caller.callSid))?.metadata.failovers as unknown[] | undefined)?.length === 1, 'failover recorded', 20_000);
    expect((await h.store.calls.getBySid(caller.callSid))?.metadata.failovers).toEqual([expect.objectContaining({ cause: 'socket_closed', outcome: 'reconnected' })]);
    await caller.waitPlayed();
    await caller.say(ASK);
    await eventually(async () => (await transcript(h, caller.callSid)).some((t) => t.role === 'assistant' && t.text === ANSWER), 'the answer on the new session', 20_000);
    await caller.hangUp();
    const row = await eventually(async () => {
      const r = await h.store.calls.getBySid(caller.callSid);
      return r?.endedAt ? r : undefined;
    }, 'finalised', 20_000);
    expect(row.endReason).toBe('caller_hangup');
    await caller.close();
  }, 60_000);
});
