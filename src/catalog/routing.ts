/**
 * Run-time routing on top of the compiled verticals: the operator's number assignments (which
 * override the manifests' `numbers`) and canaries (a candidate version taking a share of a
 * vertical's new calls). Pure: the catalog holds one `RoutingState` and swaps it whole.
 */
import { createHash } from 'node:crypto';
import type { CompiledVertical } from './compile.js';

export interface CanaryRoute {
  vertical: string;
  candidate: CompiledVertical;
  /** Share of new calls (0–100) that run on the candidate. */
  percent: number;
  /** Only calls to this number are split; null: every number of the vertical. */
  number: string | null;
  /** 'promoted': every new call runs on the candidate while the live version is still `baseVersion`. */
  state: 'running' | 'promoted';
  baseVersion: string;
}

export interface RoutingState {
  /** Number → vertical id, from the operator (phone_numbers). */
  assignments: ReadonlyMap<string, string>;
  /** Vertical id → its canary, compiled. */
  canaries: ReadonlyMap<string, CanaryRoute>;
}

export const EMPTY_ROUTING: RoutingState = Object.freeze({ assignments: new Map(), canaries: new Map() });

/**
 * Where a call falls in [0, 100): the first 32 bits of SHA-256(CallSid), scaled. The same
 * CallSid always lands in the same place, so a retried webhook picks the same version, and
 * distinct CallSids spread uniformly.
 */
export function canaryBucket(callSid: string): number {
  const head = createHash('sha256').update(callSid).digest().readUInt32BE(0);
  return (head / 0x1_0000_0000) * 100;
}

/** The version a new call to `number` of `live` runs on. Without a CallSid it is the live one. */
export function pickVersion(live: CompiledVertical, canary: CanaryRoute | undefined, number: string, callSid: string | undefined): CompiledVertical {
  if (!canary || canary.vertical !== live.id) return live;
  if (canary.state === 'promoted') return live.version === canary.baseVersion ? canary.candidate : live;
  if (canary.number !== null && canary.number !== number) return live;
  if (callSid === undefined || callSid === '') return live;
  return canaryBucket(callSid) < canary.percent ? canary.candidate : live;
}

export type NumberSource = 'assigned' | 'manifest';

export interface NumberRoute {
  number: string;
  vertical: string;
  source: NumberSource;
  /** Set when an assignment moved the number away from the vertical whose manifest lists it. */
  manifestVertical?: string;
  /**
   * An assignment to a vertical that is not deployed here: it does not take the number, which
   * rings its manifest's vertical (source 'manifest') or nothing (source 'assigned').
   */
  unknownVertical?: string;
}

/** Whether a route rings a vertical (an assignment to an unknown vertical rings nothing). */
export const routeAnswers = (r: NumberRoute): boolean => !(r.source === 'assigned' && r.unknownVertical !== undefined);

/**
 * Every number some vertical answers: the manifests' numbers, overridden by assignments to a
 * deployed vertical. An assignment naming a vertical that does not exist is listed with
 * `unknownVertical` and does not take the number.
 */
export function effectiveNumbers(verticals: ReadonlyMap<string, Pick<CompiledVertical, 'id' | 'numbers'>>, assignments: ReadonlyMap<string, string>): NumberRoute[] {
  const out = new Map<string, NumberRoute>();
  for (const v of verticals.values()) for (const n of v.numbers) out.set(n, { number: n, vertical: v.id, source: 'manifest' });
  for (const [number, vertical] of assignments) {
    const manifest = out.get(number);
    if (!verticals.has(vertical)) {
      out.set(number, manifest ? { ...manifest, unknownVertical: vertical } : { number, vertical, source: 'assigned', unknownVertical: vertical });
      continue;
    }
    const route: NumberRoute = { number, vertical, source: 'assigned' };
    if (manifest && manifest.vertical !== vertical) route.manifestVertical = manifest.vertical;
    out.set(number, route);
  }
  return [...out.values()].sort((a, b) => a.number.localeCompare(b.number));
}
