/**
 * The brain decides what the emulated model does. It never sees audio: it gets the caller's
 * words (a scripted transcript or typed text), the session's tools and instructions, and the
 * stored conversation, and answers with one response's worth of output.
 */
import type { ConversationItem } from '../conversation.js';
import type { ScenarioFault } from '../../../scenarios/index.js';
import type { SessionResource } from '../sessionConfig.js';

export interface BrainReply {
  /** Spoken (or written, in text modality) first. */
  say?: string;
  /** Then at most one function call; `arguments` is the JSON text sent on the wire. */
  toolCall?: { name: string; arguments: string };
  /** Instead of answering, the model fails this way (a scenario's `fault` step). */
  fault?: ScenarioFault;
}

export interface BrainTurnContext {
  session: Readonly<SessionResource>;
  /** The whole stored conversation, in order. */
  items: readonly ConversationItem[];
  /** Items added since this brain's previous response (caller input, tool outputs, …). */
  newItems: readonly ConversationItem[];
  /** `response.create` → `response.instructions`, when given. */
  responseInstructions?: string;
  now: Date;
}

export type CallerInput = { kind: 'audio'; index: number } | { kind: 'text'; index: number; text: string };

export interface BrainSession {
  /**
   * The caller spoke or typed (inputs are numbered from 0 across both kinds). Returns the
   * transcript for committed audio, or null when the brain has no idea what was said.
   */
  callerInput(input: CallerInput): string | null;
  /** One response. */
  respond(ctx: BrainTurnContext): BrainReply;
  /**
   * The client told this session an earlier conversation (it created an assistant message
   * before any response): a reconnect. A scripted brain resumes after the fault that caused it.
   */
  historyRestored?(): void;
}

export interface BrainFactory {
  readonly kind: 'scripted' | 'rules';
  create(): BrainSession;
}
