/**
 * The spans of a call that live outside the call session: the carrier's webhook (the gateway,
 * before the call exists) and the post-call analysis (the worker, after it ended). Both join the
 * call's trace through ids derived from the Call SID, or the `traceparent` the job carries.
 */
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { callSpanIdFromTraceId, traceIdFromCallSid, traceparentOf } from '../shared/index.js';
import { analysisFailures, analysisJobMs, analysisQueuedToStoredMs } from './metrics.js';
import { activeTracer, contextFromTraceparent, remoteParent } from './tracing.js';

export interface WebhookSpan {
  /** The number routed to a vertical. */
  routed(vertical: string, version: string): void;
  end(outcome: string): void;
}

const NO_WEBHOOK_SPAN: WebhookSpan = { routed: () => undefined, end: () => undefined };

/**
 * The server side of a carrier's voice webhook (routing, pre-warm), a child of the call's span,
 * which starts a moment later when the call is prepared: both ids are derived from the Call SID.
 */
export function startWebhookSpan(carrier: string, route: string, callSid: string): WebhookSpan {
  const tracer = activeTracer();
  if (!tracer) return NO_WEBHOOK_SPAN;
  const traceId = traceIdFromCallSid(callSid);
  const span: Span = tracer.startSpan(`webhook ${route}`, {
    kind: SpanKind.SERVER,
    attributes: { 'switchboard.carrier': carrier, 'switchboard.webhook.route': route, 'switchboard.call.sid': callSid },
  }, remoteParent(traceId, callSpanIdFromTraceId(traceId)));
  return {
    routed: (vertical, version) => span.setAttributes({ 'switchboard.vertical': vertical, 'switchboard.manifest.version': version }),
    end: (outcome) => {
      span.setAttribute('switchboard.webhook.outcome', outcome);
      span.end();
    },
  };
}

/** The `traceparent` a post-call job carries: the call's span, from the call row's trace id. */
export function callTraceparent(traceId: string | null | undefined): string | undefined {
  return traceId && /^[0-9a-f]{32}$/.test(traceId) ? traceparentOf(traceId, callSpanIdFromTraceId(traceId)) : undefined;
}

export interface AnalysisSpanInit {
  callId: string;
  vertical: string;
  attempt: number;
  traceparent?: string | undefined;
  /** When the job was queued (epoch ms): the span runs from there to the stored analysis. */
  queuedAtMs?: number | undefined;
}

export interface AnalysisTelemetry {
  /** Log fields of the job's lines: the call's trace. */
  readonly logFields: Readonly<Record<string, string>>;
  stored(outcome: { analyser: string; isShort: boolean; revision: number }): void;
  /** The attempt failed; `unrecoverable` when it will not be retried. */
  failed(err: unknown, unrecoverable: boolean): void;
}

/** Span and metrics of one post-call analysis attempt. */
export function startAnalysisTelemetry(init: AnalysisSpanInit): AnalysisTelemetry {
  const started = performance.now();
  const parent = contextFromTraceparent(init.traceparent);
  const queuedAt = init.queuedAtMs !== undefined && init.queuedAtMs <= Date.now() ? init.queuedAtMs : undefined;
  const span = activeTracer()?.startSpan('post_call.analysis', {
    kind: SpanKind.CONSUMER,
    ...(queuedAt !== undefined ? { startTime: queuedAt } : {}),
    attributes: { 'switchboard.call.id': init.callId, 'switchboard.vertical': init.vertical, 'switchboard.analysis.attempt': init.attempt },
  }, parent);
  const ids = span?.spanContext();
  const traceId = ids?.traceId ?? /^00-([0-9a-f]{32})-/.exec(init.traceparent ?? '')?.[1];
  const logFields: Record<string, string> = { call_id: init.callId, vertical: init.vertical };
  if (traceId) logFields.trace_id = traceId;
  if (ids) logFields.span_id = ids.spanId;
  const vertical = init.vertical;
  return {
    logFields,
    stored(outcome) {
      analysisJobMs.observe({ vertical, analyser: outcome.analyser, outcome: 'stored' }, performance.now() - started);
      if (queuedAt !== undefined) analysisQueuedToStoredMs.observe({ vertical }, Date.now() - queuedAt);
      span?.setAttributes({
        'switchboard.analysis.analyser': outcome.analyser, 'switchboard.analysis.short': outcome.isShort,
        'switchboard.analysis.revision': outcome.revision,
      });
      span?.end();
    },
    failed(err, unrecoverable) {
      analysisJobMs.observe({ vertical, analyser: 'unknown', outcome: 'failed' }, performance.now() - started);
      analysisFailures.inc({ vertical, kind: unrecoverable ? 'unrecoverable' : 'retryable' });
      const code = (err as { code?: unknown } | null)?.code;
      span?.setStatus({ code: SpanStatusCode.ERROR, message: typeof code === 'string' ? code : (err as Error | null)?.name ?? 'error' });
      span?.setAttribute('switchboard.analysis.unrecoverable', unrecoverable);
      span?.end();
    },
  };
}
