/**
 * The salon scenarios end to end through the Twilio path: the call simulator places each call
 * against a real gateway (signature checks on) with the real CallManager, the emulator playing
 * the scenario, real salon tools on Postgres and the real REST call control against the fake
 * Twilio API; then every expectation is checked against the rows in Postgres.
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
import { runScenarios, formatChecks } from '../../src/simulator/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createTwilioCarrier } from '../../src/telephony/index.js';
import { registry } from '../../tools/index.js';
import { startFakeTwilioApi, type FakeTwilioApi } from '../fakes/index.js';
import { randomSchema, TEST_DATABASE_URL } from './storeSuite.js';

const ACCOUNT_SID = 'AC' + 'b'.repeat(32);
const AUTH_TOKEN = 'simulator-test-token';
const PUBLIC_URL = 'https://salon-gw.example.test';

let dir: string;
let coreSchema: string;
let verticalSchema: string;
let store: Store;
let catalog: Catalog;
let emulator: RunningEmulator;
let twilio: FakeTwilioApi;
let manager: CallManager;
let gateway: Gateway;
let gatewayUrl: string;
let scenarios: Scenario[];

/** Each scenario starts from the salon's seed data: a fresh domain schema. */
async function resetSalon(): Promise<void> {
  const salon = catalog.get('salon')!;
  await store.db.query(`DROP SCHEMA IF EXISTS "${verticalSchema}" CASCADE`);
  await store.db.query(`DELETE FROM public.schema_migrations WHERE scope LIKE $1`, [`%${verticalSchema}%`]);
  await store.seedVertical(salon.manifest, salon.dir);
}

beforeAll(async () => {
  setTracingDisabled(true);
  dir = mkdtempSync(join(tmpdir(), 'switchboard-sim-'));
  cpSync(resolve('verticals/salon'), join(dir, 'verticals', 'salon'), { recursive: true });
  verticalSchema = randomSchema('v_salon_sim');
  const manifestFile = join(dir, 'verticals', 'salon', 'vertical.yaml');
  writeFileSync(manifestFile, readFileSync(manifestFile, 'utf8').replace(/^storage:\n/m, `storage:\n  schema: ${verticalSchema}\n`));
  catalog = createCatalog({ verticalsDir: join(dir, 'verticals'), agentsDir: resolve('agents'), registry, cwd: dir });
  scenarios = (await loadScenarios(join(dir, 'verticals'), { vertical: 'salon' })).list();

  coreSchema = randomSchema('sim');
  store = await openStore({ databaseUrl: TEST_DATABASE_URL, schema: coreSchema, poolSize: 6 });
  await store.migrate();

  emulator = await startEmulator({ scenarios, pacing: { speed: 4 } });
  twilio = await startFakeTwilioApi({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const carrier = createTwilioCarrier({ publicUrl: PUBLIC_URL, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: twilio.url, rest: { retries: 0, timeoutMs: 2000 } });
  const config = loadConfig({ env: { SWITCHBOARD_ENGINE: 'emulator' } });
  manager = new CallManager({
    store,
    engines: createEngineSelector({ config, emulatorUrl: emulator.url }),
    carriers: [carrier],
    resolveVertical: (id) => catalog.get(id),
  });
  gateway = createGateway({ catalog, handler: manager, carriers: [carrier], store, engine: 'emulator' });
  const { port } = await gateway.listen(0, '127.0.0.1');
  gatewayUrl = `http://127.0.0.1:${port}`;
}, 60_000);

afterAll(async () => {
  await gateway?.close('test over');
  await emulator?.close();
  await twilio?.close();
  if (store) {
    await store.db.query(`DROP SCHEMA IF EXISTS "${verticalSchema}" CASCADE`);
    await store.db.query(`DROP SCHEMA IF EXISTS "${coreSchema}" CASCADE`);
    await store.db.query(`DELETE FROM public.schema_migrations WHERE scope LIKE $1 OR scope LIKE $2`, [`%${verticalSchema}%`, `%${coreSchema}%`]);
    await store.close();
  }
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('salon scenarios through the Twilio path', () => {
  it('has the three salon scenarios', () => {
    expect(scenarios.map((s) => s.id)).toEqual(expect.arrayContaining(['salon/booking', 'salon/handoff', 'salon/interruption']));
  });

  for (const name of ['booking', 'handoff', 'interruption']) {
    it(`passes salon/${name} with its rows checked in Postgres`, async () => {
      await resetSalon();
      const scenario = scenarios.find((s) => s.id === `salon/${name}`)!;
      const [run] = await runScenarios([scenario], {
        gatewayUrl,
        publicUrl: PUBLIC_URL,
        authToken: AUTH_TOKEN,
        accountSid: ACCOUNT_SID,
        speed: 4,
        store,
        verticalsDir: join(dir, 'verticals'),
        agentsDir: resolve('agents'),
      });
      if (!run!.ok) throw new Error(`salon/${name} failed:\n${run!.error ?? ''}\n${formatChecks(run!.checks)}`);

      // The record, read straight from Postgres.
      const call = await store.calls.getBySid(run!.call!.callSid);
      expect(call).toMatchObject({ vertical: 'salon', manifestVersion: catalog.get('salon')!.version, engine: 'emulator', status: 'completed' });
      const transcript = await store.transcripts.list(call!.id);
      expect(transcript.some((t) => t.role === 'caller')).toBe(true);
      expect(transcript.some((t) => t.role === 'assistant')).toBe(true);
      expect(run!.call!.problems).toEqual([]);
      expect(run!.call!.framesReceived).toBeGreaterThan(0);
      expect(run!.call!.marksAcked).toBeGreaterThan(0);
      if (run!.call!.endedBy === 'agent') {
        // The agent's hang-up went to Twilio's REST API as a call update.
        const update = await twilio.waitFor((r) => r.callSid === run!.call!.callSid);
        expect(update).toMatchObject({ kind: 'call_update', authorized: true });
        expect(update.form.Twiml).toContain('<Hangup/>');
      }
      if (name === 'booking') {
        const rows = await store.dbForVertical(catalog.get('salon')!.manifest).query(
          `SELECT a.status FROM appointments a JOIN customers c ON c.id = a.customer_id WHERE c.name = 'Ana Lopez'`,
        );
        expect(rows.rows).toEqual([{ status: 'booked' }]);
      }
      if (name === 'interruption') {
        expect(run!.call!.clears).toBeGreaterThan(0);
        const cut = transcript.filter((t) => t.role === 'assistant' && t.interrupted);
        expect(cut.length).toBeGreaterThanOrEqual(1);
      }
    }, 120_000);
  }
});
