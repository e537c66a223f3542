import { itHelpdeskTools } from '../../../../tools/it-helpdesk/index.js';
import { describeScenarioSuite, verticalScenarios } from '../scenarioCoverage.js';

describeScenarioSuite('it-helpdesk', itHelpdeskTools);

describe('it-helpdesk scenario scripts', () => {
  it('call every tool with arguments its input schema accepts', async () => {
    const bad: string[] = [];
    for (const s of await verticalScenarios('it-helpdesk')) {
      for (const step of [...s.opening, ...s.turns.flatMap((t) => t.agent)]) {
        if (!step.call) continue;
        const def = itHelpdeskTools.find((d) => d.name === step.call!.tool)!;
        if (!def.input.safeParse(step.call.args).success) bad.push(`${s.id}: ${step.call.tool} ${JSON.stringify(step.call.args)}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
