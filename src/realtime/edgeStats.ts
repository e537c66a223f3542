/**
 * Process-wide figures of the audio edge, cheap enough for every frame: counters, and latency
 * samples kept in fixed rings (microseconds) from which the bench reads percentiles.
 */

const RING = 1 << 16;

export class LatencyRing {
  private readonly buf = new Float64Array(RING);
  private n = 0;
  add(valueMs: number): void {
    this.buf[this.n & (RING - 1)] = valueMs;
    this.n++;
  }
  get count(): number {
    return this.n;
  }
  reset(): void {
    this.n = 0;
  }
  /** Percentiles (0..100) over the samples kept. */
  percentiles(ps: readonly number[]): number[] {
    const k = Math.min(this.n, RING);
    if (k === 0) return ps.map(() => NaN);
    const sorted = this.buf.slice(0, k).sort();
    return ps.map((p) => sorted[Math.min(k - 1, Math.max(0, Math.ceil((p / 100) * k) - 1))]!);
  }
}

export const edgeStats = {
  /** Carrier frames given to the model (appends sent). */
  appendsOut: 0,
  /** Carrier frames dropped because no model connection was open. */
  framesDroppedNoModel: 0,
  /** Model audio deltas received, and their frames sent to carriers. */
  deltasIn: 0,
  framesOut: 0,
  /** Deltas dropped because their response was interrupted. */
  deltasDropped: 0,
  clears: 0,
  /** Carrier frame in → append out (ms). */
  inboundMs: new LatencyRing(),
  /** Model delta in → its frames out to the carrier (ms). */
  outboundMs: new LatencyRing(),
  /** `speech_started` in → `clear` out (ms). */
  clearMs: new LatencyRing(),
};

export type EdgeStatsSnapshot = ReturnType<typeof snapshotEdgeStats>;

export function snapshotEdgeStats() {
  const [inP50, inP99] = edgeStats.inboundMs.percentiles([50, 99]);
  const [outP50, outP99] = edgeStats.outboundMs.percentiles([50, 99]);
  const [clearP50, clearP99] = edgeStats.clearMs.percentiles([50, 99]);
  return {
    appendsOut: edgeStats.appendsOut,
    framesDroppedNoModel: edgeStats.framesDroppedNoModel,
    deltasIn: edgeStats.deltasIn,
    framesOut: edgeStats.framesOut,
    deltasDropped: edgeStats.deltasDropped,
    clears: edgeStats.clears,
    inboundMs: { p50: inP50!, p99: inP99!, count: edgeStats.inboundMs.count },
    outboundMs: { p50: outP50!, p99: outP99!, count: edgeStats.outboundMs.count },
    clearMs: { p50: clearP50!, p99: clearP99!, count: edgeStats.clearMs.count },
  };
}

/** Starts a new latency window (the counters keep counting: they are process totals). */
export function resetEdgeStats(): void {
  edgeStats.inboundMs.reset();
  edgeStats.outboundMs.reset();
  edgeStats.clearMs.reset();
}
