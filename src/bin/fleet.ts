/**
 * The gateway as a fleet member (README "Running more than one instance"): its instance id, the
 * Redis bus (claims, reloads), the registry heartbeat and the lost-instance sweep, and the
 * fleet-wide reload behind `POST /admin/reload`. With no Redis it is a fleet of one: the
 * registry and the sweep still run on the database, reloads stay local.
 */
import { relative } from 'node:path';
import type { AppConfig } from '../config/index.js';
import type { Catalog, CompiledVertical } from '../catalog/index.js';
import { formatProblem } from '../manifest/index.js';
import { createLogger } from '../observability/index.js';
import type { CallManager, FleetOptions } from '../realtime/index.js';
import { createReloadCollector, generateInstanceId, startFleetInstance, type FleetReloadReport, type ReloadTarget } from '../server/index.js';
import { createFleetBus, type FleetBus, type Store } from '../store/index.js';

const log = createLogger('main');

export interface GatewayFleet {
  id: string;
  bus: FleetBus | undefined;
  /** What the call handler needs (ownership, claim notices). */
  handlerOptions: Omit<FleetOptions, 'pinned'>;
}

export function gatewayFleet(config: AppConfig, store: Store): GatewayFleet {
  const id = config.fleet.instanceId ?? generateInstanceId('gateway');
  const bus = config.redis.url ? createFleetBus(config.redis.url) : undefined;
  return {
    id,
    bus,
    handlerOptions: {
      instanceId: id,
      repo: store.fleet,
      ...(bus ? { announceClaim: (callSid: string, preparedBy: string) => void bus.publish({ type: 'call.claimed', sender: id, callSid, preparedBy }) } : {}),
    },
  };
}

/**
 * Every given vertical's domain schema (migrations are idempotent: only what is pending runs);
 * demo data too when the database is the embedded one.
 */
export async function prepareVerticals(store: Store, verticals: readonly CompiledVertical[]): Promise<void> {
  for (const v of verticals) {
    if (store.mode === 'pglite') {
      const seeded = await store.seedVertical(v.manifest, v.dir);
      if (seeded.seedFile) log.info('vertical seeded (embedded database)', { vertical: v.id, seed: relative(process.cwd(), seeded.seedFile) });
    } else {
      await store.migrateVertical(v.manifest, v.dir);
    }
  }
}

/**
 * Every reload (fleet-wide, local admin, routing) migrates the verticals it adds or changes
 * before they go into service: a call never reaches a vertical whose tables are not there yet,
 * and a failed migration rejects the reload (the running verticals stay).
 */
export function migrateBeforeSwap(catalog: Catalog, store: Store): void {
  catalog.beforeSwap(({ added, changed }) => prepareVerticals(store, [...added, ...changed]));
}

/** The catalog as a reload target (its before-swap step migrates what the reload brings in). */
export function catalogReloadTarget(catalog: Catalog): ReloadTarget {
  return {
    versions: () => Object.fromEntries(catalog.list().map((v) => [v.id, v.version])),
    async reload() {
      const result = await catalog.reload();
      const problems = result.problems.map(formatProblem);
      if (!result.ok) return { ok: false, generation: result.generation, problems };
      return { ok: true, generation: result.event.generation, problems };
    },
  };
}

/**
 * Registers the gateway (finalising what an earlier run of this id left behind first) and
 * answers the bus. Returns the fleet-wide reload for the admin API (Redis and ADMIN_TOKEN set).
 */
export async function joinFleet(
  config: AppConfig, store: Store, catalog: Catalog, handler: CallManager, fleet: GatewayFleet, stoppers: Array<() => Promise<void>>,
): Promise<(() => Promise<FleetReloadReport>) | undefined> {
  const collector = createReloadCollector();
  const member = await startFleetInstance({
    id: fleet.id,
    kind: 'gateway',
    repo: store.fleet,
    ...(fleet.bus ? { bus: fleet.bus } : {}),
    target: catalogReloadTarget(catalog),
    heartbeatMs: config.fleet.heartbeatMs,
    lostAfterMs: config.fleet.lostAfterMs,
    adminToken: config.admin.token,
    liveCalls: () => handler.stats().active,
    sweepAllAtStart: store.mode === 'pglite',
    onClaimed: (callSid) => void handler.claimedElsewhere(callSid),
    onReloadResult: (m) => collector.onResult(m),
    url: config.server.publicUrl,
  });
  // Runs last on stop (after the calls were finalised): the registry shows a clean stop.
  stoppers.unshift(async () => {
    await member.close();
    await fleet.bus?.close();
  });
  const { bus } = fleet;
  const token = config.admin.token;
  if (!bus || !token) return undefined;
  return () => collector.run({ bus, repo: store.fleet, adminToken: token, sender: fleet.id, lostAfterMs: config.fleet.lostAfterMs });
}
