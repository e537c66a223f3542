export { buildAgentGraph, agentVoices, GraphBuildError } from './graph.js';
export type { AgentGraph, CallAgent, AgentNode, BuildGraphOptions, ToolAdapter } from './graph.js';
export { sessionTemplate, transcriptionLanguage, type SessionTemplate } from './session.js';
