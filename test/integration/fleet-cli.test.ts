/** `switchboard instances`: the registry as operators see it (real Postgres, isolated schema). */
import { buildProgram } from '../../src/cli/main.js';
import type { CliIo, CliRun } from '../../src/cli/context.js';
import { makeInstancesCommand } from '../../src/cli/commands/instances.js';
import { formatInstanceOutcomes } from '../../src/cli/commands/reload.js';
import { postgresTarget } from './storeSuite.js';
import type { Store } from '../../src/store/index.js';

let store: Store;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ store, cleanup } = await postgresTarget.open());
  await store.migrate();
});
afterAll(async () => {
  await cleanup?.();
});

function cli() {
  const out: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => out.push(t) };
  const run: CliRun = { io, exitCode: 0 };
  const program = buildProgram(run, [makeInstancesCommand({ storeOptions: () => ({}), openStore: async () => ({ ...store, close: async () => undefined }) as Store, lostAfterMs: () => 5000 })]);
  return { run, out, exec: (...args: string[]) => program.parseAsync(['node', 'switchboard', ...args]) };
}

describe('switchboard instances', () => {
  it('lists alive, lost and stopped instances with live calls and versions', async () => {
    await store.fleet.beat('gw-a', 'gateway', { versions: { salon: 'aaaaaaaaaaaa' }, liveCalls: 3 });
    await store.fleet.beat('gw-b', 'gateway', { versions: { salon: 'aaaaaaaaaaaa' }, liveCalls: 0 });
    await store.fleet.beat('wk-1', 'worker', { versions: { salon: 'aaaaaaaaaaaa' } });
    await store.db.query(`UPDATE instances SET heartbeat_at = now() - interval '1 minute' WHERE id = 'gw-b'`);
    await store.fleet.stopped('wk-1');
    const c = cli();
    await c.exec('instances', '--json');
    expect(c.run.exitCode).toBe(0);
    const listed = JSON.parse(c.out.join('\n')) as Array<{ id: string; state: string; liveCalls: number; versions: Record<string, string> }>;
    expect(listed.map((i) => [i.id, i.state, i.liveCalls])).toEqual([['gw-a', 'alive', 3], ['gw-b', 'lost', 0], ['wk-1', 'stopped', 0]]);
    expect(listed[0]!.versions).toEqual({ salon: 'aaaaaaaaaaaa' });
    const text = cli();
    await text.exec('instances');
    expect(text.out.join('\n')).toMatch(/gw-a\s+gateway\s+alive.*\s3\s+salon@aaaaaaaaaaaa/);
  });

  it('prints each instance of a fleet reload, and who did not answer', () => {
    const lines = formatInstanceOutcomes([
      { instance: 'gw-a', kind: 'gateway', ok: true, generation: 2, versions: { salon: 'bbb' }, problems: [] },
      { instance: 'gw-b', kind: 'gateway', ok: false, code: 'CATALOG_RELOAD_REJECTED', generation: 1, versions: { salon: 'aaa' }, problems: ['vertical.yaml:3 bad'] },
    ], ['wk-1']);
    expect(lines).toEqual([
      '  gw-a (gateway): reloaded, generation 2  salon@bbb',
      '  gw-b (gateway): kept its running versions (CATALOG_RELOAD_REJECTED)  salon@aaa',
      '      vertical.yaml:3 bad',
      '  wk-1: no answer (lost or busy)',
    ]);
  });
});
