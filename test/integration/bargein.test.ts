/**
 * Barge-in through the Twilio path: the caller talks over a long answer. `clear` reaches the
 * carrier with no audio of the interrupted answer after it, the model's item is truncated where
 * the caller's playback stopped (the last acknowledged mark), and the stored transcript keeps
 * only what was heard.
 */
import { eventually, rtScenario, startHarness, RT_NUMBER, type Harness } from './realtimeHarness.js';
import { TwilioCaller } from './twilioCaller.js';

const LONG = 'We are open Tuesday and Wednesday from nine in the morning to six in the evening, Thursday and '
  + 'Friday from nine to eight, and Saturday from eight to four. We are closed on Sundays and Mondays. '
  + 'There is free parking behind the building, entering from Oak Street, and a bus stop at the corner.';

const scenarios = [
  rtScenario('interrupt', `
opening:
  - say: Hello.
turns:
  - caller: Tell me everything about your opening hours.
    agent:
      - say: ${JSON.stringify(LONG)}
  - caller: Just Saturday please.
    agent:
      - say: Saturday we close at four.
`),
];

describe.each([true, false])('barge-in (interrupt_response %s)', (interruptResponse) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      scenarios,
      manifest: { turnDetection: `turnDetection: { type: server_vad, threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500, interruptResponse: ${interruptResponse} }` },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('clears the carrier at once, truncates at the last acknowledged mark and records what was heard', async () => {
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/interrupt', speed: 2 });
    await caller.waitFor(() => caller.media().length > 5, 'greeting');
    await caller.waitPlayed();
    const answerStart = caller.media().length;
    const ackedBeforeAnswer = caller.acked.length;

    await caller.say('Tell me everything about your opening hours.');
    // Let the caller hear about a second of the long answer (several marks acknowledged), then talk over it.
    await caller.waitFor(() => caller.played > answerStart + 50 && caller.acked.length > ackedBeforeAnswer + 5, 'a second of the answer played');
    await caller.say('Just Saturday please.');
    const clearsBefore = caller.clears.length;
    await caller.waitFor(() => caller.clears.length > clearsBefore, 'clear after barge-in');
    const clear = caller.clears.at(-1)!;
    const mediaAtClear = caller.media().filter((m) => m.index < clear.index).length;
    // The interrupted answer had not finished: the caller had queued more than it played.
    expect(mediaAtClear).toBeGreaterThan(answerStart + 50);

    await caller.waitFor(() => caller.media().length > mediaAtClear + 20, 'the short answer');
    await caller.waitPlayed();
    await caller.hangUp();

    // What the model was told: truncate the long answer exactly where the caller's acknowledged
    // playback stood (marks in flight during the clear may lag by one).
    const server = h.proxy.events;
    const bargeStarted = server.filter((e) => e.dir === 'server' && e.type === 'input_audio_buffer.speech_started').at(-1)!;
    const truncate = server.find((e) => e.dir === 'client' && e.type === 'conversation.item.truncate' && e.at >= bargeStarted.at);
    expect(truncate).toBeDefined();
    const heardMsAt = (mark: string) => caller.framesBetween(answerStart, caller.markIndex(mark)) * 20;
    const candidates = clear.ackedBefore.slice(-2).map(heardMsAt);
    expect(candidates).toContain(truncate!.event.audio_end_ms);
    expect(truncate!.event.audio_end_ms).toBeGreaterThan(500);

    // No audio of the interrupted answer after the clear: what follows is exactly the next answer.
    const longItem = truncate!.event.item_id as string;
    const after = server.filter((e) => e.dir === 'server' && e.type === 'response.output_audio.delta' && e.at > bargeStarted.at);
    const nextBytes = after.filter((e) => e.event.item_id !== longItem).reduce((n, e) => n + Buffer.from(e.event.delta, 'base64').length, 0);
    const framesAfterClear = caller.media().filter((m) => m.index > clear.index).length;
    expect(framesAfterClear).toBe(Math.ceil(nextBytes / 160));
    // The response is cancelled by us only when the server will not cancel it itself.
    const cancels = server.filter((e) => e.dir === 'client' && e.type === 'response.cancel' && e.at >= bargeStarted.at);
    expect(cancels.length).toBe(interruptResponse ? 0 : 1);

    const row = await eventually(async () => {
      const r = await h.store.calls.getBySid(caller.callSid);
      return r?.endedAt ? r : undefined;
    }, 'finalised call');
    const transcript = await h.store.transcripts.list(row.id);
    const cut = transcript.find((t) => t.itemId === longItem);
    expect(cut).toBeDefined();
    expect(cut!.interrupted).toBe(true);
    expect(cut!.text.length).toBeGreaterThan(0);
    expect(cut!.text.length).toBeLessThan(LONG.length);
    expect(LONG.startsWith(cut!.text)).toBe(true);
    const last = transcript.at(-1)!;
    expect([last.role, last.text, last.interrupted]).toEqual(['assistant', 'Saturday we close at four.', false]);
    const latency = await h.store.latency.list(row.id);
    expect(latency.some((l) => l.metric === 'bargein.speech_started_to_clear')).toBe(true);
  });
});
