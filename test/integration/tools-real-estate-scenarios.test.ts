/**
 * The real-estate scenarios end to end through the Twilio path (see tools-real-estate.simulate.ts),
 * each from fresh seed data, plus a second run of the booking on the same data: days in words and
 * idempotent re-booking keep scenarios green whatever the date and however often they run.
 */
import { startVerticalSimulation, type VerticalSimulation } from './verticalSimulation.js';

let sim: VerticalSimulation;

beforeAll(async () => {
  sim = await startVerticalSimulation('real-estate');
}, 60_000);

afterAll(async () => {
  await sim?.close();
}, 60_000);

describe('real-estate scenarios through the Twilio path', () => {
  it('has the five scenarios', () => {
    // The Spanish scenarios (`-es`) run in language-scenarios.test.ts.
    expect(sim.scenarios.filter((s) => !s.name.endsWith('-es')).map((s) => s.name)).toEqual(['offer-status', 'seller-then-buyer', 'tenant-gas-leak', 'tour-booking', 'tour-change-of-mind']);
  });

  for (const name of ['tour-booking', 'seller-then-buyer', 'tour-change-of-mind', 'tenant-gas-leak', 'offer-status']) {
    it(`passes real-estate/${name}`, async () => {
      await sim.reset();
      const run = await sim.run(name);
      expect(run.call!.problems).toEqual([]);
    }, 180_000);
  }

  it('passes the booking again on the same data (the caller gets their tour back)', async () => {
    const run = await sim.run('tour-booking');
    const { rows } = await sim.store.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tool_invocations WHERE call_id = (SELECT id FROM calls WHERE call_sid = $1) AND tool_name = 're_book_tour' AND status = 'ok'`,
      [run.call!.callSid],
    );
    expect(rows[0]!.n).toBe(1);
  }, 180_000);
});
