/**
 * Cross-checks a scenario against the vertical it drives: every scripted tool call must be a
 * tool of the agent speaking at that point, every handoff must be one that agent offers, and
 * expectations must name agents and tools that exist.
 */
import type { Manifest } from '../manifest/index.js';
import { formatDocPath, type DocPath } from './yamlPositions.js';
import { END_CALL_TOOL, type ModelStep, type Scenario } from './schema.js';
import type { ScenarioProblem } from './load.js';

type ManifestShape = Pick<Manifest, 'entryAgent'> & { agents: Pick<Manifest['agents'][number], 'name' | 'tools' | 'handoffs'>[] };

export function checkScenarioAgainstManifest(scenario: Scenario, manifest: ManifestShape): ScenarioProblem[] {
  const file = scenario.file ?? scenario.id;
  const problems: ScenarioProblem[] = [];
  const at = (path: DocPath, message: string): void => {
    problems.push({ file, line: scenario.lineOf?.(path) ?? 0, path: formatDocPath(path), message });
  };
  const agents = new Map(manifest.agents.map((a) => [a.name, a]));
  const allTools = new Set(manifest.agents.flatMap((a) => a.tools));
  let current = agents.get(manifest.entryAgent);

  const walk = (steps: readonly ModelStep[], base: DocPath): void => {
    steps.forEach((step, i) => {
      const path = [...base, i];
      if (!current) return;
      if (step.call && !current.tools.includes(step.call.tool)) {
        at([...path, 'call', 'tool'], `agent "${current.name}" has no tool "${step.call.tool}"`);
      }
      if (step.endCall && !current.tools.includes(END_CALL_TOOL)) {
        at([...path, 'endCall'], `agent "${current.name}" has no "${END_CALL_TOOL}" tool`);
      }
      if (step.handoff) {
        if (!agents.has(step.handoff)) at([...path, 'handoff'], `unknown agent "${step.handoff}"`);
        else if (!current.handoffs.includes(step.handoff)) at([...path, 'handoff'], `agent "${current.name}" cannot hand off to "${step.handoff}"`);
        current = agents.get(step.handoff) ?? current;
      }
    });
  };
  walk(scenario.opening, ['opening']);
  scenario.turns.forEach((turn, t) => walk(turn.agent, ['turns', t, 'agent']));

  scenario.expect.handoffs.forEach((name, i) => {
    if (!agents.has(name)) at(['expect', 'handoffs', i], `unknown agent "${name}"`);
  });
  scenario.expect.tools.forEach((tool, i) => {
    if (!allTools.has(tool.name)) at(['expect', 'tools', i, 'name'], `no agent has a tool "${tool.name}"`);
  });
  return problems;
}
