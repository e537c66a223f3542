/**
 * Prometheus metrics shared by the edge (src/telephony, src/server) and the runtime
 * (src/realtime). One registry per process, served at `GET /metrics`.
 *
 * The per-frame counters are plain numbers (`edgeCounters`): incrementing a number costs
 * nothing on the hot path, and they are copied into prom-client only when scraped.
 * Edge latency percentiles come from the runtime's own rings (`setEdgeLatencySource`).
 */
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const metricsRegistry = new Registry();

/** Hot-path counters, bumped directly by the carrier socket and the runtime. */
export const edgeCounters = {
  framesIn: 0,
  framesOut: 0,
  protocolErrors: 0,
};

let activeCallsProvider: () => { active: number; byVertical: Record<string, number> } = () => ({ active: 0, byVertical: {} });

/** The server points this at `CallHandler.stats()`. */
export function setActiveCallsProvider(fn: () => { active: number; byVertical: Record<string, number> }): void {
  activeCallsProvider = fn;
}

function counterFrom(name: string, help: string, labelNames: string[], read: () => Array<[Record<string, string>, number]>): Counter<string> {
  const last = new Map<string, number>();
  return new Counter({
    name,
    help,
    labelNames,
    registers: [metricsRegistry],
    collect() {
      for (const [labels, value] of read()) {
        const key = JSON.stringify(labels);
        const delta = value - (last.get(key) ?? 0);
        if (delta > 0) this.inc(labels, delta);
        last.set(key, value);
      }
    },
  });
}

counterFrom('switchboard_carrier_frames_total', 'Media frames between carrier and gateway', ['direction'], () => [
  [{ direction: 'in' }, edgeCounters.framesIn],
  [{ direction: 'out' }, edgeCounters.framesOut],
]);
counterFrom('switchboard_carrier_protocol_errors_total', 'Carrier messages refused (bad JSON, unknown event, ...)', [], () => [
  [{}, edgeCounters.protocolErrors],
]);

new Gauge({
  name: 'switchboard_active_calls',
  help: 'Calls in progress',
  labelNames: ['vertical'],
  registers: [metricsRegistry],
  collect() {
    this.reset();
    const stats = activeCallsProvider();
    this.set(stats.active);
    for (const [vertical, n] of Object.entries(stats.byVertical)) this.set({ vertical }, n);
  },
});

export const callsTotal = new Counter({
  name: 'switchboard_calls_total',
  help: 'Calls ended, by vertical and end reason',
  labelNames: ['vertical', 'end_reason'],
  registers: [metricsRegistry],
});

/** The runtime calls this once per finished call. */
export function recordCallEnded(vertical: string, endReason: string): void {
  callsTotal.inc({ vertical, end_reason: endReason });
}

export const webhooksTotal = new Counter({
  name: 'switchboard_webhooks_total',
  help: 'Carrier webhooks and stream upgrades, by route and outcome',
  labelNames: ['route', 'outcome'],
  registers: [metricsRegistry],
});

/** Latency percentiles of the audio edge, kept by the runtime in cheap rings (ms). */
export interface EdgeLatencySnapshot {
  inboundMs: { p50: number; p99: number; count: number };
  outboundMs: { p50: number; p99: number; count: number };
  clearMs: { p50: number; p99: number; count: number };
}

let edgeLatencySource: (() => EdgeLatencySnapshot) | null = null;

/** The composition root points this at the runtime's `snapshotEdgeStats`. */
export function setEdgeLatencySource(fn: () => EdgeLatencySnapshot): void {
  edgeLatencySource = fn;
}

new Gauge({
  name: 'switchboard_edge_latency_ms',
  help: 'Time the gateway adds, recent percentiles: carrier frame in to model append out (inbound), model delta in to carrier media out (outbound), speech_started to clear (clear)',
  labelNames: ['path', 'quantile'],
  registers: [metricsRegistry],
  collect() {
    this.reset();
    const snap = edgeLatencySource?.();
    if (!snap) return;
    for (const [path, q] of [['inbound', snap.inboundMs], ['outbound', snap.outboundMs], ['clear', snap.clearMs]] as const) {
      if (q.count === 0) continue;
      this.set({ path, quantile: '0.5' }, q.p50);
      this.set({ path, quantile: '0.99' }, q.p99);
    }
  },
});

let defaultsOn = false;
/** Process metrics (CPU, RSS, event-loop lag); the server binary turns them on. */
export function enableProcessMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'switchboard_' });
}

// ---- calls, turns and stages (reported through the call-telemetry port, src/observability/callTelemetry.ts)

/** Milliseconds: turn and stage latencies around the 800 ms budget, tools and analysis up to minutes. */
const MS_BUCKETS = [25, 50, 100, 150, 200, 300, 400, 500, 650, 800, 1000, 1500, 2000, 3000, 5000, 10_000, 30_000, 120_000];

export const turnLatencyMs = new Histogram({
  name: 'switchboard_turn_latency_ms',
  help: 'Caller speech end to the first audio frame out to the carrier, per turn',
  labelNames: ['vertical', 'engine'],
  buckets: MS_BUCKETS,
  registers: [metricsRegistry],
});

export const turnsOverBudget = new Counter({
  name: 'switchboard_turns_over_budget_total',
  help: 'Turns whose latency exceeded the vertical\'s latency.budgetMs',
  labelNames: ['vertical', 'engine'],
  registers: [metricsRegistry],
});

export const stageLatencyMs = new Histogram({
  name: 'switchboard_stage_latency_ms',
  help: 'Latency of each stage of a call (the samples of calls show: transcription, model first audio, edge, playback, barge-in clear, ...)',
  labelNames: ['vertical', 'stage'],
  buckets: MS_BUCKETS,
  registers: [metricsRegistry],
});

export const stagesOverBudget = new Counter({
  name: 'switchboard_stages_over_budget_total',
  help: 'Stage samples above their per-stage budget (latency.stages)',
  labelNames: ['vertical', 'stage'],
  registers: [metricsRegistry],
});

export const toolDurationMs = new Histogram({
  name: 'switchboard_tool_duration_ms',
  help: 'Tool invocations, by tool and outcome',
  labelNames: ['vertical', 'tool', 'status'],
  buckets: MS_BUCKETS,
  registers: [metricsRegistry],
});

export const toolErrors = new Counter({
  name: 'switchboard_tool_errors_total',
  help: 'Tool invocations that did not succeed, by tool and error code',
  labelNames: ['vertical', 'tool', 'code'],
  registers: [metricsRegistry],
});

export const callEventsTotal = new Counter({
  name: 'switchboard_call_events_total',
  help: 'Handoffs, barge-ins, failovers, reconnects and language switches',
  labelNames: ['vertical', 'event', 'outcome'],
  registers: [metricsRegistry],
});

export const modelTokens = new Counter({
  name: 'switchboard_model_tokens_total',
  help: 'Model tokens used (response.done usage), by direction',
  labelNames: ['vertical', 'model', 'direction'],
  registers: [metricsRegistry],
});

export const modelCostUsd = new Counter({
  name: 'switchboard_model_cost_usd_total',
  help: 'Estimated model cost in US dollars (tokens times the price table in config observability.prices)',
  labelNames: ['vertical', 'model'],
  registers: [metricsRegistry],
});

// ---- post-call analysis

export const analysisJobMs = new Histogram({
  name: 'switchboard_analysis_job_duration_ms',
  help: 'Post-call analysis jobs: processing time, by outcome',
  labelNames: ['vertical', 'analyser', 'outcome'],
  buckets: MS_BUCKETS,
  registers: [metricsRegistry],
});

export const analysisQueuedToStoredMs = new Histogram({
  name: 'switchboard_analysis_queued_to_stored_ms',
  help: 'Post-call analysis: job queued to analysis stored',
  labelNames: ['vertical'],
  buckets: MS_BUCKETS,
  registers: [metricsRegistry],
});

export const analysisFailures = new Counter({
  name: 'switchboard_analysis_failures_total',
  help: 'Post-call analysis attempts that failed: retryable (BullMQ tries again) or unrecoverable',
  labelNames: ['vertical', 'kind'],
  registers: [metricsRegistry],
});

// ---- post-call webhooks (outgoing; `switchboard_webhooks_total` counts the carriers' incoming ones)

export const webhookDeliveryAttempts = new Counter({
  name: 'switchboard_webhook_delivery_attempts_total',
  help: 'Outgoing webhook delivery attempts: delivered, failed (retried), dead_letter (gave up)',
  labelNames: ['vertical', 'event', 'outcome'],
  registers: [metricsRegistry],
});

export const webhookDeliveryMs = new Histogram({
  name: 'switchboard_webhook_delivery_duration_ms',
  help: 'Outgoing webhook delivery attempts: request to answer, by outcome',
  labelNames: ['vertical', 'outcome'],
  buckets: MS_BUCKETS,
});

/** Calls the gateway did not take (admission control), by vertical, why, and what the caller got. */
export const callsOverflowTotal = new Counter({
  name: 'switchboard_calls_overflow_total',
  help: 'Incoming calls given the vertical\'s overflow answer instead of an agent (reason: at_capacity or draining; policy: busy_message, reject or redirect)',
  labelNames: ['vertical', 'reason', 'policy'] as const,
  registers: [metricsRegistry],
});

/** This process's metrics as data, for a parent process to aggregate (`--workers`). */
export function metricsSnapshot(): Promise<object[]> {
  return metricsRegistry.getMetricsAsJSON() as Promise<object[]>;
}

/** Several processes' snapshots as one Prometheus text (counters and gauges summed). */
export async function aggregateMetrics(snapshots: object[][]): Promise<{ contentType: string; text: string }> {
  const registry = AggregatorRegistry.aggregate(snapshots);
  return { contentType: registry.contentType, text: await registry.metrics() };
}

/** `--workers`: the primary's time from a connection's first byte to handing it to a worker (the routing's cost). */
export const workerHandoffMs = new Histogram({
  name: 'switchboard_worker_handoff_ms',
  help: 'npm start --workers: from the first byte of a connection to its socket handed to a worker, in the primary (ms)',
  labelNames: ['kind'] as const,
  buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100],
  registers: [metricsRegistry],
});
