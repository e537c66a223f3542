/**
 * One gateway or worker as a member of the fleet: it registers itself with a heartbeat (versions
 * per vertical, live calls), finalises calls it left behind in an earlier life, sweeps the calls
 * of instances that stopped heart-beating (end reason `instance_lost`, analysed like any other
 * call: the finalising transaction queues the outbox row), and answers fleet messages: claim
 * notices (release a pre-warmed call) and signed reload requests (reload, then report).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { createLogger, type Logger } from '../../observability/index.js';
import { describeError } from '../../shared/index.js';
import { verifyReload, type FleetBus, type FleetMessage, type FleetRepository, type InstanceKind, type ReloadResultMessage } from '../../store/index.js';

/** What a reload looks like to the instance layer (the gateway's catalog, the worker's). */
export interface ReloadTarget {
  reload(): Promise<{ ok: boolean; generation: number | null; problems: string[] }>;
  /** Vertical id → the version new calls (or analyses) get here now. */
  versions(): Record<string, string>;
}

export interface FleetInstanceOptions {
  id: string;
  kind: InstanceKind;
  repo: Pick<FleetRepository, 'beat' | 'stopped' | 'finalizeLost' | 'finalizeLeftBehind'>;
  bus?: FleetBus;
  target: ReloadTarget;
  heartbeatMs: number;
  lostAfterMs: number;
  /** Reload requests must be signed with this (ADMIN_TOKEN); without one they are refused. */
  adminToken: string | null;
  liveCalls?(): number;
  /** Only gateways finalise lost calls (a worker serves none, but it may sweep too). */
  sweep?: boolean;
  /** A single-process store (embedded PGlite): every unfinished row at start is a leftover. */
  sweepAllAtStart?: boolean;
  /** A claim notice for a call this instance prepared. */
  onClaimed?(callSid: string): void;
  /** Results of reloads (ours and others'), for whoever is waiting on them. */
  onReloadResult?(result: ReloadResultMessage): void;
  url?: string | null;
  logger?: Logger;
}

export interface FleetInstance {
  readonly id: string;
  /** Writes a heartbeat now (also after a reload, so `instances` shows the new versions at once). */
  beat(): Promise<void>;
  /** One sweep for lost instances' calls now; resolves with how many calls it finalised. */
  sweepNow(): Promise<number>;
  close(): Promise<void>;
}

export const LOST_REASON = 'instance_lost';

/** A fresh instance id: host, pid and a few random characters (`SWITCHBOARD_INSTANCE_ID` overrides). */
export function generateInstanceId(kind: InstanceKind): string {
  const host = hostname().replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 24) || 'host';
  return `${kind === 'gateway' ? 'gw' : 'wk'}-${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export async function startFleetInstance(opts: FleetInstanceOptions): Promise<FleetInstance> {
  const log = opts.logger ?? createLogger('fleet');
  const { id, repo } = opts;
  const info = () => ({
    versions: opts.target.versions(), liveCalls: opts.liveCalls?.() ?? 0, pid: process.pid, host: hostname(), url: opts.url ?? null,
  });
  const beat = async (): Promise<void> => {
    try {
      await repo.beat(id, opts.kind, info());
    } catch (err) {
      log.warn('heartbeat not written', { instance: id, err: describeError(err) });
    }
  };
  const sweepNow = async (): Promise<number> => {
    try {
      const lost = await repo.finalizeLost(id, opts.lostAfterMs, LOST_REASON);
      for (const call of lost) log.warn('call of a lost instance finalised', { callId: call.id, callSid: call.callSid, owner: call.owner, reason: LOST_REASON });
      return lost.length;
    } catch (err) {
      log.warn('lost-instance sweep failed', { err: describeError(err) });
      return 0;
    }
  };

  // Rows this instance id left unfinished (killed in an earlier life) are over: nobody serves them.
  const left = await repo.finalizeLeftBehind(id, LOST_REASON, opts.sweepAllAtStart ?? false);
  if (left.length) log.warn('calls left behind by an earlier run finalised', { instance: id, count: left.length, reason: LOST_REASON });
  await repo.beat(id, opts.kind, info());

  let reloading: Promise<void> = Promise.resolve();
  const onMessage = (m: FleetMessage): void => {
    if (m.type === 'call.claimed') {
      if (m.preparedBy === id && m.sender !== id) opts.onClaimed?.(m.callSid);
      return;
    }
    if (m.type === 'reload.result') {
      opts.onReloadResult?.(m);
      return;
    }
    if (!verifyReload(opts.adminToken, m)) {
      log.warn('reload request refused', { code: opts.adminToken ? 'FLEET_SENDER_UNKNOWN' : 'ADMIN_DISABLED', sender: m.sender });
      return;
    }
    // One reload at a time per instance; each request gets its own answer.
    reloading = reloading.then(async () => {
      let result: ReloadResultMessage;
      try {
        const r = await opts.target.reload();
        result = { type: 'reload.result', sender: id, requestId: m.requestId, kind: opts.kind, ok: r.ok, generation: r.generation, versions: opts.target.versions(), problems: r.problems.slice(0, 200), ...(r.ok ? {} : { code: 'CATALOG_RELOAD_REJECTED' }) };
      } catch (err) {
        result = { type: 'reload.result', sender: id, requestId: m.requestId, kind: opts.kind, ok: false, generation: null, versions: opts.target.versions(), problems: [describeError(err)], code: 'RELOAD_FAILED' };
      }
      log.info('fleet reload', { requestId: m.requestId, sender: m.sender, ok: result.ok, generation: result.generation });
      await beat();
      await opts.bus?.publish(result);
    });
  };
  await opts.bus?.subscribe(onMessage);

  const sweeping = opts.sweep ?? opts.kind === 'gateway';
  const timer = setInterval(() => {
    void beat().then(() => (sweeping ? sweepNow() : 0));
  }, opts.heartbeatMs);
  timer.unref();
  log.info('instance registered', { instance: id, kind: opts.kind, heartbeatMs: opts.heartbeatMs, lostAfterMs: opts.lostAfterMs, bus: opts.bus ? 'redis' : 'none' });

  return {
    id,
    beat,
    sweepNow,
    async close() {
      clearInterval(timer);
      await reloading.catch(() => undefined);
      await repo.stopped(id).catch((err: unknown) => log.warn('stop not recorded', { err: describeError(err) }));
    },
  };
}
