/**
 * A media stream this instance did not prepare (the proxy sent it elsewhere than the webhook, or
 * the preparing instance is gone): decide from the call row whether to claim and serve the call
 * or refuse the stream. The claim is one atomic UPDATE in Postgres, so a call is never served
 * twice; the pinned manifest version comes from the call row, never this instance's current one.
 */
import type { CompiledVertical } from '../catalog/index.js';
import type { FleetRepository, OwnedCall } from '../store/index.js';

/** Why a stream was refused (logged with the call SID; the socket closes 1008 with the reason). */
export const STREAM_REFUSAL = {
  unknown: 'CALL_UNKNOWN',
  finished: 'CALL_FINISHED',
  forged: 'STREAM_INSTANCE_FORGED',
  claimedElsewhere: 'CALL_CLAIMED_ELSEWHERE',
  versionUnavailable: 'CALL_VERSION_UNAVAILABLE',
} as const;
export type StreamRefusal = (typeof STREAM_REFUSAL)[keyof typeof STREAM_REFUSAL];

export type ColdStartVerdict =
  | { kind: 'claimed'; row: OwnedCall; vertical: CompiledVertical }
  /** No row and no instance named: a stream nobody prepared (the simulator without a webhook). */
  | { kind: 'unprepared' }
  | { kind: 'refused'; code: StreamRefusal; message: string };

export interface ColdStartDeps {
  me: string;
  fleet: Pick<FleetRepository, 'lookup' | 'claim'>;
  /** Exactly this vertical version (live, canary or kept from before a reload), or undefined. */
  pinned(id: string, version: string): CompiledVertical | undefined;
  /** How long to wait for the preparing instance's call row (its write races the stream). */
  rowWaitMs: number;
}

const POLL_MS = 40;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function findRow(deps: ColdStartDeps, callSid: string, wait: boolean): Promise<OwnedCall | null> {
  const deadline = Date.now() + (wait ? deps.rowWaitMs : 0);
  for (;;) {
    const row = await deps.fleet.lookup(callSid);
    if (row || Date.now() >= deadline) return row;
    await sleep(POLL_MS);
  }
}

export async function decideColdStart(deps: ColdStartDeps, callSid: string, preparedBy: string | undefined): Promise<ColdStartVerdict> {
  const row = await findRow(deps, callSid, preparedBy !== undefined);
  if (!row) {
    if (preparedBy === undefined) return { kind: 'unprepared' };
    return { kind: 'refused', code: STREAM_REFUSAL.unknown, message: `no call ${callSid} was prepared (by ${preparedBy} or anyone)` };
  }
  if (row.endedAt) return { kind: 'refused', code: STREAM_REFUSAL.finished, message: 'the call has already ended' };
  if (preparedBy !== undefined && row.preparedBy !== null && preparedBy !== row.preparedBy) {
    return { kind: 'refused', code: STREAM_REFUSAL.forged, message: `the stream URL names ${preparedBy}, but ${row.preparedBy} prepared the call` };
  }
  if (row.owner !== null && row.owner !== row.preparedBy && row.owner !== deps.me) {
    return { kind: 'refused', code: STREAM_REFUSAL.claimedElsewhere, message: `instance ${row.owner} serves the call` };
  }
  const vertical = deps.pinned(row.vertical, row.manifestVersion);
  if (!vertical) {
    return { kind: 'refused', code: STREAM_REFUSAL.versionUnavailable, message: `${row.vertical}@${row.manifestVersion} is not compiled on this instance` };
  }
  if (!(await deps.fleet.claim(callSid, deps.me))) {
    return { kind: 'refused', code: STREAM_REFUSAL.claimedElsewhere, message: 'another instance claimed the call first, or it ended' };
  }
  return { kind: 'claimed', row, vertical };
}
