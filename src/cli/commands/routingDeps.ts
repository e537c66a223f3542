/**
 * What `numbers` and `canary` need from the outside world (tests pass their own): settings from
 * the config, the store (DATABASE_URL, or the embedded database a running gateway shares on
 * loopback), the tool registry, the Redis change feed, and Twilio's REST settings.
 */
import { effectiveNumbers, type NumberRoute } from '../../catalog/index.js';
import { loadConfig } from '../../config/index.js';
import { loadVerticals, E164, type LoadedVertical } from '../../manifest/index.js';
import { createRedisChangeFeed, openStore, type ChangeFeed, type OpenStoreOptions, type Store } from '../../store/index.js';
import { AppError } from '../../shared/index.js';
import type { TwilioRestOptions } from '../../telephony/index.js';
import type { ToolRegistry } from '../../toolkit/index.js';
import { defaultStoreDeps } from './migrate.js';

export interface RoutingSettings {
  verticals: string;
  agents: string;
  store: OpenStoreOptions;
  redisUrl: string | null;
  publicUrl: string;
  twilio: { accountSid: string | null; authToken: string | null; apiBaseUrl: string };
}

export interface RoutingCommandDeps {
  settings(): RoutingSettings;
  loadRegistry(): Promise<ToolRegistry>;
  openStore(options: OpenStoreOptions): Promise<Store>;
  changeFeed(redisUrl: string): ChangeFeed;
  /** Retry and timeout tuning of the Twilio client (tests make retries fast). */
  twilioRest?: Partial<Pick<TwilioRestOptions, 'timeoutMs' | 'retries' | 'retryBaseMs' | 'maxRetryAfterMs'>>;
}

export const defaultRoutingDeps: RoutingCommandDeps = {
  settings() {
    const config = loadConfig();
    return {
      ...defaultStoreDeps.settings(),
      redisUrl: config.redis.url,
      publicUrl: config.server.publicUrl ?? `http://localhost:${config.server.port}`,
      twilio: { accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, apiBaseUrl: config.twilio.apiBaseUrl },
    };
  },
  loadRegistry: () => defaultStoreDeps.loadRegistry(),
  openStore,
  changeFeed: (url) => createRedisChangeFeed(url),
};

/** Opens the store with its core tables up to date, runs `fn`, closes it. */
export async function withRoutingStore<T>(deps: RoutingCommandDeps, settings: RoutingSettings, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await deps.openStore(settings.store);
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Tells every gateway to re-read the routing now; without Redis they pick it up on their next refresh. */
export async function announceRoutingChange(deps: RoutingCommandDeps, settings: RoutingSettings): Promise<string> {
  if (!settings.redisUrl) return 'every gateway applies it within a few seconds (its periodic refresh)';
  const feed = deps.changeFeed(settings.redisUrl);
  try {
    return (await feed.publish())
      ? 'every gateway applies it now (pushed through Redis)'
      : 'Redis did not take the nudge; every gateway applies it within a few seconds (its periodic refresh)';
  } finally {
    await feed.close();
  }
}

/** Refuses anything that is not an E.164 number. */
export function requireE164(number: string): string {
  if (!E164.test(number)) throw new AppError('NUMBER_NOT_E164', `"${number}" is not an E.164 number (like +14155550100: a plus, the country code, the number, no spaces)`);
  return number;
}

/** The deployed verticals (manifests without errors) by id. */
export async function loadDeployedVerticals(deps: RoutingCommandDeps, settings: RoutingSettings): Promise<Map<string, LoadedVertical>> {
  const registry = await deps.loadRegistry();
  const result = loadVerticals(settings.verticals, { registry, agentsDir: settings.agents });
  return new Map(result.verticals.map((v) => [v.manifest.id, v]));
}

/** The deployed vertical `id`, or a coded error naming the ones that exist. */
export function requireVertical<T>(verticals: ReadonlyMap<string, T>, id: string): T {
  const v = verticals.get(id);
  if (!v) throw new AppError('VERTICAL_UNKNOWN', `no vertical "${id}" (known: ${[...verticals.keys()].join(', ') || 'none'}; a vertical whose manifest has errors is not known: run \`switchboard validate\`)`);
  return v;
}

/** Every number, the vertical it rings and why: the manifests' defaults with the assignments applied. */
export async function currentNumbers(deps: RoutingCommandDeps): Promise<NumberRoute[]> {
  const settings = deps.settings();
  const verticals = await loadDeployedVerticals(deps, settings);
  const assignments = await withRoutingStore(deps, settings, (store) => store.phoneNumbers.list());
  const byId = new Map([...verticals].map(([id, v]) => [id, { id, numbers: v.manifest.numbers }]));
  return effectiveNumbers(byId, new Map(assignments.map((a) => [a.number, a.vertical])));
}
