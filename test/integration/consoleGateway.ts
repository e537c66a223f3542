/**
 * A real gateway with the console for browser and WebRTC tests: the salon vertical on Postgres
 * (fresh schemas), the emulator engine (rules brain: no scenario pairs browser speech), the real
 * CallManager with Twilio, the WebRTC carrier (loopback only) and chat, and in-process post-call
 * analysis, so a call placed from a page is finalised and analysed as `npm start` would.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTracingDisabled } from '@openai/agents';
import { startPostCallProcessing, type PostCallProcessing } from '../../src/analysis/index.js';
import { createCatalog, type Catalog } from '../../src/catalog/index.js';
import { loadConfig } from '../../src/config/index.js';
import { startEmulator, type RunningEmulator } from '../../src/engines/emulator/index.js';
import { createEngineSelector } from '../../src/engines/select.js';
import { CallManager } from '../../src/realtime/index.js';
import { createGateway, type Gateway } from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createChatCarrier, createTwilioCarrier, createWebRtcCarrier, webrtcSettingsSchema, type ChatCarrier, type WebRtcCarrier } from '../../src/telephony/index.js';
import { registry } from '../../tools/index.js';
import { randomSchema, TEST_DATABASE_URL } from './storeSuite.js';

export interface ConsoleGateway {
  store: Store;
  catalog: Catalog;
  manager: CallManager;
  webrtc: WebRtcCarrier;
  chat: ChatCarrier;
  gateway: Gateway;
  baseUrl: string;
  processing: PostCallProcessing;
  /** The core schema the gateway's store uses (for a second connection, e.g. the CLI). */
  schema: string;
  close(): Promise<void>;
}

/** `modelUrl`: where model sessions connect instead of the emulator (a dead port: the model is unavailable). */
/** `maxCalls`: the gateway's admission limit (server.maxCalls); unset, no limit. */
/** `verticals`: which of the repository's verticals it serves (default: salon), each on a fresh schema. */
export async function startConsoleGateway(options: { adminToken?: string; mediaTimeoutMs?: number; modelUrl?: string; maxCalls?: number; verticals?: string[] } = {}): Promise<ConsoleGateway> {
  setTracingDisabled(true);
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-console-'));
  const ids = options.verticals ?? ['salon'];
  const verticalSchemas: string[] = [];
  for (const id of ids) {
    cpSync(resolve('verticals', id), join(dir, 'verticals', id), { recursive: true });
    const verticalSchema = randomSchema(`v_${id.replace(/-/g, '_')}_console`);
    verticalSchemas.push(verticalSchema);
    const manifestFile = join(dir, 'verticals', id, 'vertical.yaml');
    writeFileSync(manifestFile, readFileSync(manifestFile, 'utf8').replace(/^storage:\n/m, `storage:\n  schema: ${verticalSchema}\n`));
  }
  const catalog = createCatalog({ verticalsDir: join(dir, 'verticals'), agentsDir: resolve('agents'), registry, cwd: dir });
  const coreSchema = randomSchema('console');
  const store = await openStore({ databaseUrl: TEST_DATABASE_URL, schema: coreSchema, poolSize: 6 });
  await store.migrate();
  for (const id of ids) await store.seedVertical(catalog.get(id)!.manifest, catalog.get(id)!.dir);

  const emulator: RunningEmulator = await startEmulator({ scenarios: [] });
  const twilio = createTwilioCarrier({ publicUrl: 'http://127.0.0.1:1' });
  const webrtc = createWebRtcCarrier(webrtcSettingsSchema.parse({ loopbackOnly: true, ...(options.mediaTimeoutMs ? { mediaTimeoutMs: options.mediaTimeoutMs } : {}) }));
  const chat = createChatCarrier();
  const config = loadConfig({ env: { SWITCHBOARD_ENGINE: 'emulator' } });
  const manager = new CallManager({
    store,
    engines: createEngineSelector({ config, emulatorUrl: options.modelUrl ?? emulator.url }),
    carriers: [twilio, webrtc, chat],
    resolveVertical: (id) => catalog.get(id),
    session: { endGraceMs: 300 },
  });
  const processing = await startPostCallProcessing({ config, store, catalog });
  const gateway = createGateway({
    catalog, handler: manager, carriers: [twilio, webrtc, chat], store, engine: 'emulator',
    adminToken: options.adminToken ?? null,
    ...(options.maxCalls !== undefined ? { maxCalls: options.maxCalls } : {}),
    console: { store, pollMs: 250, chatStartTimeoutMs: 3000 },
  });
  const { port } = await gateway.listen(0, '127.0.0.1');
  return {
    store, catalog, manager, webrtc, chat, gateway, processing, schema: coreSchema,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await gateway.close('test over');
      await processing.close();
      await emulator.close().catch(() => undefined);
      for (const schema of [...verticalSchemas, coreSchema]) {
        await store.db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await store.db.query('DELETE FROM public.schema_migrations WHERE scope LIKE $1', [`%${schema}%`]);
      }
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
