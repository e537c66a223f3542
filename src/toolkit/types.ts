/**
 * The only API `tools/` sees. A tool is declared once with `defineTool` (zod in, zod out) and
 * turned into an Agents SDK tool by `toSdkTool`; the per-call `ToolContext` reaches it through
 * the RealtimeSession's context, so one compiled agent graph serves every call of a vertical.
 */
import type { z } from 'zod';
import type { Logger } from '../observability/index.js';
import type { Db, ToolInvocationRecorder } from '../shared/index.js';

/** The database and audit contracts live in shared, so the store satisfies them without this area. */
export type {
  Db, Queryable, QueryResult, Row,
  ToolInvocationClaim, ToolInvocationOutcome, ToolInvocationRecorder, ToolInvocationStart, ToolInvocationStatus,
} from '../shared/index.js';

/** Side-effecting services a tool may use; provided per call by the runtime (fakes in tests). */
/** What a language switch did: `unsupported` when the call does not offer the language asked for. */
export interface LanguageSwitchOutcome {
  switched: boolean;
  language: string;
  reason?: 'unsupported' | 'already' | 'failed';
}

export interface ToolServices {
  /** Current time; injectable so tools are deterministic under test. */
  now(): Date;
  /** The vertical's human escalation number (manifest `fallback.humanNumber`), when it has one. */
  humanNumber?: string;
  /** Sends an SMS (Twilio Messages API in production). Returns the provider message id. */
  sms?: { send(to: string, body: string, signal?: AbortSignal): Promise<{ id: string }> };
  /** Live-call control, present only while a call is connected. */
  call?: {
    /**
     * Transfers the caller to a phone number after `announce` is spoken: cold (put straight
     * through) or warm (held while the person is briefed; resolves with the outcome, and a person
     * who does not take the call leaves the caller with the agent). `mode` defaults to the
     * manifest's `transfer.mode`.
     */
    transfer(to: string, options?: { announce?: string; reason?: string; mode?: 'cold' | 'warm' }): Promise<TransferResult | void>;
    /** Ends the call after `goodbye` is spoken. */
    hangUp(options?: { goodbye?: string; reason?: string }): Promise<void>;
  };
  /** The call's language, present on live calls: the languages it may switch to, and the switch. */
  language?: {
    current(): string;
    supported(): string[];
    /** `wanted`: a BCP-47 tag, an ISO 639-1 code or an English language name. */
    switchTo(wanted: string): Promise<LanguageSwitchOutcome>;
  };
  /** Stores a message for the business and notifies it by SMS (present during a call). */
  messages?: {
    take(message: TakenMessage, idempotencyKey: string, signal?: AbortSignal): Promise<{ messageId: number; notified: boolean }>;
  };
  /** The call's recording, when the vertical records calls. */
  recording?: {
    /** Stops it; `wasRecording` false when nothing was being recorded. */
    stop(): Promise<{ wasRecording: boolean }>;
  };
}

/** What a transfer came to. */
export type TransferResult =
  | { mode: 'cold' | 'warm'; transferred: true }
  | { mode: 'warm'; transferred: false; failure: 'no_answer' | 'busy' | 'failed' | 'declined' | 'canceled' | 'timeout' | 'error' };

/** A message taken for a person who could not come to the phone. */
export interface TakenMessage {
  callerName: string;
  callbackNumber?: string;
  message: string;
}

export interface ToolContext {
  /** Our call id (uuid), not the carrier's SID. */
  callId: string;
  vertical: string;
  /** The agent that called the tool, when known. */
  agent?: string;
  /** The model's id for this tool call. */
  toolCallId: string;
  /** Stable per (call, tool call id): the same invocation retried must not repeat a side effect. */
  idempotencyKey: string;
  /** The vertical's database, unqualified names resolving in its schema. */
  db: Db;
  logger: Logger;
  /** Aborted on timeout or when the call ends. */
  signal: AbortSignal;
  services: ToolServices;
}

export interface ToolSpec<I extends z.ZodType, O extends z.ZodType> {
  /** Registry name, snake_case, unique across the framework; also the name the model sees. */
  name: string;
  /** What the model reads to decide when to call it; write it for the model. */
  description: string;
  input: I;
  output: O;
  /** Hard ceiling for one execution; the model gets a short "took too long" message past it. */
  timeoutMs?: number;
  /**
   * True when running it twice has no extra effect (reads); false for bookings, messages, transfers.
   * A non-idempotent tool is not run again for an idempotency key whose attempt finished with a
   * failure (timeout, error, ...): that outcome is returned; an idempotent one runs again.
   */
  idempotent: boolean;
  execute(input: z.infer<I>, ctx: ToolContext): Promise<z.infer<O>>;
}

export interface ToolDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> extends ToolSpec<I, O> {
  readonly timeoutMs: number;
}

export type AnyToolDefinition = ToolDefinition<z.ZodType, z.ZodType>;

/** Tools by registry name. */
export interface ToolRegistry {
  get(name: string): AnyToolDefinition | undefined;
  has(name: string): boolean;
  names(): string[];
}

/**
 * What the runtime puts on the RealtimeSession context under `switchboard` for every call;
 * `toSdkTool` builds each invocation's ToolContext from it.
 */
export interface CallToolEnv {
  callId: string;
  vertical: string;
  db: Db;
  logger: Logger;
  services: ToolServices;
  /** Aborted when the call ends: in-flight tools stop and are recorded as cancelled. */
  callSignal: AbortSignal;
  /** Records invocations (tool_invocations table) and enforces idempotency. */
  recorder: ToolInvocationRecorder;
  /** Name of the agent currently speaking, kept up to date by the runtime. */
  currentAgent(): string | undefined;
}
