/**
 * Shared checks for every vertical's scenarios: they load
 * with the scenario loader, agree with the manifest (each scripted tool belongs to the agent
 * speaking, each handoff is offered), and together call every tool of the vertical's family.
 */
import { fileURLToPath } from 'node:url';
import { loadManifest, type LoadedVertical } from '../../../src/manifest/index.js';
import { checkScenarioAgainstManifest, loadScenarios, type ModelStep, type Scenario } from '../../../src/scenarios/index.js';
import { createRegistry, type AnyToolDefinition } from '../../../src/toolkit/index.js';
import { commonTools } from '../../../tools/common/index.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function loadVertical(id: string, family: readonly AnyToolDefinition[]): LoadedVertical {
  const registry = createRegistry([...commonTools, ...family]);
  const result = loadManifest(`${ROOT}verticals/${id}/vertical.yaml`, { registry, agentsDir: `${ROOT}agents`, cwd: ROOT });
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (!result.vertical || errors.length) throw new Error(errors.map((p) => `${p.file}:${p.line} ${p.path}: ${p.message}`).join('\n'));
  return result.vertical;
}

export async function verticalScenarios(id: string): Promise<Scenario[]> {
  return (await loadScenarios(`${ROOT}verticals`, { vertical: id })).list(id);
}

const stepsOf = (s: Scenario): ModelStep[] => [...s.opening, ...s.turns.flatMap((t) => t.agent)];

/** Tool names a scenario's script calls. */
export const scriptedTools = (s: Scenario): string[] => stepsOf(s).flatMap((step) => (step.call ? [step.call.tool] : []));
export const scriptedHandoffs = (s: Scenario): string[] => stepsOf(s).flatMap((step) => (step.handoff ? [step.handoff] : []));

/** The usual suite: at least three scenarios, consistent with the manifest, every tool used. */
export function describeScenarioSuite(id: string, family: readonly AnyToolDefinition[]): void {
  describe(`${id} scenarios`, () => {
    let vertical: LoadedVertical;
    let scenarios: Scenario[];

    beforeAll(async () => {
      vertical = loadVertical(id, family);
      scenarios = await verticalScenarios(id);
    });

    it('has at least three, each consistent with the manifest', () => {
      expect(scenarios.length).toBeGreaterThanOrEqual(3);
      for (const s of scenarios) expect([s.id, checkScenarioAgainstManifest(s, vertical.manifest)]).toEqual([s.id, []]);
    });

    it('includes a path across a handoff and an awkward caller (a barge-in)', () => {
      expect(scenarios.some((s) => scriptedHandoffs(s).length >= 2)).toBe(true);
      expect(scenarios.some((s) => s.turns.some((t) => t.bargeIn))).toBe(true);
    });

    it('opens every call with the manifest greeting', () => {
      // A vertical that records says its consent line first, then the greeting.
      const consent = vertical.manifest.recording.enabled ? [vertical.manifest.recording.consentLine] : [];
      const opening = [...consent, vertical.manifest.greeting];
      for (const s of scenarios) expect([s.id, s.opening.slice(0, opening.length).map((st) => st.say)]).toEqual([s.id, opening]);
    });

    it('uses every tool of the family in some scenario', () => {
      const used = new Set(scenarios.flatMap(scriptedTools));
      const unused = family.map((d) => d.name).filter((n) => !used.has(n));
      expect(unused).toEqual([]);
    });

    it('expects only tools and agents the script actually uses', () => {
      for (const s of scenarios) {
        const tools = new Set([...scriptedTools(s), 'end_call']);
        for (const t of s.expect.tools) expect([s.id, t.name, tools.has(t.name)]).toEqual([s.id, t.name, true]);
        const handoffs = new Set(scriptedHandoffs(s));
        for (const h of s.expect.handoffs) expect([s.id, h, handoffs.has(h)]).toEqual([s.id, h, true]);
      }
    });
  });
}
