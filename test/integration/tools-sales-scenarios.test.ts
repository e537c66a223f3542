/**
 * The sales scenarios end to end through the Twilio path (see tools-real-estate.simulate.ts), each
 * from fresh seed data. The sales manifest declares the cascade engine; this build serves it on
 * the realtime engine (its declared fallback), which is what these calls run on.
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
  it('has the four scenarios', () => {
    // The Spanish scenarios (`-es`) run in language-scenarios.test.ts.
    expect(sim.scenarios.filter((s) => !s.name.endsWith('-es')).map((s) => s.name)).toEqual(['demo-booking', 'demo-reschedule', 'pricing-objection-quote', 'product-questions']);
  });

  for (const name of ['demo-booking', 'pricing-objection-quote', 'product-questions', 'demo-reschedule']) {
    it(`passes sales/${name}`, async () => {
      await sim.reset();
      const run = await sim.run(name);
      expect(run.call!.problems).toEqual([]);
    }, 180_000);
  }

  it('passes the reschedule again on the same data (its rows check: exactly one upcoming demo, on Monday at two)', async () => {
    const run = await sim.run('demo-reschedule');
    expect(run.ok).toBe(true);
  }, 180_000);
});
