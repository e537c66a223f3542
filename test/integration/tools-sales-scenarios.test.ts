/**
 * The sales scenarios end to end through the Twilio path (see tools-real-estate.simulate.ts), each
 * from fresh seed data, on the cascade engine the sales manifest declares: the emulator's
 * transcription session, its Responses API peer playing the scenario, its ElevenLabs TTS peer.
 */
import { startVerticalSimulation, type VerticalSimulation } from './verticalSimulation.js';

let sim: VerticalSimulation;

beforeAll(async () => {
  sim = await startVerticalSimulation('sales');
}, 60_000);

afterAll(async () => {
  await sim?.close();
}, 60_000);

describe('sales scenarios through the Twilio path', () => {
  it('has the five scenarios', () => {
    // The Spanish scenarios (`-es`) run in language-scenarios.test.ts.
    expect(sim.scenarios.filter((s) => !s.name.endsWith('-es')).map((s) => s.name)).toEqual(['demo-booking', 'demo-reschedule', 'long-answer-barge-in', 'pricing-objection-quote', 'product-questions']);
  });

  for (const name of ['demo-booking', 'pricing-objection-quote', 'product-questions', 'long-answer-barge-in', 'demo-reschedule']) {
    it(`passes sales/${name}`, async () => {
      await sim.reset();
      const run = await sim.run(name);
      expect(run.call!.problems).toEqual([]);
      const row = await sim.store.calls.getBySid(run.call!.callSid);
      expect(row?.engine).toBe('emulator/cascade');
      // Every stage of a cascaded turn is on the record.
      const metrics = new Set((await sim.store.latency.list(row!.id)).map((s) => s.metric));
      for (const stage of ['turn.transcription', 'turn.text_request', 'turn.first_text_token', 'turn.first_tts_audio', 'turn.speech_end_to_first_audio']) expect(metrics).toContain(stage);
    }, 180_000);
  }

  it('passes the reschedule again on the same data (its rows check: exactly one upcoming demo, on Monday at two)', async () => {
    const run = await sim.run('demo-reschedule');
    expect(run.ok).toBe(true);
  }, 180_000);
});
