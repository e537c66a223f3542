/**
 * One tool invocation, start to finish: claim the idempotency key, validate the arguments, run
 * with a timeout and the call's abort signal, validate the result, record the outcome. Whatever
 * happens, the model gets a short string it can act on, never an exception or a stack trace.
 */
import { z } from 'zod';
import { formatIssues, monotonicMs } from '../shared/index.js';
import { isToolError } from './errors.js';
import { hasSensitiveFields, redactSensitive } from './sensitive.js';
import type { AnyToolDefinition, CallToolEnv, ToolContext, ToolInvocationClaim, ToolInvocationStatus } from './types.js';

export type ToolOutcomeStatus = Exclude<ToolInvocationStatus, 'running'>;

export interface ToolOutcome {
  status: ToolOutcomeStatus;
  /** What goes back to the model as the function call output. */
  output: string;
  /** The validated result (ok) or the stored one (replay). */
  result?: unknown;
  errorCode?: string;
  /**
   * True when the tool did not run because the key was already answered: an earlier `ok` run, or
   * (non-idempotent tools) an earlier attempt of any outcome, whose stored result was returned.
   */
  replayed: boolean;
  durationMs: number;
}

export interface ExecuteToolOptions {
  /** Another abort source (the SDK's per-invocation signal). */
  signal?: AbortSignal;
  /** Overrides env.currentAgent(). */
  agent?: string;
}

/** The idempotency key of one model tool call within one of our calls. */
export const idempotencyKeyFor = (callId: string, toolCallId: string): string => `${callId}:${toolCallId}`;

const MAX_ISSUES_CHARS = 300;

/** zod issues as one short line the model can use to correct itself. */
export function describeIssues(error: z.ZodError): string {
  return formatIssues(error.issues, { root: 'arguments', limit: 5, separator: '; ', maxChars: MAX_ISSUES_CHARS });
}

/** Strict mode makes the model send null for fields it leaves out; drop those keys (recursively). */
export function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = stripNulls(v);
    return out;
  }
  return value;
}

/** The schema inside optional/nullable/default wrappers. */
function unwrapSchema(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (let i = 0; i < 8; i++) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    else break;
  }
  return s;
}

/**
 * As the SDK does for strict tools: a null sent for a field that accepts undefined but not null
 * means "left out". Fields that accept null keep it.
 */
export function stripOptionalNulls(schema: z.ZodType, value: unknown): unknown {
  const inner = unwrapSchema(schema);
  if (inner instanceof z.ZodObject && value && typeof value === 'object' && !Array.isArray(value)) {
    const shape = inner.shape as Record<string, z.ZodType>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const field = shape[k];
      if (!field) { out[k] = v; continue; }
      if (v === null && !field.safeParse(null).success && field.safeParse(undefined).success) continue;
      out[k] = stripOptionalNulls(field, v);
    }
    return out;
  }
  if (inner instanceof z.ZodArray && Array.isArray(value)) {
    return value.map((v) => stripOptionalNulls(inner.element as z.ZodType, v));
  }
  return value;
}

function parseInput(def: AnyToolDefinition, args: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const direct = def.input.safeParse(args);
  if (direct.success) return { ok: true, value: direct.data };
  const precise = def.input.safeParse(stripOptionalNulls(def.input, args));
  if (precise.success) return { ok: true, value: precise.data };
  const stripped = def.input.safeParse(stripNulls(args));
  if (stripped.success) return { ok: true, value: stripped.data };
  return { ok: false, message: describeIssues(direct.error) };
}

const say = (body: Record<string, unknown>): string => JSON.stringify(body);

const sensitiveSchemas = new WeakMap<z.ZodType, boolean>();
/** What the audit keeps of a value: sensitive fields redacted (the tool itself gets the real value). */
function forAudit(schema: z.ZodType, value: unknown): unknown {
  let has = sensitiveSchemas.get(schema);
  if (has === undefined) {
    has = hasSensitiveFields(schema);
    sensitiveSchemas.set(schema, has);
  }
  return has ? redactSensitive(schema, value) : value;
}

/** What the model hears for a failure the toolkit (not the tool) reports, by error code. */
const FAILURE_BODIES: Readonly<Record<string, Record<string, unknown>>> = {
  INVALID_OUTPUT: { ok: false, error: 'INVALID_OUTPUT', message: 'That did not work as expected. Please apologise and offer another way to help.', retryable: false },
  TIMEOUT: { ok: false, error: 'TIMEOUT', message: 'That took too long and was stopped. Tell the caller and offer to try again.', retryable: true },
  CANCELLED: { ok: false, error: 'CANCELLED', message: 'The call ended before this finished.', retryable: false },
  INTERNAL: { ok: false, error: 'INTERNAL', message: 'Something went wrong on our side. Please apologise and offer another way to help.', retryable: false },
};

const failureOutput = (code: string): string => say(FAILURE_BODIES[code] ?? { ok: false, error: code });

/**
 * The answer for a key a non-idempotent tool already attempted: that attempt's outcome again (a
 * ToolError's stored body is what the model heard then).
 */
function settledOutcome(claim: { status: ToolOutcomeStatus; result: unknown; errorCode?: string }, durationMs: number): ToolOutcome {
  const code = claim.errorCode ?? 'INTERNAL';
  const output = FAILURE_BODIES[code] ? failureOutput(code) : stringifyResult(claim.result);
  return { status: claim.status, errorCode: code, output, result: claim.result, replayed: true, durationMs };
}

function stringifyResult(result: unknown): string {
  if (typeof result === 'string') return result;
  return JSON.stringify(result ?? null) ?? 'null';
}

class AbortedRun extends Error {
  constructor(readonly why: 'timeout' | 'cancelled') {
    super(why);
  }
}

/**
 * Runs one invocation of `def`. `rawArgs` is the model's JSON text (or an already parsed value).
 * Never throws.
 */
export async function executeTool(
  def: AnyToolDefinition,
  rawArgs: unknown,
  env: CallToolEnv,
  toolCallId: string,
  options: ExecuteToolOptions = {},
): Promise<ToolOutcome> {
  const startedMs = monotonicMs();
  const elapsed = (): number => Math.max(0, monotonicMs() - startedMs);
  const agent = options.agent ?? safeCurrentAgent(env);
  const idempotencyKey = idempotencyKeyFor(env.callId, toolCallId);
  const logger = env.logger.child({ tool: def.name, toolCallId, callId: env.callId });

  let args: unknown = rawArgs;
  let badJson = false;
  if (typeof rawArgs === 'string') {
    try {
      args = rawArgs.trim() === '' ? {} : JSON.parse(rawArgs);
    } catch {
      badJson = true;
    }
  }

  let claim: ToolInvocationClaim;
  try {
    claim = await env.recorder.begin({
      callId: env.callId, toolCallId, toolName: def.name, idempotencyKey, arguments: forAudit(def.input, args), idempotent: def.idempotent,
      ...(agent ? { agent } : {}),
    });
  } catch (err) {
    logger.error('could not record the tool call; not running it', { err });
    return {
      status: 'error', errorCode: 'TOOL_UNAVAILABLE', replayed: false, durationMs: elapsed(),
      output: say({ ok: false, error: 'TOOL_UNAVAILABLE', message: 'That is not available right now. Please apologise and offer another way to help.', retryable: true }),
    };
  }
  if (claim.kind === 'replay') {
    logger.info('tool call replayed from its earlier result');
    return { status: 'ok', output: stringifyResult(claim.result), result: claim.result, replayed: true, durationMs: elapsed() };
  }
  if (claim.kind === 'settled') {
    logger.info('non-idempotent tool call not run again; its earlier outcome stands', { status: claim.status });
    return settledOutcome(claim, elapsed());
  }

  const finish = async (outcome: Omit<ToolOutcome, 'durationMs' | 'replayed'>, stored?: unknown): Promise<ToolOutcome> => {
    const durationMs = elapsed();
    try {
      await env.recorder.finish(idempotencyKey, {
        status: outcome.status, durationMs, result: stored,
        ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}),
      });
    } catch (err) {
      logger.error('could not record the tool outcome', { err });
    }
    logger.info('tool call finished', { status: outcome.status, errorCode: outcome.errorCode, durationMs: Math.round(durationMs) });
    return { ...outcome, replayed: false, durationMs };
  };

  if (badJson) {
    const message = 'invalid arguments: not valid JSON';
    return finish({ status: 'invalid_arguments', errorCode: 'INVALID_ARGUMENTS', output: message }, { error: 'INVALID_ARGUMENTS', message });
  }
  const parsed = parseInput(def, args);
  if (!parsed.ok) {
    const message = `invalid arguments: ${parsed.message}`;
    return finish({ status: 'invalid_arguments', errorCode: 'INVALID_ARGUMENTS', output: message }, { error: 'INVALID_ARGUMENTS', message });
  }

  const controller = new AbortController();
  let abortedBy: 'timeout' | 'cancelled' | null = null;
  let rejectAbort!: (err: AbortedRun) => void;
  const aborted = new Promise<never>((_, reject) => { rejectAbort = reject; });
  aborted.catch(() => undefined);
  const abort = (why: 'timeout' | 'cancelled'): void => {
    if (abortedBy) return;
    abortedBy = why;
    controller.abort(new AbortedRun(why));
    rejectAbort(new AbortedRun(why));
  };
  const timer = setTimeout(() => abort('timeout'), def.timeoutMs);
  const onCancel = (): void => abort('cancelled');
  const sources = [env.callSignal, options.signal].filter((s): s is AbortSignal => s !== undefined);
  for (const s of sources) {
    if (s.aborted) onCancel();
    else s.addEventListener('abort', onCancel, { once: true });
  }

  const ctx: ToolContext = {
    callId: env.callId, vertical: env.vertical, toolCallId, idempotencyKey, db: env.db, logger,
    signal: controller.signal, services: env.services,
    ...(agent ? { agent } : {}),
  };
  try {
    // Started on a later tick so even a synchronous throw lands in the catch below.
    const running = Promise.resolve().then(() => def.execute(parsed.value, ctx));
    running.catch(() => undefined);
    const result = await Promise.race([running, aborted]);
    const checked = def.output.safeParse(result);
    if (!checked.success) {
      logger.error('tool returned output that does not match its schema', { issues: describeIssues(checked.error) });
      return finish({ status: 'invalid_output', errorCode: 'INVALID_OUTPUT', output: failureOutput('INVALID_OUTPUT') }, { error: 'INVALID_OUTPUT' });
    }
    return finish({ status: 'ok', output: stringifyResult(checked.data), result: checked.data }, forAudit(def.output, checked.data));
  } catch (err) {
    if (err instanceof AbortedRun || abortedBy) {
      const why = abortedBy ?? (err as AbortedRun).why;
      if (why === 'timeout') {
        return finish({ status: 'timeout', errorCode: 'TIMEOUT', output: failureOutput('TIMEOUT') }, { error: 'TIMEOUT' });
      }
      return finish({ status: 'cancelled', errorCode: 'CANCELLED', output: failureOutput('CANCELLED') }, { error: 'CANCELLED' });
    }
    if (isToolError(err)) {
      const body = { ok: false, error: err.code, message: err.message, retryable: err.retryable };
      return finish({ status: 'error', errorCode: err.code, output: say(body) }, body);
    }
    logger.error('tool failed', { err });
    return finish({ status: 'error', errorCode: 'INTERNAL', output: failureOutput('INTERNAL') }, { error: 'INTERNAL' });
  } finally {
    clearTimeout(timer);
    for (const s of sources) s.removeEventListener('abort', onCancel);
  }
}

function safeCurrentAgent(env: CallToolEnv): string | undefined {
  try {
    return env.currentAgent();
  } catch {
    return undefined;
  }
}
