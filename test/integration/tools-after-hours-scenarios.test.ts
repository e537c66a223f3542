/**
 * The after-hours scenarios end to end through the Twilio path (see tools-real-estate.simulate.ts),
 * each from fresh seed data: the burst pipe reaches the on-call technician by warm transfer, the
 * gas smell ends with "call 911" and nothing else.
 */
import { startVerticalSimulation, type VerticalSimulation } from './verticalSimulation.js';

let sim: VerticalSimulation;

beforeAll(async () => {
  sim = await startVerticalSimulation('after-hours');
}, 60_000);

afterAll(async () => {
  await sim?.close();
}, 60_000);

describe('after-hours scenarios through the Twilio path', () => {
  it('has the four scenarios', () => {
    // The Spanish scenarios (`-es`) run in language-scenarios.test.ts.
    expect(sim.scenarios.filter((s) => !s.name.endsWith('-es')).map((s) => s.name)).toEqual(['billing-then-callback', 'burst-pipe-paging', 'gas-smell', 'questions-and-message']);
  });

  it('passes after-hours/burst-pipe-paging, transferring the caller to the on-call person through Twilio', async () => {
    await sim.reset();
    const run = await sim.run('burst-pipe-paging');
    const update = await sim.twilio.waitFor((r) => r.callSid === run.call!.callSid && r.kind === 'call_update');
    expect(update.form.Twiml).toMatch(/<Dial[^>]*>\s*(<Number>)?\+155501004(1[1-5])/);
  }, 180_000);

  for (const name of ['gas-smell', 'billing-then-callback', 'questions-and-message']) {
    it(`passes after-hours/${name}`, async () => {
      await sim.reset();
      const run = await sim.run(name);
      expect(run.call!.problems).toEqual([]);
    }, 180_000);
  }
});
