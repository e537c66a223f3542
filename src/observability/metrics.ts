/**
 * Prometheus metrics shared by the edge (src/telephony, src/server) and the runtime
 * (src/realtime). One registry per process, served at `GET /metrics`.
 *
 * The per-frame counters are plain numbers (`edgeCounters`): incrementing a number costs
 * nothing on the hot path, and they are copied into prom-client only when scraped.
 * Edge latency percentiles come from the runtime's own rings (`setEdgeLatencySource`).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

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
