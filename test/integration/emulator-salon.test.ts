/**
 * The three salon scenarios, green against the real Agents SDK: the salon agent graph built
 * from verticals/salon/vertical.yaml with the real salon tools on Postgres, the SDK session on
 * `OpenAIRealtimeWebSocket`, the emulator's scripted brain playing the model.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadManifest, type LoadedVertical } from '../../src/manifest/index.js';
import { buildAgentGraph } from '../../src/orchestration/index.js';
import { openStore, type Store, type Db } from '../../src/store/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { MemoryToolInvocationRecorder, type CallToolEnv } from '../../src/toolkit/index.js';
import { startEmulator, type RunningEmulator } from '../../src/engines/emulator/index.js';
import { checkScenarioAgainstManifest, evaluateScenario, loadScenarios, type ScenarioLibrary } from '../../src/scenarios/index.js';
import { registry } from '../../tools/index.js';
import { runScenarioOverSdk } from './emulatorScenarioDriver.js';
import type { WireFormat } from './emulatorSdkHarness.js';

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROOT = process.cwd();
// Monday 3 June 2030, 09:00 in New York: the scenarios book Tuesday the 4th.
const NOW = new Date('2030-06-03T13:00:00Z');

/** `switchboard emulator` as its own process (the bin, as an operator runs it); resolves its URL. */
async function spawnEmulatorCli(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'switchboard.js'), 'emulator', '--port', '0', '--voice', 'synthetic', '--speed', '8'], {
    cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'error', NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => void (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the emulator CLI did not start:\n${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (ws:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`the emulator CLI exited with ${code}:\n${out}`)));
  });
  return { url, child };
}

describe.each(['in this process', 'a separate `switchboard emulator` process'])('salon scenarios against the real Agents SDK, emulator in %s', (where) => {
  let store: Store;
  let loaded: LoadedVertical;
  let emulator: Pick<RunningEmulator, 'url' | 'close'>;
  let library: ScenarioLibrary;
  const coreSchema = `emu_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const schemas: string[] = [];

  beforeAll(async () => {
    const result = loadManifest(join(ROOT, 'verticals', 'salon', 'vertical.yaml'), { registry, agentsDir: join(ROOT, 'agents') });
    if (!result.vertical) throw new Error(result.problems.map((p) => `${p.file}:${p.line} ${p.message}`).join('\n'));
    loaded = result.vertical;
    library = await loadScenarios(join(ROOT, 'verticals'), { vertical: 'salon' });
    store = await openStore({ databaseUrl: TEST_DATABASE_URL, schema: coreSchema, poolSize: 4 });
    await store.migrate();
    if (where === 'in this process') {
      emulator = await startEmulator({ scenarios: library, speech: { engine: 'synthetic', msPerChar: 25 }, pacing: { speed: 2, chunkMs: 100 } });
    } else {
      const { url, child } = await spawnEmulatorCli();
      emulator = {
        url,
        async close() {
          child.kill('SIGINT');
          if (child.exitCode === null) await once(child, 'exit');
        },
      };
    }
  }, 60_000);

  afterAll(async () => {
    await emulator?.close();
    for (const s of [...schemas, coreSchema]) {
      await store.db.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      await store.db.query('DELETE FROM public.schema_migrations WHERE scope LIKE $1', [`%${s}%`]);
    }
    await store.close();
  });

  it('has the three scenarios, consistent with the salon manifest', () => {
    expect(library.list('salon').map((s) => s.name)).toEqual(expect.arrayContaining(['booking', 'handoff', 'interruption']));
    for (const s of library.list('salon')) expect(checkScenarioAgainstManifest(s, loaded.manifest)).toEqual([]);
  });

  async function freshSalonDb(): Promise<Db> {
    const schema = `emu_salon_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    schemas.push(schema);
    const manifest = { ...loaded.manifest, storage: { ...loaded.manifest.storage, schema } };
    await store.seedVertical(manifest, loaded.dir);
    return store.dbForVertical(manifest);
  }

  const cases: [string, WireFormat][] = [['booking', 'pcmu'], ['handoff', 'pcm'], ['interruption', 'pcmu']];
  it.each(cases)('runs salon/%s green (%s)', async (name, format) => {
    const scenario = library.get(`salon/${name}`)!;
    const db = await freshSalonDb();
    const recorder = new MemoryToolInvocationRecorder();
    const hangUps: { reason?: string }[] = [];
    const graph = buildAgentGraph(loaded, registry);
    let currentAgent = graph.entry.name;
    const env: CallToolEnv = {
      callId: randomUUID(), vertical: 'salon', db, logger: createLogger('test'),
      services: {
        now: () => NOW,
        call: {
          transfer: async () => undefined,
          hangUp: async (o) => { hangUps.push(o?.reason ? { reason: o.reason } : {}); },
        },
      },
      callSignal: new AbortController().signal,
      recorder,
      currentAgent: () => currentAgent,
    };
    const { observed, call } = await runScenarioOverSdk({
      url: emulator.url, scenario, agent: graph.entry as never, format, context: { switchboard: env }, recorder, hangUps,
    });
    call.session.on('agent_handoff', (_c, _f, to) => { currentAgent = to.name; });
    try {
      const failures = await evaluateScenario(scenario, observed, db);
      expect(failures).toEqual([]);
      expect(observed.toolCalls.every((t) => t.ok)).toBe(true);
      expect(call.errors).toEqual([]);
    } finally {
      call.close();
    }
  }, 60_000);
});
