/** The only API `tools/` sees (plus the SDK adapter the orchestration and runtime use). */
export type * from './types.js';
export { ToolError, isToolError } from './errors.js';
export { defineTool, createRegistry, DEFAULT_TOOL_TIMEOUT_MS, TOOL_NAME_PATTERN } from './define.js';
export { executeTool, idempotencyKeyFor, describeIssues, stripNulls, stripOptionalNulls } from './execute.js';
export type { ToolOutcome, ToolOutcomeStatus, ExecuteToolOptions } from './execute.js';
export { toSdkTool, callEnvOf } from './sdk.js';
export type { SwitchboardRunContext } from './sdk.js';
export { MemoryToolInvocationRecorder } from './memoryRecorder.js';
export { sensitive, isSensitive, hasSensitiveFields, redactSensitive, REDACTED } from './sensitive.js';
export type { MemoryInvocation } from './memoryRecorder.js';
/** Database error facts a tool may branch on (without importing a driver). */
export { sqlState, violatedConstraint, isUniqueViolation, isExclusionViolation } from '../shared/index.js';
