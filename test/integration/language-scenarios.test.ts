/**
 * One Spanish scenario per vertical (besides the salon's, in language-switch.test.ts), end to end
 * through the Twilio path: the greeting is in English, the caller speaks Spanish from the first
 * turn, the gateway switches the call to es-US once, and the vertical's tools, handoffs and rows
 * hold exactly as in the English scenario each one is modelled on. One simulation per vertical,
 * run one after another to keep the load down.
 */
import { startVerticalSimulation } from './verticalSimulation.js';

interface LanguageMetadata {
  current: string;
  initial: string;
  switches: { from: string; to: string; cause: string }[];
}

const CASES: [vertical: string, scenario: string][] = [
  ['after-hours', 'gas-smell-es'],
  ['healthcare', 'chest-pain-emergency-es'],
  ['it-helpdesk', 'ticket-follow-up-es'],
  ['real-estate', 'tenant-gas-leak-es'],
  ['sales', 'product-questions-es'],
];

it.each(CASES)('%s/%s passes in Spanish with one switch to es-US', async (vertical, scenario) => {
  const sim = await startVerticalSimulation(vertical);
  try {
    await sim.reset();
    const run = await sim.run(scenario);
    expect(run.call!.problems).toEqual([]);
    const { rows: [call] } = await sim.store.db.query<{ metadata: { language?: LanguageMetadata } }>(
      'SELECT metadata FROM calls WHERE call_sid = $1', [run.call!.callSid],
    );
    const language = call!.metadata.language!;
    expect(language).toMatchObject({ current: 'es-US', initial: 'en-US' });
    expect(language.switches).toEqual([expect.objectContaining({ from: 'en-US', to: 'es-US', cause: 'detected' })]);
  } finally {
    await sim.close();
  }
}, 180_000);
