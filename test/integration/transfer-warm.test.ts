/**
 * Warm transfer end to end, every part real but Twilio (the local fake Twilio API plays the
 * network: it places the person's call, rings, answers or not as scripted, sends signed status
 * callbacks to the gateway and runs the briefing's `<Gather>`). The caller is held in a
 * conference, the person is briefed, and: answered → bridged (the agent's part ends);
 * no answer / busy → the caller is back with the agent on a new media stream of the same call,
 * which takes a message (stored, texted through the Messages API).
 */
import { readTwimlAnswer } from '../../src/telephony/index.js';
import type { TransferEvent } from '../../src/realtime/index.js';
import type { LegScript } from '../fakes/index.js';
import { callsShow, eventually, HUMAN_NUMBER, rtScenario, RT_NUMBER, startHarness, type Harness } from './realtimeHarness.js';
import { TwilioCaller } from './twilioCaller.js';

/** The caller asks for a person and the agent transfers; `after` is the rest of the script (YAML lines). */
const asksForPerson = (name: string, after = '') => rtScenario(name, `
opening:
  - say: Hello, thanks for calling the test line.
turns:
  - caller: Can I talk to a person please?
    agent:
      - say: Of course, please hold while I connect you.
        call: { tool: transfer_to_human, args: { reason: caller wants to talk about a refund for a double charge } }
${after}`);

/** Back from a transfer nobody took: the agent offers to take a message and takes it. */
const takesMessage = `      - say: I'm sorry, nobody could take the call. Would you like me to take a message?
  - caller: Yes please, this is Ann Lee, call me back about my refund.
    agent:
      - call: { tool: take_message, args: { callerName: Ann Lee, callbackNumber: "+15550123456", message: Please call back about the refund } }
      - say: Done, your message has been passed on.
`;

const scenarios = [
  asksForPerson('no-answer', takesMessage),
  asksForPerson('busy', takesMessage),
  asksForPerson('hangs-up', takesMessage),
  asksForPerson('hold-refused', "      - say: I'm sorry, I couldn't put you through. Can I help you myself?\n"),
  asksForPerson('answered'),
];

/** The caller's handset follows Twilio: off the stream into the conference, back on a new stream. */
function followTwilio(h: Harness, first: TwilioCaller): TwilioCaller[] {
  const streams = [first];
  h.twilio.onCallUpdate((callSid, form) => {
    if (callSid !== first.callSid || !form.Twiml) return;
    const answer = readTwimlAnswer(form.Twiml);
    if (form.Twiml.includes('<Conference')) void streams.at(-1)!.hangUp();
    else if (answer.kind === 'stream') {
      void TwilioCaller.connect({ baseUrl: h.baseUrl, callSid, parameters: answer.parameters, speed: 4 }).then((c) => streams.push(c));
    }
  });
  return streams;
}

describe('warm transfer', () => {
  let h: Harness;
  const events: TransferEvent[] = [];
  beforeAll(async () => {
    h = await startHarness({
      scenarios, audio: 'pcmu',
      manifest: {
        tools: 'end_call, transfer_to_human, take_message',
        extra: 'transfer: { mode: warm, ringTimeoutSec: 5, holdMessage: Please hold while I find someone. }',
      },
      session: { transfer: { acceptWindowMs: 8000, resumeWaitMs: 8000 } },
    });
    h.twilio.voice.callbackBase = h.baseUrl;
    h.manager.onTransferEvent((e) => events.push(e));
  });
  afterAll(async () => {
    await h?.close();
  });

  async function place(scenario: string, script: LegScript): Promise<{ caller: TwilioCaller; streams: TwilioCaller[] }> {
    h.twilio.voice.scripts.set(HUMAN_NUMBER, script);
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: `rt/${scenario}`, speed: 4 });
    const streams = followTwilio(h, caller);
    await caller.waitFor(() => caller.acked.length > 0, 'greeting');
    await caller.waitPlayed();
    await caller.say('Can I talk to a person please?');
    return { caller, streams };
  }

  const callOf = async (callSid: string) => eventually(() => h.store.calls.getBySid(callSid), 'call row');

  it('holds the caller, briefs the person, and bridges them when the person takes the call', async () => {
    const { caller } = await place('answered', { outcome: 'answer', ringMs: 200 });

    const hold = await h.twilio.waitFor((r) => r.kind === 'call_update' && r.callSid === caller.callSid, 20_000);
    expect(hold.form.Twiml).toContain('Please hold while I find someone.');
    expect(hold.form.Twiml).toMatch(/<Conference startConferenceOnEnter="false" endConferenceOnExit="true"[^>]*>sb-[0-9a-f-]+<\/Conference>/);
    const dial = await h.twilio.waitFor((r) => r.kind === 'call_create');
    expect(dial.form.To).toBe(HUMAN_NUMBER);
    expect(dial.form.From).toBe(RT_NUMBER);
    expect(dial.form.Timeout).toBe('5');
    expect(dial.form.Twiml).toContain('<Gather numDigits="1"');
    expect(dial.form.Twiml).toContain('refund for a double charge');
    expect(dial.form.Twiml).toContain('Can I talk to a person please?');

    const row = await eventually(async () => {
      const r = await h.store.calls.getBySid(caller.callSid);
      return r?.endedAt ? r : undefined;
    }, 'call ended', 20_000);
    expect(row.endReason).toBe('transferred');
    const [transfer] = await h.store.transfers.ofCall(row.id);
    expect(transfer).toMatchObject({ mode: 'warm', state: 'bridged', failure: null });
    expect(transfer!.events.map((e) => e.type)).toEqual(['transfer.started', 'transfer.answered', 'transfer.bridged']);
    // Both legs are in one started conference: the caller's and the person's.
    const room = [...h.twilio.voice.conferences.values()].find((c) => c.participants.some((p) => p.callSid === caller.callSid));
    expect(room?.status).toBe('in-progress');
    expect(room?.participants.map((p) => p.callSid)).toEqual([caller.callSid, expect.stringMatching(/^CA/)]);
    expect(room?.participants.every((p) => !p.hold)).toBe(true);
    expect(events.filter((e) => e.callSid === caller.callSid).map((e) => e.type)).toEqual(['transfer.started', 'transfer.answered', 'transfer.bridged']);
    // The tool finished before the agent's part ended: its outcome is in the audit.
    const { rows } = await h.store.db.query<{ status: string; result: unknown }>(
      `SELECT status, result FROM tool_invocations WHERE call_id = $1 AND tool_name = 'transfer_to_human'`, [row.id]);
    expect(rows).toEqual([{ status: 'ok', result: { transferred: true, mode: 'warm' } }]);
    await caller.close();
  }, 60_000);

  it.each([
    ['no-answer', { outcome: 'no-answer', ringMs: 300 } as LegScript, 'no_answer'],
    ['busy', { outcome: 'busy', ringMs: 100 } as LegScript, 'busy'],
  ])('brings the caller back to the agent when the person does not answer (%s), and takes a message that is texted', async (scenario, script, failure) => {
    const { caller, streams } = await place(scenario, script);

    await h.twilio.waitFor((r) => r.kind === 'call_update' && r.callSid === caller.callSid && (r.form.Twiml ?? '').includes('<Conference'), 20_000);
    const resume = await h.twilio.waitFor((r) => r.kind === 'call_update' && r.callSid === caller.callSid && (r.form.Twiml ?? '').includes('<Stream'), 20_000);
    const answer = readTwimlAnswer(resume.form.Twiml!);
    expect(answer.kind === 'stream' && answer.parameters.callSid).toBe(caller.callSid);

    await eventually(async () => streams.length > 1 && streams[1]!.acked.length > 0, 'the agent speaking on the new stream', 20_000);
    const second = streams[1]!;
    await second.waitPlayed();
    await second.say('Yes please, this is Ann Lee, call me back about my refund.');

    const sms = await h.twilio.waitFor((r) => r.kind === 'message', 20_000);
    expect(sms.form.To).toBe(HUMAN_NUMBER);
    expect(sms.form.From).toBe(RT_NUMBER);
    expect(sms.form.Body).toContain('Ann Lee');
    expect(sms.form.Body).toContain('refund');

    const call = await callOf(caller.callSid);
    expect(call.endedAt).toBeNull(); // the call went on with the agent
    const [transfer] = await h.store.transfers.ofCall(call.id);
    expect(transfer).toMatchObject({ mode: 'warm', state: 'failed', failure });
    expect(transfer!.events.map((e) => e.type)).toEqual(['transfer.started', 'transfer.failed']);
    const messages = await eventually(async () => {
      const m = await h.store.transfers.messagesOf(call.id);
      return m[0]?.smsStatus === 'sent' ? m : undefined;
    }, 'message row');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ callerName: 'Ann Lee', callbackNumber: '+15550123456', smsSid: expect.stringMatching(/^SM/) });
    // The SMS is sent before take_message records its outcome: wait for both tools to finish.
    const rows = await eventually(async () => {
      const r = await h.store.db.query<{ tool_name: string; status: string; result: { transferred: boolean; failure: string } }>(
        `SELECT tool_name, status, result FROM tool_invocations WHERE call_id = $1 ORDER BY id`, [call.id]);
      return r.rows.length === 2 && r.rows.every((x) => x.status !== 'running') ? r.rows : undefined;
    }, 'both tools recorded');
    expect(rows.map((r) => [r.tool_name, r.status])).toEqual([['transfer_to_human', 'ok'], ['take_message', 'ok']]);
    expect(rows[0]!.result).toMatchObject({ transferred: false, failure });
    expect(events.filter((e) => e.callSid === caller.callSid).map((e) => [e.type, e.failure])).toEqual([['transfer.started', undefined], ['transfer.failed', failure]]);
    const leg = [...h.twilio.voice.calls.values()].filter((c) => c.to === HUMAN_NUMBER).at(-1);
    expect(leg?.statuses).toContain(script.outcome);
    await second.hangUp();
    await eventually(async () => (await h.store.calls.getBySid(caller.callSid))?.endedAt, 'call ended');
    const shown = await callsShow(h.store, call.id);
    expect(shown).toMatch(new RegExp(`warm failed \\(${failure}\\)  started \\+0 ms → failed \\+\\d+ ms`));
    expect(shown).toContain(`message #${messages[0]!.id} from Ann Lee: Please call back about the refund  [sms sent]`);
  }, 90_000);

  it('keeps the caller with the agent when Twilio refuses to put them on hold', async () => {
    h.twilio.failMatching((r) => r.kind === 'call_update' && (r.form.Twiml ?? '').includes('<Conference'), 400, 21220);
    const { caller } = await place('hold-refused', { outcome: 'answer' });
    const call = await callOf(caller.callSid);
    const invocation = await eventually(async () => {
      const { rows } = await h.store.db.query<{ status: string; error_code: string }>(
        `SELECT status, error_code FROM tool_invocations WHERE call_id = $1 AND tool_name = 'transfer_to_human'`, [call.id]);
      return rows[0] && rows[0].status !== 'running' ? rows[0] : undefined;
    }, 'transfer_to_human recorded', 20_000);
    expect(invocation).toEqual({ status: 'error', error_code: 'TRANSFER_FAILED' });
    const before = caller.media().length;
    await caller.waitFor(() => caller.media().length > before + 20, 'the agent apologising on the same stream', 20_000);
    expect(caller.closed).toBe(false);
    const [transfer] = await h.store.transfers.ofCall(call.id);
    expect(transfer).toMatchObject({ state: 'failed', failure: 'error' });
    expect(h.twilio.requests.filter((r) => r.kind === 'call_create' && r.atMs >= call.startedAt.getTime())).toEqual([]);
    await caller.hangUp();
    await eventually(async () => (await h.store.calls.getBySid(caller.callSid))?.endedAt, 'call ended');
  }, 60_000);

  it('cancels the ringing person when the caller hangs up on hold, and records the call as the caller\'s hang-up', async () => {
    const dialsBefore = h.twilio.requests.filter((r) => r.kind === 'call_create').length;
    const { caller } = await place('hangs-up', { outcome: 'no-answer', ringMs: 4000 });
    await eventually(async () => h.twilio.requests.filter((r) => r.kind === 'call_create').length > dialsBefore, 'the person dialled', 20_000);
    // Twilio reports the caller's call over (they hung up while holding).
    const res = await fetch(`${h.baseUrl}/twilio/status`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ CallSid: caller.callSid, CallStatus: 'completed', CallDuration: '9' }).toString(),
    });
    expect(res.status).toBe(204);
    const row = await eventually(async () => {
      const r = await h.store.calls.getBySid(caller.callSid);
      return r?.endedAt ? r : undefined;
    }, 'call ended');
    expect(row.endReason).toBe('caller_hangup');
    const leg = [...h.twilio.voice.calls.values()].filter((c) => c.to === HUMAN_NUMBER).at(-1)!;
    await h.twilio.waitFor((r) => r.kind === 'call_update' && r.callSid === leg.sid && r.form.Status === 'canceled', 10_000);
    const [transfer] = await eventually(async () => {
      const t = await h.store.transfers.ofCall(row.id);
      return t[0]?.state === 'failed' ? t : undefined;
    }, 'transfer failed');
    expect(transfer).toMatchObject({ failure: 'canceled' });
    // The caller was never brought back: no stream redirect after the hold.
    expect(h.twilio.requests.filter((r) => r.kind === 'call_update' && r.callSid === caller.callSid && (r.form.Twiml ?? '').includes('<Stream'))).toEqual([]);
  }, 60_000);
});
