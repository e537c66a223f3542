/**
 * The vertical manifest (`verticals/<id>/vertical.yaml`): the single source of a vertical's
 * shape. Objects are strict so a misspelt key is an error, not a silently ignored setting.
 * Durations are milliseconds (`...Ms`).
 */
import { z } from 'zod';
import { webhooksSchema } from './webhooks.js';

export const E164 = /^\+[1-9]\d{6,14}$/;
/** SDK handoff/tool names must be [A-Za-z0-9_-]; registry names are snake_case. */
export const TOOL_NAME = /^[a-z][a-z0-9_]{1,63}$/;
export const VERTICAL_ID = /^[a-z][a-z0-9-]{1,39}$/;

const e164 = z.string().regex(E164, 'must be an E.164 number like +14155550100');

/** Instructions: inline text, a file under the vertical (`prompts/*.md`), or a shared fragment in `agents/`. */
export const instructionsSchema = z.union([
  z.string().min(1),
  z.strictObject({ file: z.string().min(1) }),
  z.strictObject({ fragment: z.string().min(1) }),
]);
export type InstructionsSource = z.infer<typeof instructionsSchema>;

export const agentSchema = z.strictObject({
  name: z.string().min(1).max(64),
  /** Used as the handoff description the other agents see. */
  description: z.string().min(1),
  instructions: instructionsSchema,
  /** Shared fragments from `agents/fragments/` appended after the instructions (persona, safety). */
  include: z.array(z.string().min(1)).default([]),
  tools: z.array(z.string().regex(TOOL_NAME, 'must be a snake_case tool name')).default([]),
  handoffs: z.array(z.string().min(1)).default([]),
  voice: z.string().min(1).optional(),
  /** The text model this agent thinks with on the cascade engine (default: engine.cascade.llm.model). */
  model: z.string().min(1).optional(),
  /** This agent's engine when it differs from the vertical's (`engine.type`): a handoff to it switches engines. */
  engine: z.enum(['realtime', 'cascade']).optional(),
});
export type AgentSpec = z.infer<typeof agentSchema>;

/** The fixed lines of one language (the default language takes them from greeting, limits and fallback). */
export const fixedLinesSchema = z.strictObject({
  greeting: z.string().min(1),
  silencePrompt: z.string().min(1),
  goodbye: z.string().min(1),
  fallback: z.string().min(1),
  unavailable: z.string().min(1),
});
export type FixedLines = z.infer<typeof fixedLinesSchema>;

export const languageSchema = z.strictObject({
  code: z.string().min(2),
  voice: z.string().min(1),
  /** Appended to every agent's instructions while the call is in this language. */
  instructions: z.union([z.string().min(1), z.strictObject({ file: z.string().min(1) })]).optional(),
  /** Required for every language but the default (validate reports it as file:line). */
  lines: fixedLinesSchema.optional(),
  /** The cascade engine's voice in this language (default: engine.cascade.tts). */
  tts: z.strictObject({ voiceId: z.string().min(1), model: z.string().min(1).optional() }).optional(),
});
export type LanguageSpec = z.infer<typeof languageSchema>;

export const turnDetectionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('server_vad'),
    threshold: z.number().min(0).max(1).default(0.5),
    prefixPaddingMs: z.number().int().min(0).max(2000).default(300),
    silenceDurationMs: z.number().int().min(100).max(5000).default(500),
    interruptResponse: z.boolean().default(true),
    createResponse: z.boolean().default(true),
  }),
  z.strictObject({
    type: z.literal('semantic_vad'),
    eagerness: z.enum(['auto', 'low', 'medium', 'high']).default('auto'),
    interruptResponse: z.boolean().default(true),
    createResponse: z.boolean().default(true),
  }),
]);
export type TurnDetection = z.infer<typeof turnDetectionSchema>;

export const limitsSchema = z.strictObject({
  /** Caller silence before one "are you still there?"; the same again hangs up politely. */
  silenceTimeoutMs: z.number().int().min(2000).max(600_000).default(15_000),
  silencePrompt: z.string().min(1).default('Are you still there?'),
  maxDurationMs: z.number().int().min(10_000).max(4 * 3600_000).default(20 * 60_000),
  goodbye: z.string().min(1).default('Thank you for calling. Goodbye.'),
});
export type CallLimits = z.infer<typeof limitsSchema>;

export const fallbackSchema = z.strictObject({
  /** Spoken at once when the model connection fails mid-call. */
  message: z.string().min(1).default('One moment please.'),
  retries: z.number().int().min(0).max(3).default(1),
  /** Where the caller goes when the model cannot be restored; none → a polite goodbye. */
  humanNumber: e164.optional(),
  unavailableMessage: z.string().min(1).default("I'm sorry, we're having technical trouble. Please call back shortly."),
  /** Said (in the vertical's voice, by the gateway) just before an agent's transfer that announces nothing itself. */
  transferMessage: z.string().min(1).default('Please hold while I connect you.'),
});
export type FallbackSpec = z.infer<typeof fallbackSchema>;

/** How `transfer_to_human` reaches a person (issue 18). */
export const transferSchema = z.strictObject({
  /** cold: the caller is put straight through (<Dial>); warm: held in a conference while the person is briefed. */
  mode: z.enum(['cold', 'warm']).default('cold'),
  /** How long the person's phone rings before the caller comes back to the agent. */
  ringTimeoutSec: z.number().int().min(5).max(60).default(20),
  /** Said to the caller (by Twilio) as they are put on hold. */
  holdMessage: z.string().min(1).max(300).default('Please hold while I connect you.'),
  /** What the caller hears while waiting (a TwiML or audio URL); Twilio's default hold music otherwise. */
  holdMusicUrl: z.string().url().optional(),
  /** Where `take_message` texts the message; the fallback human number otherwise. */
  messageNumber: e164.optional(),
});
export type TransferSpec = z.infer<typeof transferSchema>;

/** Call recording with the caller's consent: the line is spoken first, then Twilio records (dual channel). */
export const recordingSchema = z.strictObject({
  enabled: z.boolean().default(false),
  consentLine: z.string().min(1).max(300).default('This call is recorded. Say "stop recording" at any time if you prefer it is not.'),
});
export type RecordingSpec = z.infer<typeof recordingSchema>;

/**
 * What a caller hears when the gateway will not take the call (`server.maxCalls` reached, or
 * the instance is draining): `busy_message` says `message` and hangs up; `reject` answers busy
 * (the carrier plays a busy signal; the call is never answered); `redirect` sends the call to
 * `number` (dialled) or to another answering `url`, after `message` when given.
 */
export const overflowSchema = z.strictObject({
  policy: z.enum(['busy_message', 'reject', 'redirect']).default('busy_message'),
  message: z.string().min(1).optional(),
  number: e164.optional(),
  url: z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL').optional(),
}).refine((o) => o.policy !== 'redirect' || o.number !== undefined || o.url !== undefined, {
  message: 'policy redirect needs a number or a url', path: ['policy'],
});
export type OverflowSpec = z.infer<typeof overflowSchema>;

export const analysisFieldSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case'),
  type: z.enum(['string', 'number', 'boolean', 'enum', 'string[]']),
  description: z.string().min(1),
  values: z.array(z.string().min(1)).optional(),
  /** Heuristic extraction: keywords in the caller's words that set this field (enum: value → keywords). */
  keywords: z.record(z.string(), z.array(z.string().min(1))).optional(),
});
export type AnalysisField = z.infer<typeof analysisFieldSchema>;

export const intentRuleSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case'),
  tools: z.array(z.string()).default([]),
  agents: z.array(z.string()).default([]),
  keywords: z.array(z.string().min(1)).default([]),
});

export const rubricRuleSchema = z.strictObject({
  reason: z.string().min(1),
  points: z.number().int().min(-100).max(100),
  when: z.strictObject({
    tool: z.string().optional(),
    toolSucceeded: z.string().optional(),
    handoff: z.string().optional(),
    intent: z.string().optional(),
    keywords: z.array(z.string().min(1)).optional(),
    sentiment: z.enum(['positive', 'neutral', 'negative']).optional(),
    minCallerTurns: z.number().int().min(1).optional(),
  }),
});
export type RubricRule = z.infer<typeof rubricRuleSchema>;

/**
 * One criterion of a vertical's success rubric. With `when`, it is decided from the call's facts
 * (both analysers: deterministic); without, only a model can judge it (the heuristic reports it
 * as not evaluated).
 */
export const successCriterionSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case'),
  description: z.string().min(1),
  when: z.strictObject({
    tool: z.string().optional(),
    toolSucceeded: z.string().optional(),
    handoff: z.string().optional(),
    intent: z.string().optional(),
    /** An analysis field that must be set (not null, not an empty list). */
    fieldSet: z.string().optional(),
    /** Ended for one of these reasons (`calls.end_reason`). */
    endReasons: z.array(z.string().min(1)).min(1).optional(),
    minCallerTurns: z.number().int().min(1).optional(),
  }).optional(),
});
export type SuccessCriterion = z.infer<typeof successCriterionSchema>;

export const analysisSchema = z.strictObject({
  /** `auto`: the OpenAI analyser when a key is configured, the offline heuristic otherwise. */
  analyser: z.enum(['heuristic', 'openai', 'auto']).default('auto'),
  /**
   * The language the analysis is written in (summary, reasons, free-text fields), whatever
   * language the call was in: a BCP-47 tag or name. The OpenAI analyser writes it; the offline
   * heuristic writes English.
   */
  reportingLanguage: z.string().min(2).default('en'),
  /** Calls with fewer caller turns get a short record instead of a full analysis. */
  minCallerTurns: z.number().int().min(0).max(50).default(1),
  fields: z.array(analysisFieldSchema).default([]),
  intents: z.array(intentRuleSchema).default([]),
  leadScore: z.strictObject({
    base: z.number().int().min(0).max(100).default(0),
    rubric: z.array(rubricRuleSchema).default([]),
  }).prefault({}),
  /** What a successful call achieved: each criterion passes or fails with a reason. */
  success: z.strictObject({
    criteria: z.array(successCriterionSchema).min(1),
  }).optional(),
});
export type AnalysisSpec = z.infer<typeof analysisSchema>;

export const engineSchema = z.strictObject({
  type: z.enum(['realtime', 'cascade']).default('realtime'),
  realtime: z.strictObject({
    model: z.string().min(1).default('gpt-realtime'),
    transcriptionModel: z.string().min(1).default('gpt-4o-mini-transcribe'),
  }).prefault({}),
  cascade: z.strictObject({
    stt: z.strictObject({ provider: z.enum(['openai']).default('openai'), model: z.string().default('gpt-4o-mini-transcribe') }).optional(),
    llm: z.strictObject({ model: z.string().min(1) }).optional(),
    tts: z.strictObject({
      provider: z.enum(['elevenlabs', 'openai']),
      voiceId: z.string().min(1),
      model: z.string().min(1).optional(),
    }).optional(),
  }).optional(),
  /** What serves calls while this engine type is unavailable in this build. */
  fallback: z.enum(['realtime', 'none']).default('realtime'),
});
export type EngineSpec = z.infer<typeof engineSchema>;

/**
 * The latency budget of a turn: caller speech end to the first audio frame out. Turns over it are
 * counted (switchboard_turns_over_budget_total), marked on their span and drawn in `calls show`.
 * The stages default to the seed's split of 800 ms (150 network, 200 speech-to-text, 250 first
 * token, 150 first TTS frame, 50 edge); see src/observability/budget.ts for what each one measures.
 */
export const latencySchema = z.strictObject({
  budgetMs: z.number().int().min(50).max(10_000).default(800),
  stages: z.strictObject({
    network: z.number().int().min(0).max(10_000).default(150),
    speechToText: z.number().int().min(0).max(10_000).default(200),
    firstToken: z.number().int().min(0).max(10_000).default(250),
    firstTtsFrame: z.number().int().min(0).max(10_000).default(150),
    edge: z.number().int().min(0).max(10_000).default(50),
  }).prefault({}),
});
export type LatencySpec = z.infer<typeof latencySchema>;

export const storageSchema = z.strictObject({
  /** Postgres schema for the vertical's domain tables; defaults to v_<id>. */
  schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier').optional(),
  /** Name of an environment variable holding this vertical's own database URL (secrets stay in the environment). */
  databaseUrlEnv: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an environment variable name').optional(),
  /** Directory of forward-only SQL migrations for the domain tables, relative to the vertical. */
  migrations: z.string().min(1).default('schema'),
  /** SQL seed file relative to the vertical, run by `switchboard seed`. */
  seed: z.string().min(1).optional(),
  /** Knowledge base directory (Markdown articles) indexed for retrieval. */
  knowledge: z.string().min(1).optional(),
});
export type StorageSpec = z.infer<typeof storageSchema>;

/** Days of retention: a whole number, at least 1 (zero or negative would purge calls as they end). */
const retentionDays = z.number().int().min(1).max(36_500);

/**
 * How long a vertical keeps each kind of call content, in days after the call ended; omitted →
 * kept forever. Purging keeps the call's metadata (times, end reason, scores, intent).
 */
export const retentionSchema = z.strictObject({
  transcripts: retentionDays.optional(),
  /** Tool arguments and results in the tool audit (tool_invocations). */
  toolArguments: retentionDays.optional(),
  /** Recording references (ids, URLs) stored on the call. */
  recordings: retentionDays.optional(),
  /** The analysis' free text (summary, free-text fields, criterion reasons). */
  analysis: retentionDays.optional(),
});
export type RetentionSpec = z.infer<typeof retentionSchema>;

export const manifestSchema = z.strictObject({
  id: z.string().regex(VERTICAL_ID, 'must be lower-case letters, digits and dashes'),
  name: z.string().min(1),
  description: z.string().min(1).optional(),
  numbers: z.array(e164).default([]),
  languages: z.strictObject({
    default: z.string().min(2),
    supported: z.array(languageSchema).min(1),
  }),
  greeting: z.string().min(1),
  entryAgent: z.string().min(1),
  agents: z.array(agentSchema).min(1),
  // An omitted block is parsed from `{}` (prefault), so each inner `.default()` is the one source of its value.
  turnDetection: turnDetectionSchema.prefault({ type: 'server_vad' }),
  limits: limitsSchema.prefault({}),
  fallback: fallbackSchema.prefault({}),
  analysis: analysisSchema.prefault({}),
  engine: engineSchema.prefault({}),
  storage: storageSchema.prefault({}),
  latency: latencySchema.prefault({}),
  /** Post-call webhooks (webhooks.ts). */
  webhooks: webhooksSchema,
  transfer: transferSchema.prefault({}),
  recording: recordingSchema.prefault({}),
  retention: retentionSchema.prefault({}),
  overflow: overflowSchema.prefault({}),
});

/** The manifest as written, after defaults. */
export type Manifest = z.infer<typeof manifestSchema>;

/** Default schema name for a vertical's domain tables. */
export function verticalSchemaName(manifest: Pick<Manifest, 'id' | 'storage'>): string {
  return manifest.storage.schema ?? `v_${manifest.id.replace(/-/g, '_')}`;
}

/** The SDK's handoff tool name for an agent: `transfer_to_` + non-alphanumerics as `_`, case kept. */
export function handoffToolName(agentName: string): string {
  return `transfer_to_${agentName.replace(/[^A-Za-z0-9]/g, '_')}`;
}
