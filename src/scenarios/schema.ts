/**
 * A scenario (`verticals/<id>/scenarios/*.yaml`) is one scripted phone call: what the caller
 * says (and when), what the model does in reply (for the emulator's scripted brain), and what
 * must be true afterwards. The emulator plays the model side; the call simulator plays the
 * caller side over the carrier path; both read the same file.
 *
 * Pairing rule: the Nth committed caller speech segment (or the Nth caller text item) of a
 * connection is the Nth entry of `turns`, and its `caller` text is that segment's transcript.
 */
import { z } from 'zod';
import { E164, VERTICAL_ID, handoffToolName } from '../manifest/index.js';

/** The tool the model calls to hang up. */
export const END_CALL_TOOL = 'end_call';

const jsonArgs = z.record(z.string(), z.unknown());

/** Model failures the emulator can stage, each as the real service shows it. */
export const FAULT_KINDS = ['server_error', 'response_failed', 'rate_limit', 'stall', 'drop', 'session_expired'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * A model failure in place of a response: `server_error` (an `error` event of type
 * `server_error`), `response_failed` (`response.done` with status `failed`), `rate_limit` (a
 * failed response with code `rate_limit_exceeded` naming `retryAfterMs`), `stall` (the session
 * goes silent, socket open), `drop` (the socket dies), `session_expired` (the lifetime-cap
 * `error`, then the socket closes). A fault happens once: a session that was told the
 * conversation so far resumes the turn after it.
 */
export const faultSchema = z.strictObject({
  kind: z.enum(FAULT_KINDS),
  /** For `rate_limit`: the wait the error message names (default 1000). */
  retryAfterMs: z.number().int().min(0).max(60_000).optional(),
});
export type ScenarioFault = z.infer<typeof faultSchema>;

/** One model step: one response. It may speak, then do at most one action. */
export const modelStepSchema = z.strictObject({
  /** Spoken (audio + transcript) at the start of the response. */
  say: z.string().min(1).optional(),
  /** Calls a tool; the next step runs after the tool's output comes back. */
  call: z.strictObject({
    tool: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a tool name'),
    args: jsonArgs.default({}),
  }).optional(),
  /** Hands the call to another agent (calls `transfer_to_<agent>`). */
  handoff: z.string().min(1).optional(),
  /** Ends the call through the `end_call` tool. `true`, or the tool's arguments. */
  endCall: z.union([z.literal(true), z.strictObject({ reason: z.string().min(1).optional(), args: jsonArgs.optional() })]).optional(),
  /** The model fails instead of answering (the emulator stages it; see `faultSchema`). */
  fault: faultSchema.optional(),
}).superRefine((step, ctx) => {
  const actions = [step.call, step.handoff, step.endCall].filter((a) => a !== undefined).length;
  if (step.fault && (actions > 0 || step.say !== undefined)) ctx.addIssue({ code: 'custom', message: 'a fault step does nothing else (put what comes after it in the next step)' });
  if (actions > 1) ctx.addIssue({ code: 'custom', message: 'a step does at most one of call, handoff, endCall (use another step for the next)' });
  if (actions === 0 && step.say === undefined && !step.fault) ctx.addIssue({ code: 'custom', message: 'a step must say something or do something' });
});
export type ModelStep = z.infer<typeof modelStepSchema>;

export const callerTurnSchema = z.strictObject({
  /** What the caller says: the transcript of this speech segment, or the text item sent. */
  caller: z.string().min(1),
  /** Silence before the caller starts speaking, after the agent stopped (default 300 ms). */
  pauseMs: z.number().int().min(0).max(60_000).default(300),
  /** The caller starts speaking `afterMs` after the agent's reply starts, talking over it. */
  bargeIn: z.strictObject({ afterMs: z.number().int().min(0).max(60_000) }).optional(),
  /** The model's script after this turn: one step per response. */
  agent: z.array(modelStepSchema).default([]),
});
export type CallerTurn = z.infer<typeof callerTurnSchema>;

const sqlParam = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const toolExpectationSchema = z.strictObject({
  name: z.string().min(1),
  /** A subset of the arguments: each key present with an equal value (deep, objects as subsets). */
  args: jsonArgs.optional(),
});

export const rowExpectationSchema = z.strictObject({
  /** A query against the vertical's schema (unqualified names resolve there). */
  sql: z.string().min(1),
  params: z.array(sqlParam).default([]),
  /** Exact row count; omitted → at least one row. */
  expectRows: z.number().int().min(0).optional(),
});
export type RowExpectation = z.infer<typeof rowExpectationSchema>;

export const expectationsSchema = z.strictObject({
  /** Tools that must have been called (in this order, others may come between). */
  tools: z.array(toolExpectationSchema).default([]),
  /** Tools that must not have been called. */
  notTools: z.array(z.string().min(1)).default([]),
  /** Agents handed to, in order (names as in the manifest). */
  handoffs: z.array(z.string().min(1)).default([]),
  /** Phrases the agent says somewhere in the call (case-insensitive). */
  agentSays: z.array(z.string().min(1)).default([]),
  /** Phrases the record must not have the agent saying (the words a barge-in cut off were never heard). */
  agentNotSaid: z.array(z.string().min(1)).default([]),
  /** Agent utterances cut short by the caller: at least this many. */
  interruptions: z.number().int().min(0).optional(),
  /** How the call ends. */
  end: z.strictObject({
    by: z.enum(['agent', 'caller']).optional(),
    /** The recorded end reason, when the runtime records one. */
    reason: z.string().min(1).optional(),
  }).optional(),
  /** Rows that exist after the call. */
  rows: z.array(rowExpectationSchema).default([]),
  /** The language the call ends in (BCP-47, as recorded), e.g. after a switch. */
  language: z.string().min(2).optional(),
});
export type ScenarioExpectations = z.infer<typeof expectationsSchema>;

export const scenarioSchema = z.strictObject({
  /** Defaults to the file name without `.yaml`. */
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be lower-case letters, digits, - and _').optional(),
  description: z.string().min(1).optional(),
  /** Defaults to the vertical folder the file is in. */
  vertical: z.string().regex(VERTICAL_ID, 'must be a vertical id').optional(),
  /** Which brain plays the model: the script below, or the rule-based stand-in (caller turns only). */
  brain: z.enum(['scripted', 'rules']).default('scripted'),
  caller: z.strictObject({
    from: z.string().regex(E164, 'must be an E.164 number').optional(),
    to: z.string().regex(E164, 'must be an E.164 number').optional(),
    language: z.string().min(2).optional(),
  }).default({}),
  /** What the model does before the caller speaks (the greeting). */
  opening: z.array(modelStepSchema).default([]),
  turns: z.array(callerTurnSchema).min(1),
  /** The caller hangs up this long after the last turn's script has played, if the agent has not (default 5 s). */
  hangUpAfterMs: z.number().int().min(0).max(600_000).default(5000),
  /** Hard limit for the whole call. */
  maxDurationMs: z.number().int().min(1000).max(3_600_000).default(120_000),
  expect: expectationsSchema.default({ tools: [], notTools: [], handoffs: [], agentSays: [], agentNotSaid: [], rows: [] }),
});
export type ScenarioSpec = z.infer<typeof scenarioSchema>;

/** A loaded scenario: the spec with its identity resolved. */
export interface Scenario extends ScenarioSpec {
  name: string;
  vertical: string;
  /** `<vertical>/<name>`: the key a connection asks for (`?scenario=salon/booking`). */
  id: string;
  /** Where it came from, for messages. */
  file?: string;
  /** The source line of a path inside the file (non-enumerable; present when parsed from YAML). */
  readonly lineOf?: (path: readonly (string | number)[]) => number;
}

/** The wire tool call a step makes, if any: `{ name, args }`. Handoffs become `transfer_to_<agent>`. */
export function stepToolCall(step: ModelStep): { name: string; args: Record<string, unknown>; handoffTo?: string } | undefined {
  if (step.call) return { name: step.call.tool, args: step.call.args };
  if (step.handoff) return { name: handoffToolName(step.handoff), args: {}, handoffTo: step.handoff };
  if (step.endCall) {
    const args = step.endCall === true ? {} : step.endCall.args ?? (step.endCall.reason ? { reason: step.endCall.reason } : {});
    return { name: END_CALL_TOOL, args };
  }
  return undefined;
}
