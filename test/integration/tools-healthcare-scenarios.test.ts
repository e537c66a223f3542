/**
 * The healthcare scenarios end to end through the Twilio path (real gateway, CallManager, the
 * emulator playing each script, the hc_* tools on Postgres; harness shared with the other
 * verticals), each from fresh seed data, then the booking again on the same data: days in words
 * and idempotent re-booking keep them green whatever the date and however often they run.
 */
import { startVerticalSimulation, type VerticalSimulation } from './verticalSimulation.js';

const NAMES = ['book-appointment', 'change-of-mind', 'chest-pain-emergency', 'new-patient', 'refill-and-message', 'symptoms-to-nurse'];

let sim: VerticalSimulation;

beforeAll(async () => {
  sim = await startVerticalSimulation('healthcare');
}, 120_000);

afterAll(async () => {
  await sim?.close();
}, 60_000);

describe('healthcare scenarios through the Twilio path', () => {
  it('has the six scenarios', () => {
    // The Spanish scenarios (`-es`) run in language-scenarios.test.ts.
    expect(sim.scenarios.filter((s) => !s.name.endsWith('-es')).map((s) => s.name)).toEqual(NAMES);
  });

  for (const name of NAMES) {
    it(`passes healthcare/${name}`, async () => {
      await sim.reset();
      const run = await sim.run(name);
      expect(run.call!.problems).toEqual([]);
      // The tools did the work, not just got called: every call succeeded but the impossible date.
      const { rows } = await sim.store.db.query<{ tool_name: string; status: string; error_code: string | null }>(
        `SELECT tool_name, status, error_code FROM tool_invocations
          WHERE call_id = (SELECT id FROM calls WHERE call_sid = $1) AND left(tool_name, 3) = 'hc_' ORDER BY id`,
        [run.call!.callSid],
      );
      const failed = rows.filter((r) => r.status !== 'ok').map((r) => `${r.tool_name}:${r.error_code}`);
      expect(failed).toEqual(name === 'change-of-mind' ? ['hc_provider_availability:INVALID_ARGUMENTS'] : []);
      expect(rows.length).toBeGreaterThan(0);
    }, 240_000);
  }

  it('passes the booking and the registration again on the same data', async () => {
    for (const name of ['book-appointment', 'new-patient']) {
      const run = await sim.run(name);
      const { rows } = await sim.store.db.query<{ tool_name: string; status: string }>(
        `SELECT tool_name, status FROM tool_invocations WHERE call_id = (SELECT id FROM calls WHERE call_sid = $1)
          AND tool_name IN ('hc_book_appointment', 'hc_register_patient')`,
        [run.call!.callSid],
      );
      expect(rows.map((r) => r.status)).toEqual(['ok']);
    }
  }, 480_000);
});
