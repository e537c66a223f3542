/**
 * The cascade engine's agents: the vertical's compiled handoff graph as Agents SDK *text* agents.
 * Each one has the realtime agent's name, instructions, handoff description and the very same
 * SDK tool objects (so tool calls run through `defineTool`, audit and all, exactly as on realtime
 * calls), its handoffs to the same agents, and its own text model. Built once per graph and
 * model map, shared by every call of that version (no per-call state).
 */
import { Agent, type Tool } from '@openai/agents';
import type { AgentGraph } from '../../orchestration/index.js';
import type { SwitchboardRunContext } from '../../toolkit/index.js';

/** Tools after which the run stops: their outcome ends the conversation. */
export const CALL_ENDING_TOOLS = ['end_call'] as const;

export type TextAgent = Agent<SwitchboardRunContext, 'text'>;

const built = new WeakMap<AgentGraph, Map<string, ReadonlyMap<string, TextAgent>>>();

/** The text agents of `graph`, each on `models.get(name) ?? defaultModel`. */
export function textAgentsFor(graph: AgentGraph, models: ReadonlyMap<string, string>, defaultModel: string): ReadonlyMap<string, TextAgent> {
  const key = `${defaultModel}|${[...models].map(([a, m]) => `${a}=${m}`).join(',')}`;
  let perGraph = built.get(graph);
  if (!perGraph) {
    perGraph = new Map();
    built.set(graph, perGraph);
  }
  const existing = perGraph.get(key);
  if (existing) return existing;
  const agents = new Map<string, TextAgent>();
  for (const [name, node] of graph.nodes) {
    const rt = node.agent;
    agents.set(name, new Agent<SwitchboardRunContext, 'text'>({
      name,
      instructions: rt.instructions as string,
      handoffDescription: rt.handoffDescription,
      // The same tool objects: they read the call's environment from any run context (toolkit/sdk.ts).
      tools: rt.tools as unknown as Tool<SwitchboardRunContext>[],
      model: models.get(name) ?? defaultModel,
      // After end_call the call is over: no further model call (the realtime engine's answer to it goes nowhere either).
      toolUseBehavior: { stopAtToolNames: [...CALL_ENDING_TOOLS] },
    }));
  }
  for (const [name, node] of graph.nodes) {
    agents.get(name)!.handoffs = node.handoffs.map((target) => agents.get(target)!);
  }
  perGraph.set(key, agents);
  return agents;
}
