/**
 * Turns a tool definition into an Agents SDK function tool. The SDK derives the strict JSON
 * schema the model sees from the zod input; our `invoke` runs the toolkit pipeline
 * (`executeTool`) with the per-call `CallToolEnv` found at `runContext.context.switchboard`.
 * One SDK tool object serves every call of every vertical.
 */
import { tool, type FunctionTool, type RunContext } from '@openai/agents';
import { createLogger } from '../observability/index.js';
import { executeTool } from './execute.js';
import type { AnyToolDefinition, CallToolEnv } from './types.js';

const log = createLogger('toolkit');

/** The shape the runtime gives the RealtimeSession as its context. */
export interface SwitchboardRunContext {
  switchboard: CallToolEnv;
}

export function callEnvOf(runContext: RunContext<unknown> | undefined): CallToolEnv | undefined {
  const ctx = runContext?.context as Partial<SwitchboardRunContext> | undefined;
  const env = ctx?.switchboard;
  return env && typeof env === 'object' && typeof env.recorder?.begin === 'function' ? env : undefined;
}

let fallbackSeq = 0;

export function toSdkTool(def: AnyToolDefinition): FunctionTool<SwitchboardRunContext> {
  const base = tool({
    name: def.name,
    description: def.description,
    // Only for the schema: invoke below validates with the full zod schema itself.
    parameters: def.input as never,
    strict: true,
    execute: async () => {
      throw new Error('unreachable: invoke is replaced');
    },
    errorFunction: null,
  }) as unknown as FunctionTool<SwitchboardRunContext>;

  const invoke: FunctionTool<SwitchboardRunContext>['invoke'] = async (runContext, input, details) => {
    const env = callEnvOf(runContext as RunContext<unknown>);
    if (!env) {
      log.error('tool called without a switchboard call context', { tool: def.name });
      return JSON.stringify({ ok: false, error: 'TOOL_UNAVAILABLE', message: 'That is not available right now.', retryable: false });
    }
    const toolCallId = details?.toolCall?.callId ?? `local_${Date.now()}_${++fallbackSeq}`;
    const outcome = await executeTool(def, input, env, toolCallId, details?.signal ? { signal: details.signal } : {});
    return outcome.output;
  };
  return { ...base, invoke };
}
