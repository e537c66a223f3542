/**
 * The call-telemetry port: the realtime parts report what happens in a call here (a handful of
 * hook points: the call's recorder funnels latency samples, handoffs and tool outcomes; the call
 * session reports engine, connect, stream, failover and the end), and this turns it into the
 * call's trace (one span per stage) and the Prometheus figures. With tracing off the span side
 * is skipped entirely; what remains is a few histogram observations per turn, never per frame.
 *
 * Span tree of a call (trace id derived from the Call SID, src/shared/ids.ts):
 *   call ─┬─ webhook (server side, carrierPort.ts)      ─ model.connect ─ media.stream
 *         ├─ turn ─┬─ caller.speech ─ transcription ─ model.response ─ edge ─ playback
 *         │        ├─ tool <name> ─ barge_in
 *         ├─ handoff ─ language.switch ─ model.failover ─ greeting
 *         └─ post_call.analysis (the worker, through the job's traceparent)
 * Attributes carry ids, names of agents/tools/models, durations and counts: never a phone
 * number, a name, a tool argument or a word of the transcript.
 */
import { SpanStatusCode, type Attributes, type Context, type Span, type SpanOptions } from '@opentelemetry/api';
import { callSpanIdFromTraceId } from '../shared/index.js';
import { DEFAULT_LATENCY_BUDGET, STAGE, stageBudgets, type LatencyBudget } from './budget.js';
import {
  callEventsTotal, modelCostUsd, modelTokens, stageLatencyMs, stagesOverBudget, toolDurationMs, toolErrors,
  turnLatencyMs, turnsOverBudget,
} from './metrics.js';
import { activeTracer, contextOf, startPinnedSpan } from './tracing.js';

/** Token usage of one model response (`response.done`). */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/** Price of a model, US dollars per million tokens (config `observability.prices`). */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

let prices: Readonly<Record<string, ModelPrice>> = {};

/** The composition root sets the price table (config `observability.prices`). */
export function setModelPrices(table: Readonly<Record<string, ModelPrice>>): void {
  prices = table;
}

/** Estimated cost in US dollars, 0 for a model without a price. */
export function estimateCostUsd(model: string, usage: TokenUsage): number {
  const p = prices[model];
  return p ? (usage.inputTokens * p.inputPerMTok + usage.outputTokens * p.outputPerMTok) / 1e6 : 0;
}

export interface CallTelemetryInit {
  callId: string;
  callSid: string;
  traceId: string;
  vertical: string;
  version: string;
  budget?: LatencyBudget;
}

export interface ToolOutcome {
  status: string;
  errorCode?: string | undefined;
  durationMs: number;
}

/** What the realtime parts report about one call. */
export interface CallTelemetry {
  readonly traceId: string;
  readonly spanId: string;
  /** Bound on the call's logger: every line of the call carries them. */
  readonly logFields: Readonly<{ call_id: string; trace_id: string; span_id: string; vertical: string }>;
  engine(info: { kind: string; model: string }): void;
  /** Returns the end of the connect: call it with the error when it failed. */
  modelConnect(reconnect: boolean): (error?: unknown) => void;
  streamStarted(): void;
  /** The caller began speaking (`performance.now()`): a turn opens. */
  turnStarted(atMs: number): void;
  /** Every latency sample of the call (`CallRecorder.latency`): stage spans, histograms, the budget. */
  stageLatency(stage: string, valueMs: number, turn: number | null): void;
  toolStarted(key: string, name: string): void;
  toolEnded(key: string, name: string, outcome: ToolOutcome): void;
  handoff(from: string, to: string): void;
  languageSwitch(from: string, to: string): void;
  /** The model connection failed: the canned line plays while we reconnect. */
  failover(): void;
  /** `outcome` of the failover: reconnected after `attempts`, or gave up. */
  reconnect(attempts: number, outcome: 'reconnected' | 'gave_up'): void;
  usage(usage: TokenUsage): void;
  callEnded(reason: string, status: string): void;
}

interface Turn {
  span: Span | null;
  n: number | null;
  speechEndAt: number | undefined;
  firstAudioMs: number | undefined;
  interrupted: boolean;
}

const GEN_AI_SYSTEM: Record<string, string> = { openai: 'openai' };

class Telemetry implements CallTelemetry {
  readonly traceId: string;
  readonly spanId: string;
  readonly logFields: CallTelemetry['logFields'];
  private readonly span: Span | null;
  private readonly vertical: string;
  private readonly budget: LatencyBudget;
  private readonly budgets: Record<string, number>;
  private engineKind = 'unknown';
  private model = 'unknown';
  private turn: Turn | undefined;
  private stream: Span | null = null;
  private failoverSpan: Span | null = null;
  private readonly tools = new Map<string, Span>();
  /** The context of the last parent a child was started under (the turn's span, mostly). */
  private parentContext: { span: Span; ctx: Context } | undefined;
  private readonly totals = { inputTokens: 0, outputTokens: 0, turns: 0, overBudget: 0, costUsd: 0 };

  constructor(init: CallTelemetryInit) {
    this.traceId = init.traceId;
    this.spanId = callSpanIdFromTraceId(init.traceId);
    this.vertical = init.vertical;
    this.budget = init.budget ?? DEFAULT_LATENCY_BUDGET;
    this.budgets = stageBudgets(this.budget);
    this.logFields = { call_id: init.callId, trace_id: this.traceId, span_id: this.spanId, vertical: init.vertical };
    this.span = startPinnedSpan('call', { traceId: this.traceId, spanId: this.spanId }, {
      attributes: {
        'switchboard.call.id': init.callId, 'switchboard.call.sid': init.callSid, 'switchboard.vertical': init.vertical,
        'switchboard.manifest.version': init.version, 'switchboard.latency.budget_ms': this.budget.budgetMs,
      },
    });
  }

  /**
   * A child span of `parent` (the call when absent); null when tracing is off. The parent's
   * context is built once per parent (the call, the current turn), not once per child.
   */
  private child(name: string, startMs?: number, attributes?: Attributes, parent: Span | null = this.span): Span | null {
    if (!parent) return null;
    const tracer = activeTracer();
    if (!tracer) return null;
    const options: SpanOptions = {};
    if (startMs !== undefined) options.startTime = startMs;
    if (attributes) options.attributes = attributes;
    return tracer.startSpan(name, options, this.contextFor(parent));
  }

  private contextFor(parent: Span): Context {
    const cached = this.parentContext;
    if (cached?.span === parent) return cached.ctx;
    const ctx = contextOf(parent);
    this.parentContext = { span: parent, ctx };
    return ctx;
  }

  /** A finished child span from `startMs` to `endMs`. */
  private interval(name: string, startMs: number, endMs: number, attributes?: Attributes, parent?: Span | null): void {
    this.child(name, startMs, attributes, parent === undefined ? this.span : parent)?.end(endMs);
  }

  private genAi(): Attributes {
    const system = GEN_AI_SYSTEM[this.engineKind] ?? `switchboard.${this.engineKind}`;
    return { 'gen_ai.system': system, 'gen_ai.provider.name': system, 'gen_ai.request.model': this.model };
  }

  engine(info: { kind: string; model: string }): void {
    this.engineKind = info.kind;
    this.model = info.model;
    this.span?.setAttributes({ 'switchboard.engine': info.kind, ...this.genAi() });
  }

  modelConnect(reconnect: boolean): (error?: unknown) => void {
    const span = this.child('model.connect', undefined, { 'switchboard.reconnect': reconnect, ...this.genAi() });
    if (!span) return () => undefined;
    return (error) => {
      if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: errorCode(error) });
      span.end();
    };
  }

  streamStarted(): void {
    this.stream ??= this.child('media.stream');
  }

  turnStarted(atMs: number): void {
    this.endTurn(atMs);
    this.turn = { span: this.child('turn', atMs), n: null, speechEndAt: undefined, firstAudioMs: undefined, interrupted: false };
  }

  private endTurn(atMs: number = performance.now()): void {
    const t = this.turn;
    if (!t) return;
    this.turn = undefined;
    if (t.interrupted) t.span?.setAttribute('switchboard.turn.interrupted', true);
    t.span?.end(atMs);
  }

  stageLatency(stage: string, valueMs: number, turnNo: number | null): void {
    const vertical = this.vertical;
    const now = performance.now();
    const t = this.turn;
    if (stage === STAGE.turn) {
      this.turnLatency(valueMs, turnNo);
      if (t?.speechEndAt !== undefined && t.firstAudioMs !== undefined) {
        this.observeStage(STAGE.edge, Math.max(0, valueMs - t.firstAudioMs), t.speechEndAt + t.firstAudioMs, t.speechEndAt + valueMs, 'edge');
      }
      return;
    }
    if (stage === STAGE.callerSpeech) {
      if (t) {
        t.n = turnNo;
        t.speechEndAt = now;
        t.span?.setAttribute('switchboard.turn', turnNo ?? 0);
      }
      return this.observeStage(stage, valueMs, now - valueMs, now, 'caller.speech');
    }
    if (stage === STAGE.transcription) return this.observeStage(stage, valueMs, (t?.speechEndAt ?? now - valueMs), (t?.speechEndAt ?? now - valueMs) + valueMs, 'transcription');
    if (stage === STAGE.modelFirstAudio) {
      if (t) t.firstAudioMs = valueMs;
      const start = t?.speechEndAt ?? now - valueMs;
      return this.observeStage(stage, valueMs, start, start + valueMs, 'model.response', this.genAi());
    }
    if (stage === STAGE.playback) {
      this.observeStage(stage, valueMs, now - valueMs, now, 'playback');
      return this.endTurn(now);
    }
    if (stage === STAGE.bargeInClear) {
      callEventsTotal.inc({ vertical, event: 'barge_in', outcome: 'cleared' });
      if (t) t.interrupted = true;
      return this.observeStage(stage, valueMs, now - valueMs, now, 'barge_in');
    }
    if (stage === STAGE.greeting) return this.observeStage(stage, valueMs, now - valueMs, now, 'greeting', undefined, this.span);
    if (stage === STAGE.tool) return; // tool spans and histograms come from toolEnded, with the outcome
    stageLatencyMs.observe({ vertical, stage }, valueMs);
  }

  /** Histogram, per-stage budget, and (tracing on) a finished span under the turn. */
  private observeStage(stage: string, valueMs: number, startMs: number, endMs: number, spanName: string, attributes?: Attributes, parent?: Span | null): void {
    stageLatencyMs.observe({ vertical: this.vertical, stage }, valueMs);
    const budgetMs = this.budgets[stage];
    const over = budgetMs !== undefined && valueMs > budgetMs;
    if (over) stagesOverBudget.inc({ vertical: this.vertical, stage });
    const p = parent === undefined ? (this.turn?.span ?? this.span) : parent;
    if (!p) return;
    const attrs: Attributes = attributes ? { ...attributes } : {};
    attrs['switchboard.latency_ms'] = Math.round(valueMs);
    if (budgetMs !== undefined) {
      attrs['switchboard.latency.budget_ms'] = budgetMs;
      attrs['switchboard.latency.over_budget'] = over;
    }
    this.interval(spanName, startMs, endMs, attrs, p);
  }

  private turnLatency(valueMs: number, turnNo: number | null): void {
    const labels = { vertical: this.vertical, engine: this.engineKind };
    turnLatencyMs.observe(labels, valueMs);
    stageLatencyMs.observe({ vertical: this.vertical, stage: STAGE.turn }, valueMs);
    const over = valueMs > this.budget.budgetMs;
    this.totals.turns++;
    if (over) {
      this.totals.overBudget++;
      turnsOverBudget.inc(labels);
    }
    const span = this.turn?.span;
    if (!span) return;
    span.setAttributes({
      'switchboard.turn': turnNo ?? 0, 'switchboard.turn.latency_ms': Math.round(valueMs),
      'switchboard.latency.budget_ms': this.budget.budgetMs, 'switchboard.latency.over_budget': over,
    });
    if (over) span.addEvent('latency budget exceeded', { 'switchboard.turn.latency_ms': Math.round(valueMs) });
  }

  toolStarted(key: string, name: string): void {
    const span = this.child(`tool ${name}`, undefined, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name }, this.turn?.span ?? this.span);
    if (span) this.tools.set(key, span);
  }

  toolEnded(key: string, name: string, outcome: ToolOutcome): void {
    const ok = outcome.status === 'ok';
    toolDurationMs.observe({ vertical: this.vertical, tool: name, status: outcome.status }, outcome.durationMs);
    if (!ok) toolErrors.inc({ vertical: this.vertical, tool: name, code: outcome.errorCode ?? outcome.status });
    const span = this.tools.get(key);
    if (!span) return;
    this.tools.delete(key);
    span.setAttributes({ 'switchboard.tool.status': outcome.status, 'switchboard.tool.duration_ms': Math.round(outcome.durationMs) });
    if (!ok) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.errorCode ?? outcome.status });
    span.end();
  }

  handoff(from: string, to: string): void {
    callEventsTotal.inc({ vertical: this.vertical, event: 'handoff', outcome: 'done' });
    this.child('handoff', undefined, { 'switchboard.agent.from': from, 'switchboard.agent.to': to, 'gen_ai.agent.name': to }, this.turn?.span ?? this.span)?.end();
  }

  languageSwitch(from: string, to: string): void {
    callEventsTotal.inc({ vertical: this.vertical, event: 'language_switch', outcome: 'done' });
    this.child('language.switch', undefined, { 'switchboard.language.from': from, 'switchboard.language.to': to })?.end();
  }

  failover(): void {
    callEventsTotal.inc({ vertical: this.vertical, event: 'failover', outcome: 'started' });
    this.failoverSpan ??= this.child('model.failover', undefined, this.genAi());
  }

  reconnect(attempts: number, outcome: 'reconnected' | 'gave_up'): void {
    callEventsTotal.inc({ vertical: this.vertical, event: 'reconnect', outcome });
    const span = this.failoverSpan;
    this.failoverSpan = null;
    if (!span) return;
    span.setAttributes({ 'switchboard.reconnect.attempts': attempts, 'switchboard.failover.outcome': outcome });
    if (outcome === 'gave_up') span.setStatus({ code: SpanStatusCode.ERROR, message: 'no model could be restored' });
    span.end();
  }

  usage(usage: TokenUsage): void {
    const labels = { vertical: this.vertical, model: this.model };
    modelTokens.inc({ ...labels, direction: 'input' }, usage.inputTokens);
    modelTokens.inc({ ...labels, direction: 'output' }, usage.outputTokens);
    const cost = estimateCostUsd(this.model, usage);
    if (cost > 0) modelCostUsd.inc(labels, cost);
    this.totals.inputTokens += usage.inputTokens;
    this.totals.outputTokens += usage.outputTokens;
    this.totals.costUsd += cost;
    this.turn?.span?.setAttributes({ 'gen_ai.usage.input_tokens': usage.inputTokens, 'gen_ai.usage.output_tokens': usage.outputTokens });
  }

  callEnded(reason: string, status: string): void {
    const now = performance.now();
    this.endTurn(now);
    for (const span of this.tools.values()) span.end(now);
    this.tools.clear();
    if (this.failoverSpan) this.reconnect(0, 'gave_up');
    this.stream?.end(now);
    this.stream = null;
    const span = this.span;
    if (!span) return;
    const t = this.totals;
    span.setAttributes({
      'switchboard.call.end_reason': reason, 'switchboard.call.status': status, 'switchboard.turns': t.turns,
      'switchboard.turns.over_budget': t.overBudget, 'gen_ai.usage.input_tokens': t.inputTokens,
      'gen_ai.usage.output_tokens': t.outputTokens, 'switchboard.cost.estimated_usd': Number(t.costUsd.toFixed(6)),
    });
    if (status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
    span.end(now);
  }
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.name : 'error';
}

/** The telemetry of a new call: its span starts now (when tracing is on). */
export function callTelemetry(init: CallTelemetryInit): CallTelemetry {
  return new Telemetry(init);
}

/** Reports nothing (tests and tools that build a call's parts alone). */
export const NO_CALL_TELEMETRY: CallTelemetry = {
  traceId: '0'.repeat(32),
  spanId: '0'.repeat(16),
  logFields: { call_id: '', trace_id: '0'.repeat(32), span_id: '0'.repeat(16), vertical: '' },
  engine: () => undefined,
  modelConnect: () => () => undefined,
  streamStarted: () => undefined,
  turnStarted: () => undefined,
  stageLatency: () => undefined,
  toolStarted: () => undefined,
  toolEnded: () => undefined,
  handoff: () => undefined,
  languageSwitch: () => undefined,
  failover: () => undefined,
  reconnect: () => undefined,
  usage: () => undefined,
  callEnded: () => undefined,
};
