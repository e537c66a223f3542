/**
 * Post-call analysis rules may only name tools, agents and intents the vertical has: a rule
 * that names something else can never fire, which is always a mistake.
 */
import type { ToolRegistry } from '../toolkit/index.js';
import type { DocPath } from './problems.js';
import type { PathProblem } from './issues.js';
import { asList, asMap, asText, textItems } from './raw.js';

export function checkAnalysis(data: Record<string, unknown>, registry: Pick<ToolRegistry, 'has'>, problems: PathProblem[]): void {
  const analysis = asMap(data.analysis);
  if (!analysis) return;

  const agentNames = new Set<string>();
  const usedTools = new Set<string>();
  for (const raw of asList(data.agents)) {
    const agent = asMap(raw);
    const name = asText(agent?.name);
    if (name !== undefined) agentNames.add(name);
    for (const [tool] of textItems(agent?.tools)) usedTools.add(tool);
  }

  const checkTool = (tool: string, path: DocPath): void => {
    if (!registry.has(tool)) problems.push({ path, severity: 'error', message: `unknown tool "${tool}"` });
    else if (!usedTools.has(tool)) problems.push({ path, severity: 'warning', message: `tool "${tool}" is not used by any agent of this vertical, so this rule never fires` });
  };
  const checkAgent = (agent: string, path: DocPath): void => {
    if (!agentNames.has(agent)) problems.push({ path, severity: 'error', message: `unknown agent "${agent}"` });
  };

  // Intents: the named intent rules, plus the values of an enum field called `intent`.
  const intents = new Set<string>();
  const fieldNames = new Map<string, number>();
  asList(analysis.fields).forEach((raw, i) => {
    const field = asMap(raw);
    const name = asText(field?.name);
    if (!field || name === undefined) return;
    if (fieldNames.has(name)) problems.push({ path: ['analysis', 'fields', i, 'name'], severity: 'error', message: `field "${name}" is defined twice (also analysis.fields[${fieldNames.get(name)}])` });
    else fieldNames.set(name, i);
    const values = textItems(field.values).map(([v]) => v);
    if (field.type === 'enum') {
      if (values.length === 0) problems.push({ path: ['analysis', 'fields', i], severity: 'error', message: `enum field "${name}" needs "values"` });
      if (name === 'intent') for (const v of values) intents.add(v);
      for (const key of Object.keys(asMap(field.keywords) ?? {})) {
        if (values.length > 0 && !values.includes(key)) {
          problems.push({ path: ['analysis', 'fields', i, 'keywords', key], severity: 'error', message: `"${key}" is not one of the field's values (${values.join(', ')})` });
        }
      }
    }
  });
  const intentNames = new Map<string, number>();
  asList(analysis.intents).forEach((raw, i) => {
    const intent = asMap(raw);
    const name = asText(intent?.name);
    if (!intent || name === undefined) return;
    if (intentNames.has(name)) problems.push({ path: ['analysis', 'intents', i, 'name'], severity: 'error', message: `intent "${name}" is defined twice (also analysis.intents[${intentNames.get(name)}])` });
    else intentNames.set(name, i);
    intents.add(name);
    for (const [tool, k] of textItems(intent.tools)) checkTool(tool, ['analysis', 'intents', i, 'tools', k]);
    for (const [agent, k] of textItems(intent.agents)) checkAgent(agent, ['analysis', 'intents', i, 'agents', k]);
  });

  asList(asMap(analysis.leadScore)?.rubric).forEach((raw, i) => {
    const when = asMap(asMap(raw)?.when);
    if (!when) return;
    const at: DocPath = ['analysis', 'leadScore', 'rubric', i, 'when'];
    const tool = asText(when.tool);
    if (tool !== undefined) checkTool(tool, [...at, 'tool']);
    const succeeded = asText(when.toolSucceeded);
    if (succeeded !== undefined) checkTool(succeeded, [...at, 'toolSucceeded']);
    const handoff = asText(when.handoff);
    if (handoff !== undefined) checkAgent(handoff, [...at, 'handoff']);
    const intent = asText(when.intent);
    if (intent !== undefined && !intents.has(intent)) problems.push({ path: [...at, 'intent'], severity: 'error', message: `unknown intent "${intent}"` });
  });

  checkSuccess(analysis, { checkTool, checkAgent, intents, fieldNames }, problems);
}

interface NameChecks {
  checkTool(tool: string, path: DocPath): void;
  checkAgent(agent: string, path: DocPath): void;
  intents: ReadonlySet<string>;
  fieldNames: ReadonlyMap<string, number>;
}

/** The success rubric names tools, agents, intents and fields like the lead-score rubric does. */
function checkSuccess(analysis: Record<string, unknown>, names: NameChecks, problems: PathProblem[]): void {
  const seen = new Map<string, number>();
  asList(asMap(analysis.success)?.criteria).forEach((raw, i) => {
    const criterion = asMap(raw);
    const at: DocPath = ['analysis', 'success', 'criteria', i];
    const name = asText(criterion?.name);
    if (name !== undefined) {
      if (seen.has(name)) problems.push({ path: [...at, 'name'], severity: 'error', message: `criterion "${name}" is defined twice (also analysis.success.criteria[${seen.get(name)}])` });
      else seen.set(name, i);
    }
    const when = asMap(criterion?.when);
    if (!when) return;
    for (const key of ['tool', 'toolSucceeded'] as const) {
      const tool = asText(when[key]);
      if (tool !== undefined) names.checkTool(tool, [...at, 'when', key]);
    }
    const handoff = asText(when.handoff);
    if (handoff !== undefined) names.checkAgent(handoff, [...at, 'when', 'handoff']);
    const intent = asText(when.intent);
    if (intent !== undefined && !names.intents.has(intent)) problems.push({ path: [...at, 'when', 'intent'], severity: 'error', message: `unknown intent "${intent}"` });
    const field = asText(when.fieldSet);
    if (field !== undefined && !names.fieldNames.has(field)) problems.push({ path: [...at, 'when', 'fieldSet'], severity: 'error', message: `unknown analysis field "${field}"` });
  });
}
