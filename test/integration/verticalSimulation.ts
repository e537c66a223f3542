/**
 * End-to-end scenario harness for any vertical: a real gateway with signature checks, the real CallManager, the
 * emulator playing each scenario's script, the vertical's real tools on Postgres, REST call
 * control against the fake Twilio API. The call simulator places each call the way Twilio would
 * and every expectation (tools, handoffs, words, end, rows) is checked on the stored record.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTracingDisabled } from '@openai/agents';
import { createCatalog, type Catalog } from '../../src/catalog/index.js';
import { loadConfig } from '../../src/config/index.js';
import { startEmulator, type RunningEmulator } from '../../src/engines/emulator/index.js';
import { createEngineSelector } from '../../src/engines/select.js';
import { CallManager } from '../../src/realtime/index.js';
import { loadScenarios, type Scenario } from '../../src/scenarios/index.js';
import { createGateway, type Gateway } from '../../src/server/index.js';
import { runScenarios, formatChecks, formatStoredCall, formatTimelineEvent, type ScenarioRun } from '../../src/simulator/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createTwilioCarrier } from '../../src/telephony/index.js';
import { registry } from '../../tools/index.js';
import { startFakeTwilioApi, type FakeTwilioApi } from '../fakes/index.js';
import { randomSchema, TEST_DATABASE_URL } from './storeSuite.js';

const ACCOUNT_SID = 'AC' + 'c'.repeat(32);
const AUTH_TOKEN = 'vertical-simulator-token';
const PUBLIC_URL = 'https://verticals-gw.example.test';
/** Call clock multiple (SWITCHBOARD_SIM_SPEED overrides): barge-ins wait for audio actually heard, so they land mid-sentence at any speed. */
const SPEED = Number(process.env.SWITCHBOARD_SIM_SPEED ?? 12);

export interface VerticalSimulation {
  scenarios: Scenario[];
  store: Store;
  twilio: FakeTwilioApi;
  /** Drops and re-seeds the vertical's schema. */
  reset(): Promise<void>;
  /** Runs one scenario (by name) and returns its run; throws with every check when it fails. */
  run(name: string): Promise<ScenarioRun>;
  close(): Promise<void>;
}

export async function startVerticalSimulation(verticalId: string): Promise<VerticalSimulation> {
  setTracingDisabled(true);
  const dir = mkdtempSync(join(tmpdir(), `switchboard-${verticalId}-`));
  cpSync(resolve('verticals', verticalId), join(dir, 'verticals', verticalId), { recursive: true });
  const verticalSchema = randomSchema(`v_${verticalId.replace(/-/g, '_')}_sim`);
  const manifestFile = join(dir, 'verticals', verticalId, 'vertical.yaml');
  writeFileSync(manifestFile, readFileSync(manifestFile, 'utf8').replace(/^storage:\n/m, `storage:\n  schema: ${verticalSchema}\n`));
  const catalog: Catalog = createCatalog({ verticalsDir: join(dir, 'verticals'), agentsDir: resolve('agents'), registry, cwd: dir });
  const scenarios = (await loadScenarios(join(dir, 'verticals'), { vertical: verticalId })).list();

  const coreSchema = randomSchema('simv');
  const store = await openStore({ databaseUrl: TEST_DATABASE_URL, schema: coreSchema, poolSize: 6 });
  await store.migrate();

  const emulator: RunningEmulator = await startEmulator({ scenarios, pacing: { speed: SPEED } });
  const twilio = await startFakeTwilioApi({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const carrier = createTwilioCarrier({ publicUrl: PUBLIC_URL, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: twilio.url, rest: { retries: 0, timeoutMs: 2000 } });
  const config = loadConfig({ env: { SWITCHBOARD_ENGINE: 'emulator' } });
  const manager = new CallManager({
    store,
    engines: createEngineSelector({ config, emulatorUrl: emulator.url }),
    carriers: [carrier],
    resolveVertical: (id) => catalog.get(id),
  });
  const gateway: Gateway = createGateway({ catalog, handler: manager, carriers: [carrier], store, engine: 'emulator' });
  const { port } = await gateway.listen(0, '127.0.0.1');
  const gatewayUrl = `http://127.0.0.1:${port}`;

  const reset = async (): Promise<void> => {
    const vertical = catalog.get(verticalId);
    if (!vertical) throw new Error(`${verticalId} is not in the catalog`);
    await store.db.query(`DROP SCHEMA IF EXISTS "${verticalSchema}" CASCADE`);
    await store.db.query(`DELETE FROM public.schema_migrations WHERE scope LIKE $1`, [`%${verticalSchema}%`]);
    await store.seedVertical(vertical.manifest, vertical.dir);
  };

  return {
    scenarios, store, twilio, reset,
    async run(name) {
      const scenario = scenarios.find((s) => s.name === name);
      if (!scenario) throw new Error(`no scenario ${verticalId}/${name}`);
      const [run] = await runScenarios([scenario], {
        gatewayUrl, publicUrl: PUBLIC_URL, authToken: AUTH_TOKEN, accountSid: ACCOUNT_SID, speed: SPEED, store,
        verticalsDir: join(dir, 'verticals'), agentsDir: resolve('agents'),
      });
      if (!run!.ok) {
        const record = run!.stored ? `\n${formatStoredCall(run!.stored, { indent: '  ' })}` : '';
        const timeline = run!.call ? `\n${[...run!.call.timeline].sort((a, b) => a.atMs - b.atMs).map((e) => `  ${formatTimelineEvent(e)}`).join('\n')}` : '';
        throw new Error(`${verticalId}/${name} failed:\n${run!.error ?? ''}\n${formatChecks(run!.checks)}${record}${timeline}`);
      }
      return run!;
    },
    async close() {
      await gateway.close('test over');
      await emulator.close();
      await twilio.close();
      await store.db.query(`DROP SCHEMA IF EXISTS "${verticalSchema}" CASCADE`);
      await store.db.query(`DROP SCHEMA IF EXISTS "${coreSchema}" CASCADE`);
      await store.db.query(`DELETE FROM public.schema_migrations WHERE scope LIKE $1 OR scope LIKE $2`, [`%${verticalSchema}%`, `%${coreSchema}%`]);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
