/**
 * A `ModelSession` on OpenAI Realtime (or anything speaking its GA protocol, like our
 * emulator): our carrier transport under an SDK `RealtimeSession` that keeps the agents, tools,
 * handoffs and history. Server events are parsed once (events.ts) and turned into the typed
 * `ModelEvent`s the call listens to; the SDK's own session events (handoffs, tools) likewise.
 * Only the SDK's public surface is used.
 */
import { RealtimeSession, type RealtimeAgent } from '@openai/agents/realtime';
import { AppError } from '../../shared/index.js';
import type { SwitchboardRunContext } from '../../toolkit/index.js';
import type {
  AudioDeltaEvent, CancelCause, ModelEngine, ModelEvent, ModelSession, ModelSessionOptions, ModelSessionUpdate, ReplayItem,
} from '../modelSession.js';
import { callSessionConfig, type RealtimeEndpoint } from './config.js';
import { itemText, retryAfterMsOf, type KnownServerEvent, type ParsedServerEvent, type RealtimeWireItem } from './events.js';
import { CarrierRealtimeTransport, type TransportTap } from './transport.js';

/** Items we create when replaying a conversation carry ids starting with this. */
export const REPLAY_ITEM_PREFIX = 'replay_';

/** What we answer a function call whose arguments are not JSON. */
const INVALID_ARGUMENTS = 'invalid arguments: not valid JSON';

type CallAgent = RealtimeAgent<SwitchboardRunContext>;

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function callIdOf(toolCall: unknown): string | undefined {
  const id = (toolCall as { callId?: unknown } | undefined)?.callId;
  return typeof id === 'string' ? id : undefined;
}

export class OpenAIRealtimeModelSession implements ModelSession {
  private readonly transport: CarrierRealtimeTransport;
  private readonly session: RealtimeSession<SwitchboardRunContext>;
  private readonly emit: (event: ModelEvent) => void;
  private closed = false;
  /** `interrupt_response` as the server last echoed it (session.created/updated); false until known. */
  private serverInterrupts = false;
  /** The response a `response.cancel` went out for (one per response). */
  private cancelledResponse: string | undefined;
  private activeResponse: string | undefined;
  private template: ModelSessionOptions['template'];
  private voice: string | undefined;
  /** `update` changed the template or voice: a handoff (which re-sends the initial config) must not undo it. */
  private configOverridden = false;
  private switchingAgent = false;
  /** A language's overlay, appended to whichever agent is talking (see ModelSessionUpdate.overlay). */
  private overlay: string | undefined;

  constructor(private readonly endpoint: RealtimeEndpoint, private readonly options: ModelSessionOptions) {
    this.emit = options.listener;
    this.template = options.template;
    this.voice = options.voice;
    const tap: TransportTap = {
      onAudioDelta: (d) => this.onAudioDelta(d),
      onServerEvent: (e, t) => this.onServerEvent(e, t),
      onSocketClose: (info) => this.emit({ type: 'socket_closed', ...info }),
      onInterruptRequested: () => {
        if (!this.closed) this.emit({ type: 'interrupt_requested' });
      },
    };
    this.transport = new CarrierRealtimeTransport({ tap });
    this.session = new RealtimeSession<SwitchboardRunContext>(this.agentNamed(options.agent), {
      transport: this.transport,
      model: endpoint.model,
      context: options.context,
      config: callSessionConfig(options.template, endpoint.audio, options.voice, options.output),
      tracingDisabled: true,
      historyStoreAudio: false,
    });
    this.subscribe();
  }

  get isOpen(): boolean {
    return !this.closed && this.transport.isReady;
  }

  get bufferedAmount(): number {
    return this.transport.bufferedAmount;
  }

  get currentAgent(): string {
    return this.session.currentAgent.name;
  }

  /** Whether the server stops its own response when the caller starts talking (tests, diagnostics). */
  get serverCancelsOnSpeech(): boolean {
    return this.serverInterrupts;
  }

  async connect(): Promise<void> {
    const { connectTimeoutMs } = this.options;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AppError('MODEL_CONNECT_TIMEOUT', `model connection not ready within ${connectTimeoutMs} ms`, { retryable: true })), connectTimeoutMs);
    });
    try {
      await Promise.race([this.session.connect({ apiKey: this.endpoint.apiKey, url: this.endpoint.url }), timeout]);
    } catch (err) {
      this.close();
      throw err;
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (this.closed) throw new AppError('MODEL_LINK_CLOSED', 'the model session was closed while connecting');
    this.transport.markReady();
  }

  append(audioBase64: string): boolean {
    return this.transport.appendAudio(audioBase64);
  }

  say(text: string): void {
    this.transport.requestResponse({
      instructions: `Say exactly the following to the caller, word for word, and nothing else: "${text}"`,
      tool_choice: 'none',
    });
  }

  respond(): void {
    this.transport.requestResponse();
  }

  sendUserText(text: string): void {
    this.transport.sendMessage(text, {}, { triggerResponse: true });
  }

  truncate(itemId: string, contentIndex: number, audioEndMs: number): void {
    this.transport.sendEvent({ type: 'conversation.item.truncate', item_id: itemId, content_index: contentIndex, audio_end_ms: Math.max(0, Math.floor(audioEndMs)) });
  }

  /**
   * `response.cancel` once per active response. On a barge-in it is skipped when the server
   * cancels by itself (`interrupt_response: true` in its last session echo).
   */
  cancelResponse(cause: CancelCause): void {
    const active = this.activeResponse;
    if (active === undefined || this.cancelledResponse === active) return;
    if (cause === 'barge_in' && this.serverInterrupts) return;
    this.cancelledResponse = active;
    this.transport.sendEvent({ type: 'response.cancel' });
  }

  /**
   * Another agent goes through the SDK (its instructions and tools, reported as a handoff).
   * Template and voice changes stay in force for later handoffs. The service refuses a new voice
   * once the session has produced audio.
   */
  async update(update: ModelSessionUpdate): Promise<void> {
    if (update.template) this.template = update.template;
    if (update.voice !== undefined) this.voice = update.voice;
    if (update.overlay !== undefined) this.overlay = update.overlay;
    if (update.template !== undefined || update.voice !== undefined || update.overlay !== undefined) this.configOverridden = true;
    if (update.agent !== undefined && update.agent !== this.currentAgent) {
      this.switchingAgent = true;
      try {
        await this.session.updateAgent(this.agentNamed(update.agent));
      } finally {
        this.switchingAgent = false;
      }
    }
    if (this.configOverridden || update.instructions !== undefined) this.sendAudioConfig(update.instructions);
  }

  private sendAudioConfig(override?: string): void {
    const instructions = override ?? (this.overlay !== undefined ? this.withOverlay(this.currentAgent) : undefined);
    this.transport.updateSessionConfig({
      ...callSessionConfig(this.template, this.endpoint.audio, this.voice, this.options.output),
      ...(instructions !== undefined ? { instructions } : {}),
    });
  }

  /** An agent's own instructions followed by the language overlay. */
  private withOverlay(agent: string): string {
    const own = this.agentNamed(agent).instructions;
    return `${typeof own === 'string' ? own : ''}\n\n${this.overlay ?? ''}`.trim();
  }

  /**
   * Messages in order: the caller's as input text, the assistant's as output text, tool
   * outcomes as system notes.
   */
  replay(items: readonly ReplayItem[]): void {
    let n = 0;
    const tag = Date.now().toString(36);
    for (const item of items) {
      const content = item.role === 'assistant'
        ? [{ type: 'output_text', text: item.text }]
        : [{ type: 'input_text', text: item.text }];
      this.transport.sendEvent({
        type: 'conversation.item.create',
        item: { id: `${REPLAY_ITEM_PREFIX}${tag}_${++n}`, type: 'message', role: item.role === 'caller' ? 'user' : item.role, content },
      });
    }
  }

  answerFunctionCall(callId: string, output: string): void {
    this.transport.sendEvent({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output } });
    this.transport.requestResponse();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.session.close();
    } catch {
      // Closing a socket that never opened throws inside the SDK; nothing to do.
    }
  }

  // ---- from the SDK and the wire ---------------------------------------------------------

  private agentNamed(name: string): CallAgent {
    const agent = this.options.graph.agents.get(name);
    if (!agent) throw new AppError('UNKNOWN_AGENT', `no agent named "${name}" in this call's graph`);
    return agent;
  }

  private subscribe(): void {
    const s = this.session;
    // Handoffs and tool outcomes are reported even after close: a tool may finish after its
    // session was replaced, and the call still wants its result.
    s.on('agent_handoff', (_ctx, from, to) => {
      // The SDK has just sent the new agent's config, built from the initial one.
      if (this.configOverridden && !this.switchingAgent && !this.closed) this.sendAudioConfig();
      this.emit({ type: 'handoff', from: from.name, to: to.name });
    });
    s.on('agent_tool_start', (_ctx, _agent, tool, details) => this.emit({ type: 'tool_start', name: tool.name, callId: callIdOf(details.toolCall) }));
    s.on('agent_tool_end', (_ctx, _agent, tool, result, details) => this.emit({ type: 'tool_end', name: tool.name, callId: callIdOf(details.toolCall), result }));
    s.on('error', (e) => {
      const err = e.error as { message?: unknown; type?: unknown; code?: unknown } | undefined;
      const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
      this.emit({ type: 'model_error', origin: 'engine', code: str(err?.code), errorType: str(err?.type) ?? str(err?.message)?.slice(0, 120) });
    });
  }

  private onAudioDelta(d: AudioDeltaEvent): void {
    if (!this.closed) this.emit(d);
  }

  /** Returns true to keep the event from the SDK. */
  private onServerEvent(parsed: ParsedServerEvent, receivedAtMs: number): boolean {
    if (this.closed) return true;
    if (!parsed.known) return false;
    const e = parsed.event;
    switch (e.type) {
      case 'session.created':
      case 'session.updated':
        this.serverInterrupts = e.session.audio?.input?.turn_detection?.interrupt_response ?? false;
        return false;
      case 'input_audio_buffer.speech_started':
        this.emit({ type: 'speech_started', receivedAtMs });
        return false;
      case 'input_audio_buffer.speech_stopped':
        this.emit({ type: 'speech_stopped', receivedAtMs });
        return false;
      case 'conversation.item.added':
        this.onItemAdded(e.item);
        return false;
      case 'conversation.item.input_audio_transcription.completed':
        this.emit({ type: 'caller_transcript', itemId: e.item_id, transcript: e.transcript });
        return false;
      case 'response.created':
        this.activeResponse = e.response.id;
        this.emit({ type: 'response_created', responseId: e.response.id });
        return false;
      case 'response.output_item.added':
        if (e.item.type === 'message' && e.item.role === 'assistant') {
          this.emit({ type: 'assistant_item_added', itemId: e.item.id, responseId: e.response_id });
        }
        return false;
      case 'response.output_audio.done':
        this.emit({ type: 'output_audio_done', itemId: e.item_id, responseId: e.response_id ?? '' });
        return false;
      case 'response.output_audio_transcript.delta':
        this.emit({ type: 'assistant_transcript_delta', itemId: e.item_id, delta: e.delta });
        return false;
      case 'response.output_audio_transcript.done':
        this.emit({ type: 'assistant_transcript_done', itemId: e.item_id, transcript: e.transcript });
        return false;
      case 'response.output_item.done':
        return this.onOutputItemDone(e);
      case 'response.done': {
        if (e.response.id === undefined || e.response.id === this.activeResponse) this.activeResponse = undefined;
        const failed = e.response.status === 'failed' ? e.response.status_details?.error : undefined;
        this.emit({
          type: 'response_done', responseId: e.response.id,
          ...(e.response.usage ? { usage: { inputTokens: e.response.usage.input_tokens, outputTokens: e.response.usage.output_tokens } } : {}),
          ...(e.response.status === 'failed'
            ? { failure: { errorType: failed?.type, code: failed?.code ?? undefined, retryAfterMs: retryAfterMsOf(failed?.message) } }
            : {}),
        });
        return false;
      }
      case 'error':
        this.emit({ type: 'model_error', origin: 'server', code: e.error.code ?? undefined, errorType: e.error.type, retryAfterMs: retryAfterMsOf(e.error.message) });
        return false;
      default:
        return false;
    }
  }

  private onItemAdded(item: RealtimeWireItem): void {
    if (item.type !== 'message' || item.role !== 'user' || item.id.startsWith(REPLAY_ITEM_PREFIX)) return;
    const audio = item.content?.some((c) => c.type === 'input_audio') ?? false;
    this.emit({ type: 'caller_item_added', itemId: item.id, audio, text: itemText(item) });
  }

  private onOutputItemDone(e: Extract<KnownServerEvent, { type: 'response.output_item.done' }>): boolean {
    const item = e.item;
    if (item.type === 'message' && item.role === 'assistant') {
      this.emit({ type: 'assistant_item_done', itemId: item.id, responseId: e.response_id, transcript: itemText(item) });
      return false;
    }
    if (item.type !== 'function_call' || item.status !== 'completed') return false;
    const name = item.name ?? '';
    const args = item.arguments ?? '';
    if (name.startsWith('transfer_to_') || args.trim() === '' || isJson(args)) return false;
    // The SDK drops a call whose arguments are not JSON without answering it; the model would
    // wait forever. Answer it here; the call records the invocation.
    const callId = item.call_id ?? item.id;
    this.answerFunctionCall(callId, INVALID_ARGUMENTS);
    this.emit({ type: 'function_call_invalid', name, callId, arguments: args, answer: INVALID_ARGUMENTS });
    return true;
  }
}

/** Opens OpenAI-Realtime sessions against one endpoint (the OpenAI service or the emulator). */
export function openaiRealtimeEngine(endpoint: RealtimeEndpoint): ModelEngine {
  return {
    kind: endpoint.kind,
    audio: endpoint.audio,
    model: endpoint.model,
    endpoint: endpoint.url,
    open: (options) => new OpenAIRealtimeModelSession(endpoint, options),
  };
}
