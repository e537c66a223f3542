/**
 * A caller who speaks Spanish is answered in Spanish, end to end through the Twilio path: the
 * emulator plays salon/booking-es (greeting in English, every caller turn in Spanish), the
 * gateway detects Spanish on the first turn, cuts over to a new model session with the es-US
 * voice and instructions, and the call is recorded with its language and the switch's latency.
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

it('switches a Spanish caller to es-US on the first turn and books in Spanish', async () => {
  const run = await sim.run('booking-es');
  expect(run.call!.problems).toEqual([]);
  const callId = (await sim.store.db.query<{ id: string; metadata: { language?: { current: string; initial: string; switches: { from: string; to: string; cause: string; switchMs: number }[] } } }>(
    'SELECT id, metadata FROM calls WHERE call_sid = $1', [run.call!.callSid],
  )).rows[0]!;
  const language = callId.metadata.language!;
  expect(language).toMatchObject({ current: 'es-US', initial: 'en-US' });
  expect(language.switches).toHaveLength(1);
  expect(language.switches[0]).toMatchObject({ from: 'en-US', to: 'es-US', cause: 'detected' });
  const samples = await sim.store.db.query<{ value_ms: number }>(
    "SELECT value_ms FROM latency_samples WHERE call_id = $1 AND metric = 'language_switch'", [callId.id],
  );
  expect(samples.rows).toHaveLength(1);
  // The caller heard one answer to the first turn, in Spanish: no English assistant line after the greeting.
  const { rows } = await sim.store.db.query<{ role: string; text: string }>(
    'SELECT role, text FROM transcript_items WHERE call_id = $1 ORDER BY seq', [callId.id],
  );
  const assistant = rows.filter((r) => r.role === 'assistant').map((r) => r.text);
  expect(assistant[0]).toMatch(/Luna Hair Studio/);
  expect(assistant.slice(1).every((t) => !/\b(the|let me|sure)\b/i.test(t))).toBe(true);
  expect(assistant[1]).toMatch(/Claro/);
}, 240_000);

it('starts in English and switches to Spanish mid-call at a turn boundary', async () => {
  const run = await sim.run('switch-to-spanish');
  expect(run.call!.problems).toEqual([]);
  const { rows: [call] } = await sim.store.db.query<{ metadata: { language?: { current: string; switches: { from: string; to: string; cause: string }[] } } }>(
    'SELECT metadata FROM calls WHERE call_sid = $1', [run.call!.callSid],
  );
  expect(call!.metadata.language!.switches).toEqual([expect.objectContaining({ from: 'en-US', to: 'es-US', cause: 'detected' })]);
}, 240_000);
