/**
 * The cut-over delay of a realtime language switch against the emulator: salon/booking-es (greeting
 * in English, every caller turn in Spanish) run N times through the same harness the integration
 * test uses (real gateway, CallManager, Twilio carrier against the fake Twilio API, call simulator,
 * emulator, Postgres in random schemas dropped at the end). Each call's `language_switch` latency
 * sample is the time from the detector's decision to the new session taking over.
 */
import { startVerticalSimulation } from '../../test/integration/verticalSimulation.js';

export interface CutoverResult {
  runs: number;
  samplesMs: number[];
  /** Calls whose record held no language_switch sample (the switch did not happen). */
  missing: number;
}

export async function measureCutover(runs: number, log: (line: string) => void): Promise<CutoverResult> {
  const sim = await startVerticalSimulation('salon');
  const samplesMs: number[] = [];
  let missing = 0;
  try {
    for (let i = 0; i < runs; i++) {
      await sim.reset();
      const run = await sim.run('booking-es');
      const { rows } = await sim.store.db.query<{ value_ms: number }>(
        `SELECT s.value_ms FROM latency_samples s JOIN calls c ON c.id = s.call_id
          WHERE c.call_sid = $1 AND s.metric = 'language_switch'`, [run.call!.callSid],
      );
      if (rows.length === 0) missing++;
      for (const r of rows) samplesMs.push(Number(r.value_ms));
      log(`language: booking-es run ${i + 1}/${runs}: switch ${rows.map((r) => `${Number(r.value_ms)} ms`).join(', ') || 'none'}`);
    }
  } finally {
    await sim.close();
  }
  return { runs, samplesMs, missing };
}
