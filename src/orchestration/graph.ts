/**
 * Compiles a loaded vertical into the Agents SDK handoff graph: one RealtimeAgent per manifest
 * agent, its resolved instructions, its registry tools as SDK function tools, and handoffs to
 * the agents it names (cycles allowed: every agent is built first, handoffs assigned after).
 *
 * The graph is built once per vertical version and shared by every call of that version, so it
 * holds no per-call state: a call's data reaches tools through the RealtimeSession context.
 */
import { RealtimeAgent } from '@openai/agents/realtime';
import type { FunctionTool } from '@openai/agents';
import type { LoadedVertical, Manifest } from '../manifest/index.js';
import { handoffToolName } from '../manifest/index.js';
import { AppError } from '../shared/index.js';
import { toSdkTool, type AnyToolDefinition, type SwitchboardRunContext, type ToolRegistry } from '../toolkit/index.js';

/** Every call's session context: the per-call tool environment under `switchboard`. */
export type CallAgent = RealtimeAgent<SwitchboardRunContext>;

/** Turns a registry tool into the SDK tool the model sees (the toolkit's `toSdkTool`). */
// The SDK's tool type is contravariant in its context; graphs are built for any session context.
export type ToolAdapter = (def: AnyToolDefinition) => FunctionTool<any, any, any>;

export interface AgentNode {
  name: string;
  agent: CallAgent;
  /** Registry tool names, as the model sees them. */
  tools: string[];
  /** Agent names this one can hand off to. */
  handoffs: string[];
  /** The SDK tool names of those handoffs (`transfer_to_<Name>`). */
  handoffTools: string[];
  /** Its voice (see agentVoices). */
  voice: string | undefined;
}

export interface AgentGraph {
  entry: CallAgent;
  agents: ReadonlyMap<string, CallAgent>;
  /** What each agent was built from, for listings and call records. */
  nodes: ReadonlyMap<string, AgentNode>;
}

export interface BuildGraphOptions {
  /** Defaults to the toolkit's `toSdkTool`; tests may pass another adapter. */
  toTool?: ToolAdapter;
}

export class GraphBuildError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('GRAPH_BUILD_FAILED', message, options);
  }
}

/**
 * The voice each agent speaks with, by name: its own, else the default language's (else the
 * first supported language's). Settled once per version; a call looks it up, never derives it.
 */
export function agentVoices(manifest: Pick<Manifest, 'agents' | 'languages'>): Map<string, string | undefined> {
  const { languages } = manifest;
  const fallback = (languages.supported.find((l) => l.code === languages.default) ?? languages.supported[0])?.voice;
  return new Map(manifest.agents.map((a) => [a.name, a.voice ?? fallback]));
}

/** A tool every agent of a multi-language vertical gets, so a caller can ask for another language. */
export const LANGUAGE_TOOL = 'switch_language';

/** An agent's tools: its own, plus `switch_language` when the vertical speaks several languages. */
export function agentTools(tools: readonly string[], manifest: Pick<Manifest, 'languages'>, registry: ToolRegistry): string[] {
  const own = [...tools];
  if (manifest.languages.supported.length > 1 && !own.includes(LANGUAGE_TOOL) && registry.get(LANGUAGE_TOOL)) own.push(LANGUAGE_TOOL);
  return own;
}

export function buildAgentGraph(loaded: LoadedVertical, registry: ToolRegistry, options: BuildGraphOptions = {}): AgentGraph {
  const { manifest } = loaded;
  const toTool = options.toTool ?? toSdkTool;
  const voices = agentVoices(manifest);
  // One SDK tool object per registry tool, shared by every agent that lists it.
  const sdkTools = new Map<string, ReturnType<ToolAdapter>>();
  const sdkTool = (name: string, agentName: string): ReturnType<ToolAdapter> => {
    const existing = sdkTools.get(name);
    if (existing) return existing;
    const def = registry.get(name);
    if (!def) throw new GraphBuildError(`${manifest.id}: agent "${agentName}" uses unknown tool "${name}"`);
    let built: ReturnType<ToolAdapter>;
    try {
      built = toTool(def);
    } catch (err) {
      throw new GraphBuildError(`${manifest.id}: tool "${name}" cannot be given to the model: ${(err as Error).message}`, { cause: err });
    }
    sdkTools.set(name, built);
    return built;
  };

  const agents = new Map<string, CallAgent>();
  const nodes = new Map<string, AgentNode>();
  for (const spec of manifest.agents) {
    const instructions = loaded.instructions.get(spec.name);
    if (instructions === undefined) throw new GraphBuildError(`${manifest.id}: agent "${spec.name}" has no resolved instructions`);
    const voice = voices.get(spec.name);
    const agent = new RealtimeAgent<SwitchboardRunContext>({
      name: spec.name,
      handoffDescription: spec.description,
      instructions,
      tools: agentTools(spec.tools, manifest, registry).map((t) => sdkTool(t, spec.name)),
      ...(voice === undefined ? {} : { voice }),
    });
    agents.set(spec.name, agent);
    nodes.set(spec.name, {
      name: spec.name, agent, tools: agentTools(spec.tools, manifest, registry), handoffs: [...new Set(spec.handoffs)],
      handoffTools: [...new Set(spec.handoffs)].map(handoffToolName), voice,
    });
  }
  for (const node of nodes.values()) {
    node.agent.handoffs = node.handoffs.map((target) => {
      const to = agents.get(target);
      if (!to) throw new GraphBuildError(`${manifest.id}: agent "${node.name}" hands off to unknown agent "${target}"`);
      return to;
    });
  }
  const entry = agents.get(manifest.entryAgent);
  if (!entry) throw new GraphBuildError(`${manifest.id}: entry agent "${manifest.entryAgent}" does not exist`);
  return { entry, agents, nodes };
}
