/**
 * One model connection of a call: our carrier transport under an SDK `RealtimeSession` that
 * keeps the agents, tools, handoffs and history. A call normally has one; failover replaces it
 * with a fresh one that starts from the agent the caller was talking to and is told the
 * conversation so far.
 */
import { RealtimeSession, type RealtimeAgent, type RealtimeSessionConfig } from '@openai/agents/realtime';
import type { EngineEndpoint } from '../engines/openai.js';
import type { SwitchboardRunContext } from '../toolkit/index.js';
import { AppError } from '../shared/errors.js';
import { CarrierRealtimeTransport, type TransportTap } from './transport.js';

/** Items we create when replaying a conversation carry ids starting with this. */
export const REPLAY_ITEM_PREFIX = 'replay_';

export type CallRealtimeSession = RealtimeSession<SwitchboardRunContext>;

export interface ModelLinkOptions {
  endpoint: EngineEndpoint;
  agent: RealtimeAgent<SwitchboardRunContext>;
  context: SwitchboardRunContext;
  config: Partial<RealtimeSessionConfig>;
  tap: TransportTap;
  connectTimeoutMs: number;
}

export interface ReplayItem {
  role: 'caller' | 'assistant' | 'system';
  text: string;
}

export class ModelLink {
  readonly transport: CarrierRealtimeTransport;
  readonly session: CallRealtimeSession;
  private closed = false;

  constructor(private readonly options: ModelLinkOptions) {
    this.transport = new CarrierRealtimeTransport({ tap: options.tap });
    this.session = new RealtimeSession<SwitchboardRunContext>(options.agent, {
      transport: this.transport,
      model: options.endpoint.model,
      context: options.context,
      config: options.config,
      tracingDisabled: true,
      historyStoreAudio: false,
    });
  }

  /** Opens the socket and configures the session; appends flow once this resolves. */
  async connect(): Promise<void> {
    const { endpoint, connectTimeoutMs } = this.options;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AppError('MODEL_CONNECT_TIMEOUT', `model connection not ready within ${connectTimeoutMs} ms`, { retryable: true })), connectTimeoutMs);
    });
    try {
      await Promise.race([this.session.connect({ apiKey: endpoint.apiKey, url: endpoint.url }), timeout]);
    } catch (err) {
      this.close();
      throw err;
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (this.closed) throw new AppError('MODEL_LINK_CLOSED', 'the model link was closed while connecting');
    this.transport.ready = true;
  }

  get isOpen(): boolean {
    return !this.closed && this.transport.ready;
  }

  /** Caller audio, already in the model's input format. */
  append(base64: string): boolean {
    return this.transport.appendAudio(base64);
  }

  /**
   * Tells a fresh model what was said before it took over: messages in order (the caller's as
   * input text, the assistant's as output text, tool outcomes as system notes).
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

  /** A response whose words we choose (greeting, silence prompt, goodbye). */
  say(text: string): void {
    this.transport.requestResponse({
      instructions: `Say exactly the following to the caller, word for word, and nothing else: "${text}"`,
      tool_choice: 'none',
    });
  }

  /** A response from the model's own judgement (after a replay, or DTMF input). */
  respond(): void {
    this.transport.requestResponse();
  }

  /** A user text item (DTMF digits) and a response to it. */
  sendUserText(text: string): void {
    this.transport.sendMessage(text, {}, { triggerResponse: true });
  }

  cancelResponse(): void {
    this.transport._cancelResponse();
  }

  truncate(itemId: string, contentIndex: number, audioEndMs: number): void {
    this.transport.sendEvent({ type: 'conversation.item.truncate', item_id: itemId, content_index: contentIndex, audio_end_ms: Math.max(0, Math.floor(audioEndMs)) });
  }

  /** Answers a function call ourselves (the SDK would leave it dangling). */
  answerFunctionCall(callId: string, output: string): void {
    this.transport.sendEvent({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output } });
    this.transport.requestResponse();
  }

  /** The session's `interrupt_response` as the server echoed it (false when not known: then we cancel ourselves). */
  get interruptResponse(): boolean {
    const raw = (this.transport as unknown as { _rawSessionConfig?: { audio?: { input?: { turn_detection?: { interrupt_response?: boolean } | null } } } | null })._rawSessionConfig;
    return raw?.audio?.input?.turn_detection?.interrupt_response ?? false;
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
}
