import { z } from 'zod';
import { AppError } from '../shared/index.js';
import type { AnyToolDefinition, ToolDefinition, ToolRegistry, ToolSpec } from './types.js';

export const DEFAULT_TOOL_TIMEOUT_MS = 8000;
/** Registry names are snake_case (and valid SDK function names). */
export const TOOL_NAME_PATTERN = /^[a-z][a-z0-9_]{1,63}$/;

/**
 * Declares a tool: zod in, zod out (see src/toolkit/README.md). The input must be a `z.object`. Note the
 * Realtime/Agents SDK strict-mode rules (SDK 0.20, zod 4):
 * - every property is sent as required; an `.optional()` field is shown to the model as
 *   nullable and a `null` it sends is dropped before validation, so `.optional()` is fine;
 * - `.default()` fields become required (not nullable) for the model: prefer `.optional()` and
 *   apply the default in `execute`;
 * - `pattern`, `format`, `int` and min/max are not all carried into the schema the model sees:
 *   put the expected shape in `.describe()` ("date as YYYY-MM-DD"); validation still enforces them;
 * - no `z.record`/`z.any` with open keys (strict mode forbids additionalProperties).
 */
export function defineTool<I extends z.ZodType, O extends z.ZodType>(spec: ToolSpec<I, O>): ToolDefinition<I, O> {
  if (!TOOL_NAME_PATTERN.test(spec.name)) {
    throw new AppError('TOOL_INVALID', `tool name "${spec.name}" must be snake_case (${TOOL_NAME_PATTERN})`);
  }
  if (!(spec.input instanceof z.ZodObject)) {
    throw new AppError('TOOL_INVALID', `tool "${spec.name}": input must be a z.object(...)`);
  }
  if (!spec.description.trim()) throw new AppError('TOOL_INVALID', `tool "${spec.name}": description is empty`);
  const timeoutMs = spec.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new AppError('TOOL_INVALID', `tool "${spec.name}": timeoutMs must be a positive number`);
  }
  return Object.freeze({ ...spec, timeoutMs });
}

/** Builds the registry by name; a name defined twice is an error at start-up. */
export function createRegistry(definitions: readonly AnyToolDefinition[]): ToolRegistry {
  const byName = new Map<string, AnyToolDefinition>();
  for (const def of definitions) {
    if (byName.has(def.name)) throw new AppError('TOOL_DUPLICATE', `tool "${def.name}" is defined twice`);
    byName.set(def.name, def);
  }
  return {
    get: (name) => byName.get(name),
    has: (name) => byName.has(name),
    names: () => [...byName.keys()].sort(),
  };
}
