/**
 * One agent on another engine: a realtime vertical whose Billing agent says `engine: cascade`.
 * The handoff to Billing switches the call to a cascade session (transcription, text agent,
 * ElevenLabs voice) for that agent, told the conversation; the caller hears Billing once, in the
 * cascade voice, and the next turn is heard and answered on cascade. Through the Twilio path.
 */
import { eventually, rtScenario, startHarness, RT_NUMBER, type Harness } from './realtimeHarness.js';
import { TwilioCaller } from './twilioCaller.js';

const GREETING = 'Hello, thanks for calling the test line.';
const BILLING_HELLO = 'Billing here, what is the question?';
const REFUND = 'I see a duplicate charge, and I will refund it today.';

const scenario = rtScenario('mixed-billing', `
opening:
  - say: ${GREETING}
turns:
  - caller: I have a question about my bill.
    agent:
      - say: Let me get billing for you.
        handoff: Billing
      - say: ${BILLING_HELLO}
  - caller: Why was I charged twice this month?
    agent:
      - say: ${REFUND}
`);

describe('an agent on the cascade engine in a realtime vertical', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      manifest: { extra: 'engine: { cascade: { tts: { provider: elevenlabs, voiceId: 21m00Tcm4TlvDq8ikWAM } } }', billing: '    engine: cascade\n    model: gpt-4.1' },
      scenarios: [scenario],
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('switches engines at the handoff: Billing speaks once, with the cascade voice, and hears the next turn', async () => {
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/mixed-billing', speed: 4 });
    await caller.waitFor(() => caller.media().length > 5, 'greeting');
    await caller.waitPlayed();
    await caller.say('I have a question about my bill.');
    const said = async () => {
      const row = await h.store.calls.getBySid(caller.callSid);
      return row ? (await h.store.transcripts.list(row.id)).filter((t) => t.role === 'assistant').map((t) => `${t.agent}: ${t.text}`) : [];
    };
    await eventually(async () => (await said()).includes(`Billing: ${BILLING_HELLO}`), 'Billing on cascade', 20_000);
    // The voice that spoke it is the ElevenLabs peer's (its messages carry a contextId).
    expect(h.proxy.events.some((e) => e.dir === 'server' && typeof e.event.contextId === 'string' && typeof e.event.audio === 'string')).toBe(true);
    await caller.waitPlayed();
    await caller.say('Why was I charged twice this month?');
    await eventually(async () => (await said()).includes(`Billing: ${REFUND}`), 'the next turn answered on cascade', 20_000);
    await caller.hangUp();
    const row = await eventually(async () => {
      const r = await h.store.calls.getBySid(caller.callSid);
      return r?.endedAt ? r : undefined;
    }, 'finalised', 20_000);
    const spoken = await said();
    expect(spoken.filter((l) => l === `Billing: ${BILLING_HELLO}`)).toHaveLength(1);
    expect(spoken[0]).toBe(`Front Desk: ${GREETING}`);
    expect(row.metadata.failovers).toBeUndefined();
    expect((await h.store.handoffs.list(row.id)).map((x) => x.toAgent)).toEqual(['Billing']);
    await caller.close();
  }, 60_000);
});
