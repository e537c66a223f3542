/**
 * How a call ends when the agent ends it: the caller hears the agent's last words (every mark of
 * them acknowledged) before the carrier is asked to hang up or transfer, and a transfer goes to
 * the manifest's human number, never to one the model chose.
 */
import { eventually, HUMAN_NUMBER, rtScenario, startHarness, RT_NUMBER, type Harness } from './realtimeHarness.js';
import { TwilioCaller } from './twilioCaller.js';

const GOODBYE = 'Thanks for calling the test line, it was a pleasure to help you today. Have a lovely evening, goodbye!';

const sentMarks = (caller: TwilioCaller): string[] => caller.out.flatMap((o) => (o.kind === 'mark' ? [o.name] : []));

/** The greeting has arrived and been played (waitPlayed also waits for it to stop arriving). */
async function greeted(caller: TwilioCaller): Promise<void> {
  await caller.waitFor(() => caller.acked.length > 0, 'greeting');
  await caller.waitPlayed();
}

const scenarios = [
  rtScenario('bye', `
opening:
  - say: Hello, thanks for calling the test line.
turns:
  - caller: That's everything, bye.
    agent:
      - say: ${GOODBYE}
        endCall: { reason: caller_done }
`),
  rtScenario('person', `
opening:
  - say: Hello, thanks for calling the test line.
turns:
  - caller: Can I talk to a person please?
    agent:
      - say: Of course, I'm connecting you to a member of our team now, please hold the line.
        call: { tool: transfer_to_human, args: { reason: caller asked for a person } }
`),
];

describe('the agent ends the call', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ scenarios, audio: 'pcmu' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('hangs up only after the goodbye has been heard', async () => {
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/bye', speed: 4 });
    await greeted(caller);
    const before = caller.media().length;
    const marksBefore = sentMarks(caller).length;
    await caller.say("That's everything, bye.");

    const hangUp = await h.twilio.waitFor((r) => r.kind === 'call_update' && r.callSid === caller.callSid, 20_000);
    expect(hangUp.form.Status ?? hangUp.form.Twiml).toBeDefined();
    // At the moment the hang-up was requested, the whole goodbye had been sent and played back.
    const goodbyeFrames = caller.media().length - before;
    expect(goodbyeFrames).toBeGreaterThan(100); // ~5 s of speech at 20 ms a frame
    const goodbyeMarks = sentMarks(caller).slice(marksBefore);
    expect(goodbyeMarks.length).toBeGreaterThan(0);
    expect(caller.acked).toEqual(expect.arrayContaining(goodbyeMarks));

    const row = await eventually(async () => {
      const r = await h.store.calls.getBySid(caller.callSid);
      return r?.endedAt ? r : undefined;
    }, 'finalised call row');
    expect(row.endReason).toBe('agent_hangup');
    await caller.close();
  }, 60_000);

  it('transfers to the vertical\'s human number after the announcement is heard', async () => {
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/person', speed: 4 });
    await greeted(caller);
    const marksBefore = sentMarks(caller).length;
    await caller.say('Can I talk to a person please?');

    const transfer = await h.twilio.waitFor((r) => r.kind === 'call_update' && r.callSid === caller.callSid, 20_000);
    expect(transfer.form.Twiml).toContain(`<Number>${HUMAN_NUMBER}</Number>`);
    const announcementMarks = sentMarks(caller).slice(marksBefore);
    expect(announcementMarks.length).toBeGreaterThan(0);
    expect(caller.acked).toEqual(expect.arrayContaining(announcementMarks));

    const invocation = await eventually(async () => {
      const call = await h.store.calls.getBySid(caller.callSid);
      const { rows } = await h.store.db.query<{ status: string }>(
        `SELECT status FROM tool_invocations WHERE call_id = $1 AND tool_name = 'transfer_to_human'`, [call?.id]);
      return rows[0]?.status === 'running' ? undefined : rows[0];
    }, 'transfer_to_human recorded');
    expect(invocation.status).toBe('ok');
    await caller.close();
  }, 60_000);
});
