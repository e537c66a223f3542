/**
 * A reload of the whole fleet: a signed request on the Redis bus, then each live instance's
 * answer (outcome, versions) collected until every instance the registry lists as alive has
 * answered or the time is up. Used by `POST /admin/reload` on any gateway and by
 * `switchboard reload` talking to Redis directly.
 */
import { randomUUID } from 'node:crypto';
import { signReload, type FleetBus, type FleetRepository, type ReloadResultMessage } from '../../store/index.js';

export interface InstanceReloadOutcome {
  instance: string;
  kind: 'gateway' | 'worker';
  ok: boolean;
  code?: string;
  generation: number | null;
  versions: Record<string, string>;
  problems: string[];
}

export interface FleetReloadReport {
  requestId: string;
  /** Every live instance answered and every one reloaded. */
  ok: boolean;
  instances: InstanceReloadOutcome[];
  /** Instances the registry lists as alive that did not answer in time. */
  missing: string[];
}

export interface ReloadCollector {
  /** Feed every `reload.result` message seen on the bus here. */
  onResult(m: ReloadResultMessage): void;
  run(opts: {
    bus: FleetBus; repo: Pick<FleetRepository, 'list'>; adminToken: string; sender: string; lostAfterMs: number; timeoutMs?: number;
  }): Promise<FleetReloadReport>;
}

export function createReloadCollector(): ReloadCollector {
  const waiting = new Map<string, (m: ReloadResultMessage) => void>();
  return {
    onResult(m) {
      waiting.get(m.requestId)?.(m);
    },
    async run({ bus, repo, adminToken, sender, lostAfterMs, timeoutMs = 30_000 }) {
      const requestId = randomUUID();
      const alive = (await repo.list(lostAfterMs)).filter((i) => i.stoppedAt === null && i.heartbeatAgeMs <= lostAfterMs);
      const expected = new Set(alive.map((i) => i.id));
      const got = new Map<string, InstanceReloadOutcome>();
      let finish!: () => void;
      const done = new Promise<void>((resolve) => (finish = resolve));
      waiting.set(requestId, (m) => {
        got.set(m.sender, {
          instance: m.sender, kind: m.kind, ok: m.ok, generation: m.generation, versions: m.versions, problems: m.problems, ...(m.code ? { code: m.code } : {}),
        });
        if ([...expected].every((id) => got.has(id))) finish();
      });
      const timer = setTimeout(finish, timeoutMs);
      try {
        const published = await bus.publish({ type: 'reload.request', sender, requestId, sig: signReload(adminToken, requestId, sender) });
        if (!published) finish();
        else if (expected.size === 0) setTimeout(finish, Math.min(timeoutMs, 1000));
        await done;
      } finally {
        clearTimeout(timer);
        waiting.delete(requestId);
      }
      const instances = [...got.values()].sort((a, b) => a.instance.localeCompare(b.instance));
      const missing = [...expected].filter((id) => !got.has(id)).sort();
      return { requestId, ok: instances.length > 0 && missing.length === 0 && instances.every((i) => i.ok), instances, missing };
    },
  };
}
