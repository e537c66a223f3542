import { healthcareTools } from '../../../../tools/healthcare/index.js';
import { describeScenarioSuite, verticalScenarios } from '../scenarioCoverage.js';

describeScenarioSuite('healthcare', healthcareTools);

describe('healthcare scenario scripts', () => {
  it('call every tool with arguments its input schema accepts (except the deliberately impossible date)', async () => {
    const bad: string[] = [];
    for (const s of await verticalScenarios('healthcare')) {
      for (const step of [...s.opening, ...s.turns.flatMap((t) => t.agent)]) {
        if (!step.call) continue;
        const def = healthcareTools.find((d) => d.name === step.call!.tool)!;
        const ok = def.input.safeParse(step.call.args).success;
        const meantToFail = JSON.stringify(step.call.args).includes('2027-02-30');
        if (ok === meantToFail) bad.push(`${s.id}: ${step.call.tool} ${JSON.stringify(step.call.args)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('include the emergency path, where nothing but triage happens', async () => {
    const emergency = (await verticalScenarios('healthcare')).find((s) => s.name === 'chest-pain-emergency')!;
    expect(emergency.expect.notTools).toEqual(expect.arrayContaining(['hc_book_appointment', 'hc_transfer_to_human']));
  });
});
