/**
 * The salon's change-of-mind scenario end to end through the Twilio path (the other three run
 * in simulator-salon.test.ts): an appointment found by phone, moved and cancelled by phone and
 * time, then booked again; twice on the same data, as `simulate --all` run twice would.
 */
import { startVerticalSimulation, type VerticalSimulation } from './verticalSimulation.js';

let sim: VerticalSimulation;

beforeAll(async () => {
  sim = await startVerticalSimulation('salon');
  await sim.reset();
}, 120_000);

afterAll(async () => {
  await sim?.close();
}, 60_000);

it('passes salon/change-of-mind, and again on the same data', async () => {
  for (let round = 0; round < 2; round++) {
    const run = await sim.run('change-of-mind');
    expect(run.call!.problems).toEqual([]);
    const { rows } = await sim.store.db.query<{ tool_name: string; status: string }>(
      `SELECT tool_name, status FROM tool_invocations WHERE call_id = (SELECT id FROM calls WHERE call_sid = $1) AND tool_name NOT LIKE 'transfer_to_%' ORDER BY id`,
      [run.call!.callSid],
    );
    expect(rows.map((r) => `${r.tool_name}:${r.status}`)).toEqual([
      'salon_find_appointment:ok', 'salon_check_availability:ok', 'salon_reschedule_appointment:ok',
      'salon_cancel_appointment:ok', 'salon_book_appointment:ok', 'end_call:ok',
    ]);
  }
}, 240_000);
