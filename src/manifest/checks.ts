/**
 * Cross-reference checks a schema cannot express: tool names against the registry, handoff
 * targets, duplicate and colliding agent names, the entry agent, reachability, language tags,
 * prompt files and fragments, the directory name, and (when told what this build runs) the
 * engine. They run on the raw document (see raw.ts) so every problem of a file is reported in one pass.
 */
import { basename } from 'node:path';
import type { ToolRegistry } from '../toolkit/index.js';
import type { PathProblem } from './issues.js';
import { checkLanguages } from './languageChecks.js';
import { resolveInstructions, type InstructionEnv } from './instructions.js';
import { asList, asMap, asText, textItems } from './raw.js';
import { handoffToolName } from './schema.js';
import { checkAnalysis } from './analysisChecks.js';
import { checkWebhooks } from './webhooks.js';
import { checkCallFeatures } from './callFeatureChecks.js';

export type ToolNames = Pick<ToolRegistry, 'has'>;

export interface CheckEnv extends InstructionEnv {
  registry: ToolNames;
  /** Whether this build runs the cascade engine; undefined leaves the engine unchecked. */
  cascadeAvailable?: boolean;
  /** The environment webhook secrets (`env:NAME`) are looked up in; undefined leaves them unchecked. */
  secretsEnv?: Readonly<Record<string, string | undefined>>;
}

export interface CheckResult {
  problems: PathProblem[];
  /** Resolved instructions by agent name, for every agent whose pieces all exist. */
  instructions: Map<string, string>;
  /** Resolved per-language instruction overlays by language code. */
  languageInstructions: Map<string, string>;
}

interface AgentRef {
  name: string;
  index: number;
  spec: Record<string, unknown>;
}

function checkAgents(data: Record<string, unknown>, env: CheckEnv, problems: PathProblem[], defaultVoice: string | undefined): Map<string, string> {
  const instructions = new Map<string, string>();
  const agents: AgentRef[] = [];
  const byName = new Map<string, AgentRef>();
  const byHandoffTool = new Map<string, AgentRef>();
  // Names declared at all (even ones rejected as clashing), so a handoff to them is not also "unknown".
  const declared = new Set<string>();

  asList(data.agents).forEach((raw, index) => {
    const spec = asMap(raw);
    const name = asText(spec?.name);
    if (!spec || name === undefined) return;
    const ref = { name, index, spec };
    declared.add(name);
    const dup = byName.get(name);
    if (dup) {
      problems.push({ path: ['agents', index, 'name'], severity: 'error', message: `duplicate agent name "${name}" (also agents[${dup.index}])` });
      return;
    }
    const tool = handoffToolName(name);
    const clash = byHandoffTool.get(tool);
    if (clash) {
      problems.push({
        path: ['agents', index, 'name'], severity: 'error',
        message: `agent "${name}" and agent "${clash.name}" (agents[${clash.index}]) both hand off through the tool "${tool}"`,
      });
      return;
    }
    byName.set(name, ref);
    byHandoffTool.set(tool, ref);
    agents.push(ref);
  });

  for (const agent of agents) {
    const at = ['agents', agent.index] as const;
    const text = resolveInstructions(agent.spec, [...at], env, problems);
    if (text !== undefined) instructions.set(agent.name, text);

    const tools = new Map<string, number>();
    for (const [tool, k] of textItems(agent.spec.tools)) {
      const path = [...at, 'tools', k];
      if (tools.has(tool)) {
        problems.push({ path, severity: 'error', message: `tool "${tool}" is listed twice (also tools[${tools.get(tool)}])` });
        continue;
      }
      tools.set(tool, k);
      const owner = byHandoffTool.get(tool);
      if (owner) {
        problems.push({ path, severity: 'error', message: `tool "${tool}" has the same name as the handoff tool of agent "${owner.name}"` });
      } else if (!env.registry.has(tool)) {
        problems.push({ path, severity: 'error', message: `unknown tool "${tool}"` });
      }
    }

    const targets = new Map<string, number>();
    for (const [target, k] of textItems(agent.spec.handoffs)) {
      const path = [...at, 'handoffs', k];
      if (!declared.has(target)) {
        problems.push({ path, severity: 'error', message: `unknown agent "${target}"` });
      } else if (target === agent.name) {
        problems.push({ path, severity: 'warning', message: `agent "${target}" hands off to itself` });
      } else if (targets.has(target)) {
        problems.push({ path, severity: 'warning', message: `handoff to "${target}" is listed twice (also handoffs[${targets.get(target)}])` });
      }
      targets.set(target, k);
    }
  }

  const entry = asText(data.entryAgent);
  if (entry !== undefined && !declared.has(entry)) {
    problems.push({ path: ['entryAgent'], severity: 'error', message: `unknown agent "${entry}"` });
  }
  const entryRef = entry === undefined ? undefined : byName.get(entry);
  if (entryRef) {
    const reached = new Set([entryRef.name]);
    const queue = [entryRef];
    for (let next = queue.shift(); next; next = queue.shift()) {
      for (const [target] of textItems(next.spec.handoffs)) {
        const ref = byName.get(target);
        if (ref && !reached.has(target)) {
          reached.add(target);
          queue.push(ref);
        }
      }
    }
    for (const agent of agents) {
      if (!reached.has(agent.name)) {
        problems.push({ path: ['agents', agent.index, 'name'], severity: 'warning', message: `agent "${agent.name}" is not reachable from the entry agent "${entryRef.name}"` });
      }
    }
    // The realtime API cannot change the voice once the call has audio, so a handoff keeps the first one.
    const entryVoice = asText(entryRef.spec.voice) ?? defaultVoice;
    for (const agent of agents) {
      const voice = asText(agent.spec.voice);
      if (voice !== undefined && entryVoice !== undefined && voice !== entryVoice) {
        problems.push({
          path: ['agents', agent.index, 'voice'], severity: 'warning',
          message: `voice "${voice}" differs from the entry agent's voice "${entryVoice}"; a call cannot change voice after it has started speaking`,
        });
      }
    }
  }
  return instructions;
}

function checkNumbers(data: Record<string, unknown>, problems: PathProblem[]): void {
  const seen = new Map<string, number>();
  for (const [number, i] of textItems(data.numbers)) {
    const first = seen.get(number);
    if (first !== undefined) problems.push({ path: ['numbers', i], severity: 'error', message: `"${number}" is listed twice (also numbers[${first}])` });
    else seen.set(number, i);
  }
  const human = asText(asMap(data.fallback)?.humanNumber);
  if (human !== undefined && seen.has(human)) {
    problems.push({ path: ['fallback', 'humanNumber'], severity: 'warning', message: `"${human}" is one of this vertical's own numbers; a transfer there would loop back` });
  }
}

/** A cascade vertical this process cannot serve on cascade (no ElevenLabs key): served by realtime (warning) or not at all (error). */
function checkEngine(data: Record<string, unknown>, cascadeAvailable: boolean | undefined, problems: PathProblem[]): void {
  const engine = asMap(data.engine);
  const agents = Array.isArray(data.agents) ? data.agents : [];
  const verticalEngine = asText(engine?.type) ?? 'realtime';
  const engineOf = (a: unknown): string => asText(asMap(a)?.engine) ?? verticalEngine;
  const firstCascade = agents.findIndex((a) => engineOf(a) === 'cascade');
  if (firstCascade >= 0) {
    const tts = asMap(asMap(engine?.cascade)?.tts);
    if (asText(tts?.voiceId) === undefined) {
      const at = verticalEngine === 'cascade' ? ['engine', 'type'] : ['agents', firstCascade, 'engine'];
      problems.push({ path: at, severity: 'error', message: 'the cascade engine speaks with engine.cascade.tts.voiceId, which is not set: add engine.cascade.tts: { provider: elevenlabs, voiceId: <ElevenLabs voice id> }' });
    }
  }
  agents.forEach((a, i) => {
    if (engineOf(a) !== 'cascade' && asText(asMap(a)?.model) !== undefined) {
      problems.push({ path: ['agents', i, 'model'], severity: 'warning', message: 'model applies to the cascade engine only; this agent runs on realtime, which uses engine.realtime.model for every agent' });
    }
  });
  if (cascadeAvailable !== false || asText(engine?.type) !== 'cascade') return;
  // An absent fallback defaults to realtime; any other value is the schema's to report.
  const fallback = engine?.fallback === undefined ? 'realtime' : asText(engine.fallback);
  if (fallback === 'realtime') {
    problems.push({ path: ['engine', 'type'], severity: 'warning', message: 'the cascade engine needs ELEVENLABS_API_KEY for its voice and it is not set; calls run on the realtime engine (engine.fallback: realtime). Set ELEVENLABS_API_KEY to serve this vertical on cascade' });
  } else if (fallback === 'none') {
    problems.push({ path: ['engine', 'type'], severity: 'error', message: 'the cascade engine needs ELEVENLABS_API_KEY for its voice and it is not set, and engine.fallback is "none": set ELEVENLABS_API_KEY or engine.fallback: realtime' });
  }
}

/** Every cross-check of one manifest document (already known to be a mapping). */
export function crossCheck(data: Record<string, unknown>, env: CheckEnv): CheckResult {
  const problems: PathProblem[] = [];
  const id = asText(data.id);
  const dirName = basename(env.verticalDir);
  if (id !== undefined && id !== dirName) {
    problems.push({ path: ['id'], severity: 'error', message: `"${id}" differs from its directory name "${dirName}"` });
  }
  const { voices, overlays } = checkLanguages(data, env.verticalDir, problems);
  checkNumbers(data, problems);
  const defaultLanguage = asText(asMap(data.languages)?.default);
  const defaultVoice = defaultLanguage === undefined ? undefined : voices.get(defaultLanguage);
  const instructions = checkAgents(data, env, problems, defaultVoice);
  checkAnalysis(data, env.registry, problems);
  checkEngine(data, env.cascadeAvailable, problems);
  checkWebhooks(data, env.secretsEnv, problems);
  checkCallFeatures(data, problems);
  return { problems, instructions, languageInstructions: overlays };
}
