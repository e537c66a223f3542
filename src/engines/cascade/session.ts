/**
 * A cascade model session: the caller's μ-law goes to a Realtime transcription session (STT,
 * server VAD), each final transcript is a turn for the vertical's text agents (the Agents SDK
 * runner, streaming, over the Responses API), and the streamed words are spoken by ElevenLabs
 * (`ulaw_8000`, one context per answer). The call sees the same typed `ModelEvent`s a realtime
 * session sends: turns, items, audio deltas, tool calls, handoffs, failures.
 *
 * A barge-in cancels the run and the voice's context, and the conversation keeps only the words
 * the caller heard (`truncate`, from the voice's alignment).
 */
import { RunContext, Runner, assistant, system, user, type AgentInputItem, type ModelProvider } from '@openai/agents';
import type { SessionTemplate } from '../../orchestration/index.js';
import type { SwitchboardRunContext } from '../../toolkit/index.js';
import type { CancelCause, ModelEvent, ModelSession, ModelSessionOptions, ModelSessionUpdate, ReplayItem } from '../modelSession.js';
import { addAudio, heardText, newSpokenItem, type SpokenItem } from './spoken.js';
import { SttClient, type SttEndpoint, type SttEvent } from './stt.js';
import { textAgentsFor, type TextAgent } from './textAgents.js';
import { TtsClient, speakableCut, type TtsEndpoint, type TtsEvent } from './tts.js';
import { failureOf } from './failures.js';

export interface CascadeConfig {
  stt: SttEndpoint;
  /** The voice for a language (`undefined`: the vertical's default). */
  ttsFor(language: string | undefined): TtsEndpoint;
  /** Text models over the Responses API. */
  provider: ModelProvider;
  models: ReadonlyMap<string, string>;
  defaultModel: string;
  /** Runs longer than this many model calls (tool loops) are stopped. */
  maxTurns: number;
}

interface Run {
  id: string;
  controller: AbortController | undefined;
  context: RunContext<SwitchboardRunContext> | undefined;
  spoken: SpokenItem[];
  current: SpokenItem | undefined;
  /** The model's text is complete (or the run ended). */
  textFinished: boolean;
  cancelled: boolean;
  toolsRunning: number;
  abortAfterTools: boolean;
  /** The conversation before this run, and what the run added (tool calls and results). */
  base: AgentInputItem[];
  produced: AgentInputItem[];
  usage: { inputTokens: number; outputTokens: number } | undefined;
}

let sessionSeq = 0;
/** Spoken items kept for a late truncate (an answer plays for seconds after it was generated). */
const KEPT_ITEMS = 16;

function isEmptyAssistant(item: AgentInputItem): boolean {
  const m = item as { role?: string; content?: unknown };
  return m.role === 'assistant' && Array.isArray(m.content) && !(m.content as Array<{ text?: string }>).some((c) => (c.text ?? '').trim() !== '');
}

export class CascadeSession implements ModelSession {
  private readonly stt: SttClient | undefined;
  private tts: TtsClient | undefined;
  private readonly agents: ReadonlyMap<string, TextAgent>;
  private readonly runner: Runner;
  private readonly runs = new Map<RunContext<SwitchboardRunContext>, Run>();
  private readonly items = new Map<string, SpokenItem>();
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
  private readonly tag = `c${(++sessionSeq).toString(36)}`;
  private marks = { token: false, audio: false };

  constructor(private readonly config: CascadeConfig, private readonly opts: ModelSessionOptions) {
    this.agents = textAgentsFor(opts.graph, config.models, config.defaultModel);
    this.agentName = this.agents.has(opts.agent) ? opts.agent : opts.graph.entry.name;
    this.template = opts.template;
    const spoken = opts.output !== 'text';
    this.stt = spoken ? new SttClient(config.stt, (e) => this.onStt(e)) : undefined;
    this.tts = spoken ? this.newTts(config.ttsFor(opts.template.transcription.language)) : undefined;
    this.runner = new Runner({
      modelProvider: config.provider,
      tracingDisabled: true,
      callModelInputFilter: ({ modelData, agent }) => ({ ...modelData, instructions: this.instructionsFor(agent.name, modelData.instructions) }),
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
    const run = this.newRun();
    const item = this.openItem(run);
    item.text = text;
    item.pending = text;
    const message = assistant(text);
    this.history.push(message);
    item.message = message as SpokenItem['message'];
    this.endText(run, item);
    run.textFinished = true;
    this.maybeDone(run);
  }

  respond(): void {
    void this.startRun();
  }

  sendUserText(text: string): void {
    const id = this.nextId('item');
    this.emit({ type: 'caller_item_added', itemId: id, audio: false, text });
    this.history.push(user(text));
    void this.startRun();
  }

  truncate(itemId: string, _contentIndex: number, audioEndMs: number): void {
    const item = this.items.get(itemId);
    if (!item) return;
    const heard = heardText(item, audioEndMs);
    if (item.message) {
      const index = this.history.indexOf(item.message as AgentInputItem);
      if (heard === '' && index >= 0) this.history.splice(index, 1);
      else item.message.content = [{ type: 'output_text', text: heard }];
    }
    item.text = heard;
    item.pending = '';
    this.emit({ type: 'assistant_transcript_done', itemId, transcript: heard, heard: true });
    if (item.audioDone) return;
    // Cut while the voice was still sending: nothing more of it is played or kept.
    item.cut = true;
    item.audioDone = true;
    this.tts?.cancel(item.id);
    this.emit({ type: 'assistant_item_done', itemId, responseId: item.responseId, transcript: heard });
    if (this.run?.id === item.responseId) this.maybeDone(this.run);
  }

  cancelResponse(_cause: CancelCause): void {
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    run.cancelled = true;
    if (run.controller) {
      if (run.toolsRunning === 0) run.controller.abort();
      else run.abortAfterTools = true;
    }
    // The conversation keeps what was done and heard: completed tool calls, the words played.
    const kept = run.spoken.filter((i) => !i.message && i.audioDone && i.text.trim() !== '').map((i) => assistant(i.text));
    if (run.controller) this.history = [...run.base, ...run.produced, ...kept];
    for (const item of run.spoken) {
      if (item.audioDone) continue;
      item.cut = true;
      item.audioDone = true;
      this.tts?.cancel(item.id);
      this.emit({ type: 'assistant_item_done', itemId: item.id, responseId: run.id, transcript: '' });
    }
    this.emit({ type: 'response_done', responseId: run.id });
  }

  async update(update: ModelSessionUpdate): Promise<void> {
    if (update.agent !== undefined && this.agents.has(update.agent)) this.agentName = update.agent;
    if (update.instructions !== undefined) this.override = { agent: this.agentName, instructions: update.instructions };
    if (update.overlay !== undefined) this.overlay = update.overlay;
    if (update.template) {
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
  }

  replay(items: readonly ReplayItem[]): void {
    this.history = items.filter((i) => i.text.trim() !== '')
      .map((i) => (i.role === 'caller' ? user(i.text) : i.role === 'assistant' ? assistant(i.text) : system(i.text)));
  }

  /** The runner answers every call it makes (invalid arguments included). */
  answerFunctionCall(_callId: string, _output: string): void {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.open = false;
    this.run?.controller?.abort();
    this.run = undefined;
    this.stt?.close();
    this.tts?.close();
    this.emit({ type: 'socket_closed', code: 1000, reason: 'closed', expected: true });
  }

  // ---- runs ------------------------------------------------------------------------------

  private newRun(controller?: AbortController): Run {
    if (this.run) this.cancelResponse('request');
    const run: Run = {
      id: this.nextId('resp'), controller, context: undefined, spoken: [], current: undefined, textFinished: false,
      cancelled: false, toolsRunning: 0, abortAfterTools: false, base: this.history.slice(), produced: [], usage: undefined,
    };
    this.run = run;
    this.emit({ type: 'response_created', responseId: run.id });
    return run;
  }

  private async startRun(): Promise<void> {
    if (this.closed) return;
    const run = this.newRun(new AbortController());
    const context = new RunContext<SwitchboardRunContext>(this.opts.context);
    run.context = context;
    this.runs.set(context, run);
    const agent = this.agents.get(this.agentName)!;
    try {
      const result = await this.runner.run(agent, run.base, { stream: true, context, signal: run.controller!.signal, maxTurns: this.config.maxTurns });
      for await (const ev of result) {
        if (run.cancelled) continue;
        if (ev.type !== 'raw_model_stream_event') continue;
        const data = ev.data;
        if (data.type === 'output_text_delta') this.onTextDelta(run, data.delta);
        else if (data.type === 'response_done' && run.current) this.endText(run, run.current);
      }
      await result.completed;
      if (run.cancelled) return;
      this.settle(run, result.history.slice(run.base.length), result.rawResponses);
    } catch (err) {
      if (run.cancelled || this.closed) return;
      if (run.current) this.endText(run, run.current);
      run.textFinished = true;
      this.run = undefined;
      for (const item of run.spoken) this.tts?.cancel(item.id);
      this.emit({ type: 'response_done', responseId: run.id, failure: failureOf(err) });
    } finally {
      this.runs.delete(context);
    }
  }

  /** The run finished: the conversation takes its items; each spoken message is tied to its item. */
  private settle(run: Run, added: AgentInputItem[], raw: readonly { usage?: { inputTokens: number; outputTokens: number } }[]): void {
    if (run.current) this.endText(run, run.current);
    const spoken = run.spoken.filter((i) => i.text.trim() !== '');
    let next = 0;
    for (const item of added) {
      const msg = item as { type?: string; role?: string; content?: Array<{ type: string; text?: string }> };
      if (msg.role === 'assistant' && Array.isArray(msg.content) && next < spoken.length) {
        const own = spoken[next++]!;
        own.message = msg as SpokenItem['message'];
        if (own.cut) msg.content = [{ type: 'output_text', text: own.text }];
      }
    }
    this.history = [...run.base, ...added.filter((i) => !isEmptyAssistant(i))];
    run.usage = raw.reduce((u, r) => ({ inputTokens: u.inputTokens + (r.usage?.inputTokens ?? 0), outputTokens: u.outputTokens + (r.usage?.outputTokens ?? 0) }), { inputTokens: 0, outputTokens: 0 });
    run.textFinished = true;
    this.maybeDone(run);
  }

  private onTextDelta(run: Run, delta: string): void {
    if (!this.marks.token) {
      this.marks.token = true;
      this.emit({ type: 'stage_reached', stage: 'first_text_token', receivedAtMs: performance.now() });
    }
    const item = run.current ?? this.openItem(run);
    item.text += delta;
    item.pending += delta;
    if (!this.tts) return;
    const cut = speakableCut(item.pending);
    if (cut > 0) {
      this.tts.text(item.id, item.pending.slice(0, cut), true);
      item.pending = item.pending.slice(cut);
    }
  }

  private openItem(run: Run): SpokenItem {
    const item = newSpokenItem(this.nextId('item'), run.id);
    run.spoken.push(item);
    run.current = item;
    this.items.set(item.id, item);
    // An item stays cuttable while it may still be playing; the oldest go.
    if (this.items.size > KEPT_ITEMS) this.items.delete(this.items.keys().next().value!);
    this.emit({ type: 'assistant_item_added', itemId: item.id, responseId: run.id });
    this.tts?.begin(item.id);
    return item;
  }

  /** The item's text is complete: the rest goes to the voice (or, in text mode, the item is done). */
  private endText(run: Run, item: SpokenItem): void {
    run.current = undefined;
    item.textDone = true;
    if (this.tts) {
      if (item.pending.trim() !== '') this.tts.text(item.id, item.pending, true);
      item.pending = '';
      this.tts.end(item.id);
      return;
    }
    item.audioDone = true;
    this.itemDone(run.id, item);
  }

  private itemDone(responseId: string, item: SpokenItem): void {
    if (this.tts) this.emit({ type: 'output_audio_done', itemId: item.id, responseId });
    this.emit({ type: 'assistant_transcript_done', itemId: item.id, transcript: item.text });
    this.emit({ type: 'assistant_item_done', itemId: item.id, responseId, transcript: item.text });
  }

  private maybeDone(run: Run): void {
    if (this.run !== run || !run.textFinished || run.spoken.some((i) => !i.audioDone)) return;
    this.run = undefined;
    this.emit({ type: 'response_done', responseId: run.id, ...(run.usage ? { usage: run.usage } : {}) });
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
    if (run.cancelled) {
      // Cut short while the tool ran: the tool did run, and the conversation says so.
      this.history.push(...pair);
      if (run.abortAfterTools && run.toolsRunning === 0) run.controller?.abort();
    } else {
      run.produced.push(...pair);
    }
  }

  // ---- speech-to-text and voice ------------------------------------------------------------

  private onStt(e: SttEvent): void {
    switch (e.type) {
      case 'speech_started':
        return this.emit(e);
      case 'speech_stopped':
        this.marks = { token: false, audio: false };
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
        if (this.closed) return;
        this.open = false;
        return this.emit({ type: 'socket_closed', code: e.code, reason: `transcription: ${e.reason}`.slice(0, 120), expected: false });
    }
  }

  private newTts(endpoint: TtsEndpoint): TtsClient {
    const client: TtsClient = new TtsClient(endpoint, (e) => {
      if (client === this.tts) this.onTts(e);
    });
    return client;
  }

  private onTts(e: TtsEvent): void {
    if (e.type === 'error') {
      return this.emit({ type: 'model_error', origin: 'server', code: `tts_${e.code ?? 'error'}`, errorType: 'server_error' });
    }
    if (e.type === 'closed') {
      if (this.closed) return;
      this.open = false;
      return this.emit({ type: 'socket_closed', code: e.code, reason: `text-to-speech: ${e.reason}`.slice(0, 120), expected: false });
    }
    const item = this.items.get(e.contextId);
    if (!item || item.cut) return;
    if (e.type === 'final') {
      item.audioDone = true;
      this.itemDone(item.responseId, item);
      if (this.run?.id === item.responseId) this.maybeDone(this.run);
      return;
    }
    if (!this.marks.audio) {
      this.marks.audio = true;
      this.emit({ type: 'stage_reached', stage: 'first_tts_audio', receivedAtMs: e.receivedAtMs });
    }
    addAudio(item, e.audio, e.chars, e.startsMs);
    this.emit({ type: 'audio_delta', delta: e.audio, itemId: item.id, responseId: item.responseId, contentIndex: 0, receivedAtMs: e.receivedAtMs });
  }

  private instructionsFor(agent: string, instructions: string | undefined): string | undefined {
    const own = this.override?.agent === agent ? this.override.instructions : instructions;
    return this.overlay ? `${own ?? ''}\n\n${this.overlay}` : own;
  }

  private nextId(prefix: string): string {
    return `${prefix}_${this.tag}_${(++this.seq).toString(36)}`;
  }

  private emit(e: ModelEvent): void {
    if (this.closed && e.type !== 'socket_closed' && e.type !== 'tool_end' && e.type !== 'handoff') return;
    this.opts.listener(e);
  }
}
