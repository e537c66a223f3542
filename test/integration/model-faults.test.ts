/**
 * Every model failure fails over, through the real Twilio path: the emulator stages each fault
 * on cue from a scenario (`fault:` steps, the same event shapes the service sends), the caller
 * hears the canned line, the call carries on after one reconnect with the conversation
 * restored, and the cause is on the call row; a second fault in the same call hands the caller
 * to the human number. A neighbouring call is untouched and every call row is finalised.
 */
import type { FaultKind } from '../../src/scenarios/index.js';
import { eventually, HUMAN_NUMBER, rtScenario, startHarness, RT_NUMBER, type Harness } from './realtimeHarness.js';
import { TwilioCaller } from './twilioCaller.js';

const GREETING = 'Hello, thanks for calling the test line.';
const ASK = 'What are your opening hours?';
const ANSWER = 'We are open from nine in the morning to five in the evening.';
const AGAIN = 'And on Sunday?';
const STALL_MS = 1500;
const RETRY_AFTER_MS = 900;

function faultScenario(kind: FaultKind) {
  const extra = kind === 'rate_limit' ? `, retryAfterMs: ${RETRY_AFTER_MS}` : '';
  return rtScenario(`fault-${kind.replace(/_/g, '-')}`, `
opening:
  - say: ${GREETING}
turns:
  - caller: ${ASK}
    agent:
      - fault: { kind: ${kind}${extra} }
      - say: ${ANSWER}
  - caller: ${AGAIN}
    agent:
      - fault: { kind: drop }
`);
}

const CAUSES: Record<FaultKind, string> = {
  server_error: 'server_error',
  response_failed: 'response_failed',
  rate_limit: 'rate_limited',
  stall: 'model_stalled',
  drop: 'socket_closed',
  session_expired: 'session_expired',
};
const KINDS = Object.keys(CAUSES) as FaultKind[];

const calm = rtScenario('calm', `
opening:
  - say: ${GREETING}
turns:
  - caller: ${ASK}
    agent:
      - say: ${ANSWER}
  - caller: ${AGAIN}
    agent:
      - say: Closed on Sunday, I am afraid.
`);

async function endedRow(h: Harness, callSid: string) {
  return eventually(async () => {
    const r = await h.store.calls.getBySid(callSid);
    return r?.endedAt ? r : undefined;
  }, 'finalised call row', 20_000);
}

/** The agent's transcript (from the proxy) on connection `conn`. */
function saidOn(h: Harness, conn: number): string[] {
  return h.proxy.events.filter((e) => e.conn === conn && e.dir === 'server' && e.type === 'response.output_audio_transcript.done').map((e) => String(e.event.transcript));
}

describe('model faults staged by the emulator', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ scenarios: [...KINDS.map(faultScenario), calm], session: { modelStallMs: STALL_MS } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each(KINDS)('%s: canned line, one reconnect with the conversation, the cause recorded; a second fault reaches the human', async (kind) => {
    const firstConn = h.proxy.connections;
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: `rt/fault-${kind.replace(/_/g, '-')}`, speed: 4 });
    await caller.waitFor(() => caller.media().length > 5, 'greeting');
    await caller.waitPlayed();
    const before = caller.media().length;
    const t0 = performance.now();
    await caller.say(ASK);

    // The new connection is told the conversation so far and answers the question.
    const reconn = firstConn + 1;
    await eventually(async () => saidOn(h, reconn).includes(ANSWER), 'the answer after the reconnect', 20_000);
    const replayed = h.proxy.events.filter((e) => e.conn === reconn && e.dir === 'client' && e.type === 'conversation.item.create').map((e) => e.event.item.content?.[0]?.text);
    expect(replayed).toEqual(expect.arrayContaining([GREETING, ASK, 'One moment please.']));
    if (kind === 'stall') expect(performance.now() - t0).toBeGreaterThan(STALL_MS);
    if (kind === 'rate_limit') {
      const limited = h.proxy.events.find((e) => e.conn === firstConn && e.type === 'response.done' && e.event.response.status === 'failed')!;
      const reopened = h.proxy.events.find((e) => e.conn === reconn)!;
      expect(reopened.at - limited.at).toBeGreaterThanOrEqual(RETRY_AFTER_MS - 50);
    }
    // The caller heard the canned line, then the answer.
    await caller.waitPlayed();
    expect(caller.media().length - before).toBeGreaterThan(100);
    const live = await h.store.calls.getBySid(caller.callSid);
    expect(live?.endedAt).toBeNull();
    await eventually(async () => ((await h.store.calls.getBySid(caller.callSid))?.metadata.failovers as unknown[] | undefined)?.length === 1, 'failover recorded');
    expect((await h.store.calls.getBySid(caller.callSid))?.metadata.failovers).toEqual([expect.objectContaining({ cause: CAUSES[kind], outcome: 'reconnected' })]);

    // The second fault: no retries left, the caller goes to the human number.
    await caller.say(AGAIN);
    const transfer = await h.twilio.waitFor((r) => r.kind === 'call_update' && r.callSid === caller.callSid, 20_000);
    expect(transfer.form.Twiml).toContain(HUMAN_NUMBER);
    const row = await endedRow(h, caller.callSid);
    expect(row.endReason).toBe('failover_transfer');
    expect(row.metadata.failovers).toEqual([
      expect.objectContaining({ cause: CAUSES[kind], outcome: 'reconnected' }),
      expect.objectContaining({ cause: 'socket_closed', outcome: 'gave_up' }),
    ]);
    const system = (await h.store.transcripts.list(row.id)).filter((t) => t.role === 'system').map((t) => t.text);
    expect(system).toEqual(['One moment please.', 'One moment please.']);
    await caller.close();
  }, 60_000);

  it('a fault on one call does not touch its neighbour', async () => {
    const faulty = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/fault-server-error', speed: 4 });
    const neighbour = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/calm', speed: 4 });
    await Promise.all([faulty, neighbour].map(async (c) => {
      await c.waitFor(() => c.media().length > 5, 'greeting');
      await c.waitPlayed();
    }));
    const greeted = neighbour.media().length;
    await Promise.all([faulty.say(ASK), neighbour.say(ASK)]);
    await faulty.waitFor(() => faulty.clears.length > 0, 'the faulty call cleared');
    await neighbour.waitFor(() => neighbour.media().length > greeted + 50, 'the neighbour answered');
    await neighbour.waitPlayed();
    const heard = neighbour.media().length;
    await neighbour.say(AGAIN);
    await neighbour.waitFor(() => neighbour.media().length > heard + 50, 'the neighbour answered twice');
    await neighbour.waitPlayed();
    expect(neighbour.closed).toBe(false);
    await Promise.all([faulty.hangUp(), neighbour.hangUp()]);
    const [faultyRow, neighbourRow] = await Promise.all([endedRow(h, faulty.callSid), endedRow(h, neighbour.callSid)]);
    expect(faultyRow.metadata.failovers).toEqual([expect.objectContaining({ cause: 'server_error' })]);
    expect(neighbourRow.metadata.failovers).toBeUndefined();
    expect(neighbourRow.endReason).toBe('caller_hangup');
    const transcript = await h.store.transcripts.list(neighbourRow.id);
    expect(transcript.filter((t) => t.role === 'system')).toEqual([]);
    expect(transcript.filter((t) => t.role === 'assistant').map((t) => t.text)).toEqual([GREETING, ANSWER, 'Closed on Sunday, I am afraid.']);
  }, 90_000);
});

describe('the session lifetime cap', () => {
  // Renewal starts 3 s into a session and has 12 s to find a turn boundary (turns take a few seconds).
  const CAP_MS = 15_000;
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      scenarios: [calm],
      // The caller waits out a cap in silence: no "are you still there?" meanwhile.
      manifest: { limits: 'limits: { silenceTimeoutMs: 120000 }' },
      emulator: { maxSessionMs: CAP_MS },
      session: { modelSessionMaxMs: CAP_MS, modelSessionRenewMarginMs: 12_000 },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('renews the model session at a turn boundary before the cap: the caller never notices', async () => {
    const firstConn = h.proxy.connections;
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/calm', speed: 4 });
    await caller.waitFor(() => caller.media().length > 5, 'greeting');
    await caller.waitPlayed();
    await caller.say(ASK);
    await caller.waitFor(() => caller.media().length > 200, 'the answer');
    await caller.waitPlayed();
    // Past one cap: the first session would have expired by now.
    await new Promise((r) => setTimeout(r, CAP_MS));
    await caller.say(AGAIN);
    await eventually(async () => h.proxy.events.some((e) => e.conn > firstConn && e.type === 'response.output_audio_transcript.done' && e.event.transcript === 'Closed on Sunday, I am afraid.'), 'the second answer on a renewed session', 20_000);
    await caller.waitPlayed();
    expect(h.proxy.connections - firstConn).toBeGreaterThanOrEqual(2);
    // No expiry reached a session and no canned line played (the transcript below has no system line).
    expect(h.proxy.events.filter((e) => e.conn >= firstConn && e.type === 'error').map((e) => e.event.error)).toEqual([]);
    await caller.hangUp();
    const row = await endedRow(h, caller.callSid);
    expect(row.endReason).toBe('caller_hangup');
    expect(row.metadata.failovers).toBeUndefined();
    expect(row.metadata.modelSessionRenewals).toBeGreaterThanOrEqual(1);
    const transcript = await h.store.transcripts.list(row.id);
    expect(transcript.filter((t) => t.role === 'system')).toEqual([]);
    expect(transcript.filter((t) => t.role === 'assistant').map((t) => t.text)).toEqual([GREETING, ANSWER, 'Closed on Sunday, I am afraid.']);
  }, 90_000);
});
