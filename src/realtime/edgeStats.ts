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

/** Counters of the audio edge; written through methods so only the edge code moves them. */
class EdgeStats {
  private appends = 0;
  private droppedNoModel = 0;
  private deltas = 0;
  private frames = 0;
  private deltasDroppedCount = 0;
  private clearCount = 0;
  private heldCount = 0;
  private heldDropped = 0;
  private playbackDropped = 0;
  private stalls = { carrier: 0, model: 0 };
  /** Carrier frame in → append out (ms). */
  readonly inboundMs = new LatencyRing();
  /** Model delta in → its frames out to the carrier (ms). */
  readonly outboundMs = new LatencyRing();
  /** `speech_started` in → `clear` out (ms). */
  readonly clearMs = new LatencyRing();

  /** A carrier frame was given to the model, `ms` after it arrived. */
  appendSent(ms: number): void {
    this.appends++;
    this.inboundMs.add(ms);
  }

  /** A carrier frame was dropped because no model connection was open. */
  frameDroppedNoModel(): void {
    this.droppedNoModel++;
  }

  /** A carrier frame was held because the model could not take it yet (no session, a reconnect, a slow socket). */
  frameHeld(): void {
    this.heldCount++;
  }

  /** A held frame went to the model (it counts as an append; its wait is not edge latency). */
  heldFrameSent(): void {
    this.appends++;
  }

  /** A held frame was dropped, oldest first, because 2 s were already held. */
  heldFrameDropped(): void {
    this.heldDropped++;
  }

  /** An outbound frame was dropped, oldest first, because the carrier socket reads too slowly. */
  playbackFrameDropped(): void {
    this.playbackDropped++;
  }

  /** A call was ended because its carrier or model socket stayed stalled. */
  stalledCall(side: 'carrier' | 'model'): void {
    this.stalls[side]++;
  }

  deltaIn(): void {
    this.deltas++;
  }

  /** A delta was dropped because its response was interrupted. */
  deltaDropped(): void {
    this.deltasDroppedCount++;
  }

  /** A delta's `frames` went to the carrier `ms` after it arrived. */
  framesOut(frames: number, ms: number): void {
    this.frames += frames;
    this.outboundMs.add(ms);
  }

  cleared(ms: number): void {
    this.clearCount++;
    this.clearMs.add(ms);
  }

  snapshot() {
    const [inP50, inP99] = this.inboundMs.percentiles([50, 99]);
    const [outP50, outP99] = this.outboundMs.percentiles([50, 99]);
    const [clearP50, clearP99] = this.clearMs.percentiles([50, 99]);
    return {
      /** Carrier frames given to the model (appends sent). */
      appendsOut: this.appends,
      /** Carrier frames dropped because no model connection was open. */
      framesDroppedNoModel: this.droppedNoModel,
      /** Model audio deltas received, and their frames sent to carriers. */
      deltasIn: this.deltas,
      framesOut: this.frames,
      /** Deltas dropped because their response was interrupted. */
      deltasDropped: this.deltasDroppedCount,
      clears: this.clearCount,
      /** Carrier frames held while the model could not take them, and held frames dropped (oldest first). */
      framesHeld: this.heldCount,
      framesDroppedHeldFull: this.heldDropped,
      /** Outbound frames dropped (oldest first) for a carrier socket that reads too slowly. */
      framesDroppedSlowCarrier: this.playbackDropped,
      /** Calls ended because a socket stayed stalled. */
      callsEndedCarrierStalled: this.stalls.carrier,
      callsEndedModelStalled: this.stalls.model,
      inboundMs: { p50: inP50!, p99: inP99!, count: this.inboundMs.count },
      outboundMs: { p50: outP50!, p99: outP99!, count: this.outboundMs.count },
      clearMs: { p50: clearP50!, p99: clearP99!, count: this.clearMs.count },
    };
  }
}

export const edgeStats = new EdgeStats();

export type EdgeStatsSnapshot = ReturnType<typeof snapshotEdgeStats>;

export function snapshotEdgeStats() {
  return edgeStats.snapshot();
}

/** Starts a new latency window (the counters keep counting: they are process totals). */
export function resetEdgeStats(): void {
  edgeStats.inboundMs.reset();
  edgeStats.outboundMs.reset();
  edgeStats.clearMs.reset();
}
