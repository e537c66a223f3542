/**
 * The seam between a call and the model that talks on it. A call session speaks only to a
 * `ModelSession` and hears back only typed `ModelEvent`s: which wire protocol, SDK or pipeline
 * sits behind it (OpenAI Realtime, the local emulator, a cascade of STT → text agent → TTS) is
 * the engine's business. Events carry the few typed fields the runtime needs, never wire objects.
 */
import type { AgentGraph, SessionTemplate } from '../orchestration/index.js';
import type { SwitchboardRunContext } from '../toolkit/index.js';

/** The model side's audio: `pcmu` passes the carrier's μ-law through; `pcm24k` is transcoded at the edge. */
export type ModelAudio = 'pcmu' | 'pcm24k';

export type EngineKind = 'openai' | 'emulator';

/** How a session makes speech: one speech-to-speech model, or speech-to-text → text agent → text-to-speech. */
export type EnginePipeline = 'realtime' | 'cascade';

/** A session's answers: spoken (audio with its transcript) or written (text only, for chat). */
export type ModelOutput = 'audio' | 'text';

/** One line of the conversation so far, told to a fresh session after a reconnect. */
export interface ReplayItem {
  role: 'caller' | 'assistant' | 'system';
  text: string;
}

/**
 * A model audio chunk. The one event per 20–100 ms of speech: engines build it with a single
 * allocation (the OpenAI engine reads it from the wire text without parsing).
 */
export interface AudioDeltaEvent {
  type: 'audio_delta';
  /** Base64 audio in the session's output format. */
  delta: string;
  itemId: string;
  responseId: string;
  contentIndex: number;
  /** `performance.now()` when it arrived. */
  receivedAtMs: number;
}

/** Why the service failed a response or sent an error: its type and code, and the back-off it asked for. */
export interface ModelFailure {
  errorType: string | undefined;
  code: string | undefined;
  /** "Please try again in 1.5s": the wait the service named, in ms. */
  retryAfterMs: number | undefined;
}

/** Everything a model session tells its call, as a discriminated union on `type`. */
export type ModelEvent =
  | AudioDeltaEvent
  /** The caller started talking (the barge-in trigger); `receivedAtMs` is `performance.now()`. */
  | { type: 'speech_started'; receivedAtMs: number }
  | { type: 'speech_stopped'; receivedAtMs: number }
  /** The caller's audio item was transcribed. */
  | { type: 'caller_transcript'; itemId: string; transcript: string }
  /** A caller item entered the conversation: spoken (`audio`) or typed (`text`, e.g. DTMF). */
  | { type: 'caller_item_added'; itemId: string; audio: boolean; text: string | undefined }
  /** The model started an assistant message. */
  | { type: 'assistant_item_added'; itemId: string; responseId: string }
  | { type: 'response_created'; responseId: string | undefined }
  /**
   * `usage`: the response's token counts, when the engine reports them. `failure`: the response
   * ended `failed` (what the service said went wrong; `retryAfterMs` when it named a back-off).
   */
  | {
    type: 'response_done'; responseId: string | undefined; usage?: { inputTokens: number; outputTokens: number } | undefined;
    failure?: ModelFailure | undefined;
  }
  /** No more audio will come for this item. */
  | { type: 'output_audio_done'; itemId: string; responseId: string }
  /**
   * Words of an assistant item's transcript as they are generated: what it has said so far is
   * known when the call ends (or the connection drops) before its transcript is done.
   */
  | { type: 'assistant_transcript_delta'; itemId: string; delta: string }
  /** `heard`: the transcript is already cut to what the caller heard (the engine knew it from alignment). */
  | { type: 'assistant_transcript_done'; itemId: string; transcript: string; heard?: boolean }
  /** Words of the caller's turn so far (a partial transcript, engines that stream them). */
  | { type: 'caller_transcript_partial'; itemId: string; text: string }
  /**
   * A stage of a cascaded turn was reached (`performance.now()`): the text model asked (the
   * request leaves), its first token, the voice's first audio.
   */
  | { type: 'stage_reached'; stage: CascadeStage; receivedAtMs: number }
  /** An assistant message is fully generated (`transcript` when the engine knows it). */
  | { type: 'assistant_item_done'; itemId: string; responseId: string; transcript: string | undefined }
  /** The model called a tool with arguments that are not JSON; the engine answered it already. */
  | { type: 'function_call_invalid'; name: string; callId: string; arguments: string; answer: string }
  | { type: 'handoff'; from: string; to: string }
  | { type: 'tool_start'; name: string; callId: string | undefined }
  | { type: 'tool_end'; name: string; callId: string | undefined; result: string }
  /** The engine asked for the current response to stop (an output guardrail, say). */
  | { type: 'interrupt_requested' }
  /** An error from the model service (`origin: 'server'`) or the engine's own runtime (`'engine'`). Never caller content. */
  | { type: 'model_error'; origin: 'server' | 'engine'; code: string | undefined; errorType: string | undefined; retryAfterMs?: number | undefined }
  /** The model connection closed; `expected` when we closed it. */
  | { type: 'socket_closed'; code: number; reason: string; expected: boolean };

export type ModelEventType = ModelEvent['type'];

export type CascadeStage = 'text_request' | 'first_text_token' | 'first_tts_audio';

/** A session has exactly one listener: its call. */
export type ModelEventListener = (event: ModelEvent) => void;

/**
 * A change to a live session. Every field is optional; what is given replaces the current value.
 * `agent` switches to another agent of the graph (its instructions and tools); `instructions`
 * overrides the current agent's for this session; `voice` and `template` (turn detection,
 * transcription language) serve a language switch.
 */
export interface ModelSessionUpdate {
  agent?: string;
  instructions?: string;
  voice?: string;
  template?: SessionTemplate;
  /** Appended to every agent's instructions from now on, handoffs included (a language's overlay). */
  overlay?: string;
}

export interface ModelSessionOptions {
  /** The call's compiled agents. */
  graph: AgentGraph;
  /** The agent the session starts with (the entry agent, or the one a reconnect resumes). */
  agent: string;
  /** Tools reach the call through this. */
  context: SwitchboardRunContext;
  template: SessionTemplate;
  voice: string | undefined;
  connectTimeoutMs: number;
  listener: ModelEventListener;
  /** What the model answers with: speech (calls; the default) or text only (chat). */
  output?: ModelOutput;
}

/** Why a response is cancelled: a barge-in lets engines whose server stops by itself skip it. */
export type CancelCause = 'barge_in' | 'request';

export interface ModelSession {
  /** Connected and configured: caller audio flows. */
  readonly isOpen: boolean;
  /**
   * `update` changes voice, transcription language and instructions of this very session (the
   * cascade engine): a language switch needs no second session. False or absent: a realtime
   * session, whose voice is fixed once it has spoken.
   */
  readonly switchesInPlace?: boolean;
  /** Bytes queued on the model socket, when the engine has one (backpressure signal). */
  readonly bufferedAmount?: number;
  /** The agent talking now (follows handoffs). */
  readonly currentAgent: string;
  /** Opens and configures the session; rejects (and closes) on failure or timeout. */
  connect(): Promise<void>;
  /** One carrier frame of caller audio in the model's input format; false when it could not be sent. */
  append(audioBase64: string): boolean;
  /** A response whose words we choose (greeting, silence prompt, goodbye). */
  say(text: string): void;
  /** A response from the model's own judgement. */
  respond(): void;
  /** A caller text item (DTMF digits) and a response to it. */
  sendUserText(text: string): void;
  /** Cuts an assistant item to what the caller heard. */
  truncate(itemId: string, contentIndex: number, audioEndMs: number): void;
  /** Stops the active response; on `barge_in` only when the engine would not stop it by itself. */
  cancelResponse(cause: CancelCause): void;
  update(update: ModelSessionUpdate): Promise<void>;
  /** Tells a fresh session the conversation so far (after a reconnect). */
  replay(items: readonly ReplayItem[]): void;
  /** Answers a function call ourselves. */
  answerFunctionCall(callId: string, output: string): void;
  /** Idempotent; afterwards only `socket_closed` (expected) and late handoff/tool outcomes follow. */
  close(): void;
}

/** An engine chosen for a call: it opens that call's model sessions (one, or more after failovers). */
export interface ModelEngine {
  readonly kind: EngineKind;
  /** `realtime` unless said otherwise. */
  readonly pipeline?: EnginePipeline;
  readonly audio: ModelAudio;
  readonly model: string;
  /** Where sessions connect, for logs and diagnostics (no secrets). */
  readonly endpoint: string;
  /**
   * A vertical whose agents choose different engines: which one serves `agent` (`open` opens
   * that one). Absent, every agent is on `pipeline`.
   */
  pipelineFor?(agent: string): EnginePipeline;
  open(options: ModelSessionOptions): ModelSession;
}
