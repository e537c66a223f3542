/**
 * The gateway as a fleet member (README "Running more than one instance"): its instance id, the
 * Redis bus (claims, reloads), the registry heartbeat and the lost-instance sweep, and the
 * fleet-wide reload behind `POST /admin/reload`. With no Redis it is a fleet of one: the
 * registry and the sweep still run on the database, reloads stay local.
 */
import { relative } from 'node:path';
import type { AppConfig } from '../config/index.js';
import type { Catalog } from '../catalog/index.js';
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

/** The catalog as a reload target: a reload that adds a vertical migrates (or, embedded, seeds) its schema. */
export function catalogReloadTarget(catalog: Catalog, store: Store): ReloadTarget {
  return {
    versions: () => Object.fromEntries(catalog.list().map((v) => [v.id, v.version])),
    async reload() {
      const result = await catalog.reload();
      const problems = result.problems.map(formatProblem);
      if (!result.ok) return { ok: false, generation: result.generation, problems };
      for (const id of result.event.added) {
        const v = catalog.get(id);
        if (!v) continue;
        if (store.mode === 'pglite') {
          const seeded = await store.seedVertical(v.manifest, v.dir);
          if (seeded.seedFile) log.info('vertical seeded (embedded database)', { vertical: id, seed: relative(process.cwd(), seeded.seedFile) });
        } else await store.migrateVertical(v.manifest, v.dir);
      }
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
    target: catalogReloadTarget(catalog, store),
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
