/**
 * The process's OpenTelemetry tracer, configured by the standard `OTEL_*` environment variables:
 * on when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set and
 * `OTEL_SDK_DISABLED` is not `true`; spans go to the OTLP/HTTP exporter through a batch processor;
 * `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_TRACES_SAMPLER(_ARG)` are read by the
 * SDK. When off, `activeTracer()` is null and nothing here runs on a call's path.
 *
 * The provider is not registered globally: spans are parented explicitly (a call's parts hold
 * their call's span), so no context manager runs on the audio path, and tests can start and stop
 * tracing with an in-memory exporter as often as they like.
 */
import { ROOT_CONTEXT, TraceFlags, trace, type Context, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor, NodeTracerProvider, RandomIdGenerator, SimpleSpanProcessor,
  type IdGenerator, type SpanExporter,
} from '@opentelemetry/sdk-trace-node';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * Random ids, except for the one span started right after `pin`: a call's span gets the ids
 * derived from its Call SID (see src/shared/ids.ts), so its trace is the same in every process.
 */
class PinnableIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private pinnedTrace: string | undefined;
  private pinnedSpan: string | undefined;
  pin(traceId: string, spanId: string): void {
    this.pinnedTrace = traceId;
    this.pinnedSpan = spanId;
  }
  unpin(): void {
    this.pinnedTrace = undefined;
    this.pinnedSpan = undefined;
  }
  generateTraceId(): string {
    const id = this.pinnedTrace;
    this.pinnedTrace = undefined;
    return id ?? this.random.generateTraceId();
  }
  generateSpanId(): string {
    const id = this.pinnedSpan;
    this.pinnedSpan = undefined;
    return id ?? this.random.generateSpanId();
  }
}

interface TracingState {
  provider: NodeTracerProvider;
  tracer: Tracer;
  ids: PinnableIdGenerator;
}

let state: TracingState | null = null;

export interface StartTracingOptions {
  /** `service.name` unless `OTEL_SERVICE_NAME` says otherwise. */
  serviceName: string;
  /** Tests: export here (e.g. an `InMemorySpanExporter`) instead of OTLP, on whatever the environment says. */
  exporter?: SpanExporter;
  /** `simple` exports each span as it ends (tests); `batch` is the default. */
  processor?: 'batch' | 'simple';
  env?: NodeJS.ProcessEnv;
}

/** Whether the environment asks for traces. */
export function tracingWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Starts tracing when the environment asks for it (or an exporter is given). Returns whether it is on. */
export function startTracing(options: StartTracingOptions): boolean {
  const env = options.env ?? process.env;
  if (state) return true;
  if (!options.exporter && !tracingWanted(env)) return false;
  const ids = new PinnableIdGenerator();
  const exporter = options.exporter ?? new OTLPTraceExporter();
  const processor = options.processor === 'simple' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': options.serviceName }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, idGenerator: ids, spanProcessors: [processor] });
  state = { provider, tracer: provider.getTracer('switchboard'), ids };
  return true;
}

/** Exports what is buffered. */
export async function flushTracing(): Promise<void> {
  await state?.provider.forceFlush();
}

/** Exports what is buffered and turns tracing off. */
export async function stopTracing(): Promise<void> {
  const s = state;
  state = null;
  await s?.provider.shutdown();
}

/** The tracer, or null when tracing is off. */
export function activeTracer(): Tracer | null {
  return state?.tracer ?? null;
}

/** Starts a root span with the given (derived) ids. Null when tracing is off. */
export function startPinnedSpan(name: string, ids: { traceId: string; spanId: string }, options: SpanOptions = {}): Span | null {
  const s = state;
  if (!s) return null;
  s.ids.pin(ids.traceId, ids.spanId);
  try {
    return s.tracer.startSpan(name, { ...options, root: true }, ROOT_CONTEXT);
  } finally {
    s.ids.unpin();
  }
}

/** A context whose parent is a span of another process or not yet started (a remote parent). */
export function remoteParent(traceId: string, spanId: string): Context {
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
}

/** The context a W3C `traceparent` names, or undefined when it is not one. */
export function contextFromTraceparent(traceparent: string | undefined): Context | undefined {
  const m = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!m) return undefined;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: m[1]!, spanId: m[2]!, traceFlags: Number.parseInt(m[3]!, 16) & 1, isRemote: true });
}

/** A context with `span` as the parent. */
export function contextOf(span: Span): Context {
  return trace.setSpan(ROOT_CONTEXT, span);
}
