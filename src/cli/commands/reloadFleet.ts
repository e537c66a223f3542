/**
 * `switchboard reload` straight over Redis (REDIS_URL and ADMIN_TOKEN set, no --url): a signed
 * reload request on the fleet bus, then every live instance's answer from the registry's list.
 */
import { hostname } from 'node:os';
import { loadConfig } from '../../config/index.js';
import { createReloadCollector, type FleetReloadReport } from '../../server/index.js';
import { createFleetBus, openStore } from '../../store/index.js';

/** Undefined when this machine is not configured for it (then the CLI asks a gateway over HTTP). */
export async function reloadOverRedis(timeoutMs = 30_000): Promise<FleetReloadReport | undefined> {
  let config;
  try {
    config = loadConfig();
  } catch {
    return undefined;
  }
  const token = config.admin.token;
  if (!config.redis.url || !token || !config.database.url) return undefined;
  const store = await openStore({ databaseUrl: config.database.url, poolSize: 1 });
  const bus = createFleetBus(config.redis.url);
  try {
    const collector = createReloadCollector();
    await bus.subscribe((m) => { if (m.type === 'reload.result') collector.onResult(m); });
    const sender = `cli-${hostname().replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 24)}-${process.pid}`;
    return await collector.run({ bus, repo: store.fleet, adminToken: token, sender, lostAfterMs: config.fleet.lostAfterMs, timeoutMs });
  } finally {
    await bus.close();
    await store.close();
  }
}
