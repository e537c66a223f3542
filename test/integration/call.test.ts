/**
 * Calls through the real Twilio path (webhook + Media Streams socket) into the CallManager,
 * against the emulator, with records checked in Postgres.
 */
import { eventually, rtScenario, startHarness, RT_NUMBER, type Harness } from './realtimeHarness.js';
import { TwilioCaller } from './twilioCaller.js';

const scenarios = [
  rtScenario('tour', `
opening:
  - say: Hello, thanks for calling the test line.
turns:
  - caller: When are you open on monday?
    agent:
      - call: { tool: rt_lookup, args: { day: monday } }
      - say: We are open nine to five.
  - caller: I have a question about my bill.
    agent:
      - handoff: Billing
      - say: Billing here, how can I help?
`),
];

describe.each(['pcmu', 'pcm24k'] as const)('a call through the Twilio path (model audio %s)', (audio) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ scenarios, audio });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('greets, runs a tool, hands off, and records the call', async () => {
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/tour', speed: 4 });
    // The greeting arrives as exact 20 ms μ-law frames with marks for playback tracking.
    await caller.waitFor(() => caller.acked.length > 0 && caller.media().length > 20, 'greeting audio');
    await caller.waitPlayed();
    expect(caller.media().every((m) => m.bytes === 160)).toBe(true);
    expect(caller.out.some((o) => o.kind === 'mark')).toBe(true);
    const greetingFrames = caller.media().length;

    await caller.say('When are you open on monday?');
    await caller.waitFor(() => caller.media().length > greetingFrames + 20, 'answer after the tool');
    await caller.waitPlayed();
    const afterAnswer = caller.media().length;

    await caller.say('I have a question about my bill.');
    await caller.waitFor(() => caller.media().length > afterAnswer + 20, 'billing agent speaking');
    await caller.waitPlayed();
    await caller.hangUp();

    const row = await eventually(async () => {
      const r = await h.store.calls.getBySid(caller.callSid);
      return r?.endedAt ? r : undefined;
    }, 'finalised call row');
    expect(row.endReason).toBe('caller_hangup');
    expect(row.engine).toBe('emulator');
    expect(row.status).toBe('completed');
    expect(row.vertical).toBe('rt');

    const tools = await h.store.toolInvocations.list(row.id);
    expect(tools.map((t) => [t.toolName, t.status])).toEqual([['rt_lookup', 'ok']]);
    expect(tools[0]!.arguments).toEqual({ day: 'monday' });

    const handoffs = await h.store.handoffs.list(row.id);
    expect(handoffs.map((x) => [x.fromAgent, x.toAgent])).toEqual([['Front Desk', 'Billing']]);

    const transcript = await h.store.transcripts.list(row.id);
    const lines = transcript.map((t) => `${t.role}: ${t.text}`);
    expect(lines[0]).toBe('assistant: Hello, thanks for calling the test line.');
    expect(lines).toContain('caller: When are you open on monday?');
    expect(lines).toContain('assistant: We are open nine to five.');
    expect(lines).toContain('caller: I have a question about my bill.');
    expect(lines.at(-1)).toBe('assistant: Billing here, how can I help?');
    expect(transcript.find((t) => t.text.startsWith('Billing here'))?.agent).toBe('Billing');
    expect(transcript.every((t) => !t.interrupted)).toBe(true);

    const latency = await h.store.latency.list(row.id);
    const metrics = new Set(latency.map((l) => l.metric));
    for (const m of ['turn.speech_end_to_first_audio', 'model.first_delta', 'tool.duration', 'greeting.stream_start_to_first_audio']) {
      expect(metrics).toContain(m);
    }
    const outbox = await h.store.db.query('SELECT call_id FROM post_call_outbox WHERE call_id = $1', [row.id]);
    expect(outbox.rows).toHaveLength(1);

    // μ-law passes through untouched; otherwise the model hears 24 kHz PCM16 (3 × the samples).
    const appends = h.proxy.events.filter((e) => e.dir === 'client' && e.type === 'input_audio_buffer.append');
    const appendBytes = Buffer.from(appends[0]!.event.audio, 'base64').length;
    expect(appendBytes).toBe(audio === 'pcmu' ? 160 : 960);
    const update = h.proxy.events.find((e) => e.dir === 'client' && e.type === 'session.update' && e.event.session?.audio);
    expect(update!.event.session.audio.input.format).toEqual(audio === 'pcmu' ? { type: 'audio/pcmu' } : { type: 'audio/pcm', rate: 24000 });
    expect(update!.event.session.audio.output.format).toEqual(update!.event.session.audio.input.format);
  });
});
