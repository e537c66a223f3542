/**
 * A cascade model session: the caller's μ-law goes to a Realtime transcription session (STT,
 * server VAD), each final transcript is a turn for the vertical's text agents (the Agents SDK
 * runner, streaming, over the Responses API), and the streamed words are spoken by ElevenLabs
 * (`ulaw_8000`, one context per answer; answers.ts). The call sees the same typed
 * `ModelEvent`s a realtime session sends: turns, items, audio deltas, tools, handoffs, failures.
 *
 * When the caller starts speaking, the call cuts playback and truncates what was playing (the
 * words heard, from the voice's alignment); then the run is cancelled (a tool already running
 * finishes first, and its result stays in the conversation).
 */
import { RunContext, Runner, assistant, system, user, type AgentInputItem, type ModelProvider } from '@openai/agents';
import type { SessionTemplate } from '../../orchestration/index.js';
import type { SwitchboardRunContext } from '../../toolkit/index.js';
import type { CancelCause, ModelEvent, ModelSession, ModelSessionOptions, ModelSessionUpdate, ReplayItem } from '../modelSession.js';
import { Answers, type Answer } from './answers.js';
import { failureOf } from './failures.js';
import type { SpokenItem } from './spoken.js';
import { SttClient, type SttEndpoint, type SttEvent } from './stt.js';
import { textAgentsFor, type TextAgent } from './textAgents.js';
import { TtsClient, type TtsEndpoint, type TtsEvent } from './tts.js';

export interface CascadeConfig {
  stt: SttEndpoint;
  /** The voice for a transcription language (`undefined`: the vertical's default). */
  ttsFor(language: string | undefined): TtsEndpoint;
  /** Text models over the Responses API. */
  provider: ModelProvider;
  models: ReadonlyMap<string, string>;
  defaultModel: string;
  /** Model calls a run may make (tool loops) before it is stopped. */
  maxTurns: number;
}

type Trail = AgentInputItem | SpokenItem;

interface Run {
  controller: AbortController;
  context: RunContext<SwitchboardRunContext>;
  /** The conversation before this run; what the run said and did, in order. */
  base: AgentInputItem[];
  trail: Trail[];
  answer: Answer | undefined;
  cancelled: boolean;
  toolsRunning: number;
}

/** The transcriber's prompt: the caller's latest words, at most this long. */
const PROMPT_CHARS = 800;
let sessionSeq = 0;

const isSpoken = (t: Trail): t is SpokenItem => typeof (t as SpokenItem).audioMs === 'number';
type Message = NonNullable<SpokenItem['message']>;

export class CascadeSession implements ModelSession {
  /** Voice, transcription language and instructions change on this session (a language switch needs no spare). */
  readonly switchesInPlace = true;
  private readonly stt: SttClient | undefined;
  private tts: TtsClient | undefined;
  private readonly agents: ReadonlyMap<string, TextAgent>;
  private readonly runner: Runner;
  private readonly answers: Answers;
  private readonly runs = new Map<RunContext<SwitchboardRunContext>, Run>();
  private readonly partials = new Map<string, string>();
  private history: AgentInputItem[] = [];
  private run: Run | undefined;
  private agentName: string;
  private template: SessionTemplate;
  private override: { agent: string; instructions: string } | undefined;
  private overlay: string | undefined;
  private open = false;
  private closed = false;
  private seq = 0;
  private readonly tag = (++sessionSeq).toString(36);

  constructor(private readonly config: CascadeConfig, private readonly opts: ModelSessionOptions) {
    this.agents = textAgentsFor(opts.graph, config.models, config.defaultModel);
    this.agentName = this.agents.has(opts.agent) ? opts.agent : opts.graph.entry.name;
    this.template = opts.template;
    const spoken = opts.output !== 'text';
    this.stt = spoken ? new SttClient(config.stt, (e) => this.onStt(e)) : undefined;
    this.tts = spoken ? this.newTts(config.ttsFor(opts.template.transcription.language)) : undefined;
    this.answers = new Answers((e) => this.emit(e), () => this.tts, (p) => this.nextId(p));
    this.runner = new Runner({
      modelProvider: config.provider,
      tracingDisabled: true,
      callModelInputFilter: ({ modelData, agent }) => {
        this.answers.requesting();
        return { ...modelData, instructions: this.instructionsFor(agent.name, modelData.instructions) };
      },
    });
    this.runner.on('agent_tool_start', (ctx, _agent, tool, details) => this.onToolStart(ctx as RunContext<SwitchboardRunContext>, tool.name, details.toolCall as { callId?: string }));
    this.runner.on('agent_tool_end', (ctx, _agent, tool, result, details) => this.onToolEnd(ctx as RunContext<SwitchboardRunContext>, tool.name, result, details.toolCall as AgentInputItem & { callId?: string }));
    this.runner.on('agent_handoff', (_ctx, from, to) => {
      this.agentName = to.name;
      this.emit({ type: 'handoff', from: from.name, to: to.name });
    });
  }

  get isOpen(): boolean {
    if (!this.open || this.closed) return false;
    return this.stt === undefined || (this.stt.isOpen && (this.tts?.isOpen ?? true));
  }

  get bufferedAmount(): number {
    return this.stt?.bufferedAmount ?? 0;
  }

  get currentAgent(): string {
    return this.agentName;
  }

  async connect(): Promise<void> {
    try {
      await Promise.all([this.stt?.connect(this.template, this.opts.connectTimeoutMs), this.tts?.connect(this.opts.connectTimeoutMs)]);
    } catch (err) {
      this.stt?.close();
      this.tts?.close();
      throw err;
    }
    if (this.closed) throw new Error('cascade session closed while connecting');
    this.open = true;
  }

  append(audioBase64: string): boolean {
    return this.stt?.append(audioBase64) ?? false;
  }

  say(text: string): void {
    this.cancelRun();
    const answer = this.answers.begin();
    const item = this.answers.line(answer, text);
    item.message = assistant(text) as Message;
    this.history.push(item.message as AgentInputItem);
    this.answers.finish(answer);
  }

  respond(): void {
    void this.startRun();
  }

  sendUserText(text: string): void {
    this.emit({ type: 'caller_item_added', itemId: this.nextId('item'), audio: false, text });
    this.cancelRun();
    this.history.push(user(text));
    void this.startRun();
  }

  truncate(itemId: string, _contentIndex: number, audioEndMs: number): void {
    // Answers keeps the latest items: one cut later than that has long been heard whole.
    const item = this.answers.truncate(itemId, audioEndMs);
    const message = item?.message;
    if (!item || !message) return;
    if (item.text === '') {
      const index = this.history.indexOf(message as AgentInputItem);
      if (index >= 0) this.history.splice(index, 1);
      item.message = undefined;
    } else {
      message.content = [{ type: 'output_text', text: item.text }];
    }
  }

  cancelResponse(_cause: CancelCause): void {
    this.cancelRun();
  }

  async update(update: ModelSessionUpdate): Promise<void> {
    if (update.agent !== undefined && this.agents.has(update.agent)) this.agentName = update.agent;
    if (update.instructions !== undefined) this.override = { agent: this.agentName, instructions: update.instructions };
    if (update.overlay !== undefined) this.overlay = update.overlay;
    if (!update.template) return;
    this.template = update.template;
    this.stt?.update(update.template);
    const wanted = this.config.ttsFor(update.template.transcription.language);
    if (this.tts && wanted.voiceId !== this.tts.voiceId) {
      // Another language's voice: a new socket; the old one goes once the new one is up.
      const next = this.newTts(wanted);
      await next.connect(this.opts.connectTimeoutMs);
      const old = this.tts;
      this.tts = next;
      old.close();
    }
  }

  replay(items: readonly ReplayItem[]): void {
    const kept = items.filter((i) => i.text.trim() !== '');
    this.history = kept.map((i) => (i.role === 'caller' ? user(i.text) : i.role === 'assistant' ? assistant(i.text) : system(i.text)));
    // The caller's last words prime the new transcriber (one line each, the latest kept).
    const said = kept.filter((i) => i.role === 'caller').map((i) => i.text.replace(/\s+/g, ' ').trim());
    let prompt = '';
    for (let i = said.length - 1; i >= 0 && prompt.length + said[i]!.length < PROMPT_CHARS; i--) prompt = `${said[i]}\n${prompt}`;
    this.stt?.setPrompt(prompt.trim());
  }

  /** The runner answers every call it makes (invalid arguments included). */
  answerFunctionCall(_callId: string, _output: string): void {}

  close(): void {
    if (this.closed) return;
    this.run?.controller.abort();
    this.run = undefined;
    this.closed = true;
    this.open = false;
    this.stt?.close();
    this.tts?.close();
    this.emit({ type: 'socket_closed', code: 1000, reason: 'closed', expected: true });
  }

  // ---- runs ------------------------------------------------------------------------------

  private async startRun(): Promise<void> {
    if (this.closed) return;
    this.cancelRun();
    const context = new RunContext<SwitchboardRunContext>(this.opts.context);
    const run: Run = { controller: new AbortController(), context, base: this.history.slice(), trail: [], answer: undefined, cancelled: false, toolsRunning: 0 };
    this.run = run;
    this.runs.set(context, run);
    const agent = this.agents.get(this.agentName)!;
    try {
      const result = await this.runner.run(agent, run.base, { stream: true, context, signal: run.controller.signal, maxTurns: this.config.maxTurns });
      for await (const ev of result) {
        if (run.cancelled || ev.type !== 'raw_model_stream_event') continue;
        const data = ev.data;
        if (data.type === 'response_started') {
          run.answer ??= this.answers.begin();
        } else if (data.type === 'output_text_delta') {
          run.answer ??= this.answers.begin();
          const item = this.answers.text(run.answer, data.delta);
          if (run.trail[run.trail.length - 1] !== item) run.trail.push(item);
        } else if (data.type === 'response_done') {
          const usage = data.response.usage;
          if (run.answer) this.answers.finish(run.answer, { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens });
          run.answer = undefined;
        }
      }
      await result.completed;
      if (run.cancelled) return;
      if (run.answer) this.answers.finish(run.answer);
      run.answer = undefined;
      this.settle(run, result.history.slice(run.base.length));
    } catch (err) {
      if (run.cancelled || this.closed) return;
      this.run = undefined;
      this.answers.fail(run.answer ?? this.answers.begin(), failureOf(err));
    } finally {
      this.runs.delete(context);
      if (this.run === run && !run.cancelled) this.run = undefined;
    }
  }

  /** The run finished: the conversation takes its items; each spoken message is tied to its item. */
  private settle(run: Run, added: AgentInputItem[]): void {
    const spoken = run.trail.filter(isSpoken).filter((i) => i.text.trim() !== '' || i.truncated);
    let next = 0;
    for (const item of added) {
      const msg = item as Message;
      if (msg.role !== 'assistant' || !Array.isArray(msg.content) || next >= spoken.length) continue;
      const own = spoken[next++]!;
      own.message = msg;
      if (own.truncated) msg.content = [{ type: 'output_text', text: own.text }];
    }
    this.history = [...run.base, ...added.filter((i) => !isEmptyAssistant(i))];
  }

  /** The run stops: open answers end, the conversation keeps what was done and what was heard. */
  private cancelRun(): void {
    this.answers.cancelAll();
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    run.cancelled = true;
    if (run.toolsRunning === 0) run.controller.abort();
    this.history = [...run.base, ...run.trail.flatMap((t) => {
      if (!isSpoken(t)) return [t];
      if (t.text.trim() === '') return [];
      t.message = assistant(t.text) as Message;
      return [t.message as AgentInputItem];
    })];
  }

  // ---- tools -----------------------------------------------------------------------------

  private onToolStart(ctx: RunContext<SwitchboardRunContext>, name: string, call: { callId?: string }): void {
    const run = this.runs.get(ctx);
    if (run) run.toolsRunning += 1;
    this.emit({ type: 'tool_start', name, callId: call.callId });
  }

  private onToolEnd(ctx: RunContext<SwitchboardRunContext>, name: string, result: string, call: AgentInputItem & { callId?: string }): void {
    const run = this.runs.get(ctx);
    this.emit({ type: 'tool_end', name, callId: call.callId, result });
    if (!run) return;
    run.toolsRunning -= 1;
    const pair: AgentInputItem[] = [call, { type: 'function_call_result', name, callId: call.callId ?? '', status: 'completed', output: result } as AgentInputItem];
    if (!run.cancelled) {
      run.trail.push(...pair);
      return;
    }
    // Cut short while the tool ran: it did run, and the conversation says so.
    this.history.push(...pair);
    if (run.toolsRunning === 0) run.controller.abort();
  }

  // ---- speech-to-text and voice ------------------------------------------------------------

  private onStt(e: SttEvent): void {
    switch (e.type) {
      case 'speech_started':
        // The call cuts playback and truncates first; then the answer under way stops.
        this.emit(e);
        if (this.template.turnDetection.interruptResponse !== false) this.cancelRun();
        return;
      case 'speech_stopped':
        this.answers.turnEnded();
        return this.emit(e);
      case 'committed':
        return this.emit({ type: 'caller_item_added', itemId: e.itemId, audio: true, text: undefined });
      case 'partial': {
        const text = (this.partials.get(e.itemId) ?? '') + e.delta;
        this.partials.set(e.itemId, text);
        return this.emit({ type: 'caller_transcript_partial', itemId: e.itemId, text });
      }
      case 'final':
        this.partials.delete(e.itemId);
        this.emit({ type: 'caller_transcript', itemId: e.itemId, transcript: e.transcript });
        if (e.transcript.trim() === '' || this.closed) return;
        this.history.push(user(e.transcript));
        if (this.template.turnDetection.createResponse !== false) void this.startRun();
        return;
      case 'error':
        return this.emit({ type: 'model_error', origin: 'server', code: e.code, errorType: e.errorType });
      case 'closed':
        return this.lost(`transcription: ${e.reason}`, e.code);
    }
  }

  private newTts(endpoint: TtsEndpoint): TtsClient {
    const client: TtsClient = new TtsClient(endpoint, (e) => {
      if (client === this.tts) this.onTts(e);
    });
    return client;
  }

  private onTts(e: TtsEvent): void {
    if (e.type === 'error') return this.emit({ type: 'model_error', origin: 'server', code: `tts_${e.code ?? 'error'}`, errorType: 'server_error' });
    if (e.type === 'closed') return this.lost(`text-to-speech: ${e.reason}`, e.code);
    this.answers.onVoice(e);
  }

  /** A service socket dropped: the session is lost (the call fails over). */
  private lost(reason: string, code: number): void {
    if (this.closed || !this.open) return;
    this.open = false;
    this.emit({ type: 'socket_closed', code, reason: reason.slice(0, 120), expected: false });
  }

  private instructionsFor(agent: string, instructions: string | undefined): string | undefined {
    const own = this.override?.agent === agent ? this.override.instructions : instructions;
    return this.overlay ? `${own ?? ''}\n\n${this.overlay}` : own;
  }

  private nextId(prefix: string): string {
    return `${prefix}_c${this.tag}_${(++this.seq).toString(36)}`;
  }

  private emit(e: ModelEvent): void {
    if (this.closed && e.type !== 'socket_closed' && e.type !== 'tool_end' && e.type !== 'handoff') return;
    this.opts.listener(e);
  }
}

function isEmptyAssistant(item: AgentInputItem): boolean {
  const m = item as Message;
  return m.role === 'assistant' && Array.isArray(m.content) && !m.content.some((c) => (c.text ?? '').trim() !== '');
}
