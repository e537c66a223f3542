/**
 * Composition of the realtime runtime for a gateway process: engine selection (starting the
 * local emulator in-process when there is no OpenAI key) and the CallManager over the carriers'
 * call services.
 */
import type { Catalog } from '../catalog/index.js';
import type { AppConfig } from '../config/index.js';
import { createEngineSelector, startEmulator, type EngineSelector, type ModelAudio } from '../engines/index.js';
import { loadScenarios } from '../scenarios/index.js';
import type { Store } from '../store/index.js';
import type { CarrierCallServices } from '../telephony/index.js';
import { createLogger } from '../observability/index.js';
import { CallManager, type CallManagerOptions, type FleetOptions } from './callManager.js';
import { CannedLines, type PrepareReport } from './cannedLines.js';
import { warmLanguageDetector } from './languageDetect.js';
import { LocalVoice } from './localVoice.js';

const log = createLogger('realtime');

export interface RealtimeRuntimeOptions {
  config: AppConfig;
  store: Store;
  catalog: Pick<Catalog, 'get' | 'resolve' | 'resolvePinned'> & Partial<Pick<Catalog, 'list' | 'on'>>;
  /** The registered carriers (telephony's `createCarriers`): each call uses its own carrier's call services. */
  carriers: readonly CarrierCallServices[];
  /** Overrides for benchmarks and tests. */
  emulatorUrl?: string;
  audio?: ModelAudio;
  session?: CallManagerOptions['session'];
  /** Several instances on one database (src/server's fleet wiring fills in repo and announce). */
  fleet?: Omit<FleetOptions, 'pinned'>;
}

export interface RealtimeRuntime {
  handler: CallManager;
  engines: EngineSelector;
  /** What /healthz shows: "openai" or "emulator". */
  engine: string;
  /** The voice each vertical's canned lines are spoken in (`none`: no voice at all). */
  voices: { voices: PrepareReport['voices'] };
  close(): Promise<void>;
}

export async function createRealtimeRuntime(options: RealtimeRuntimeOptions): Promise<RealtimeRuntime> {
  const { config } = options;
  const engines = createEngineSelector({
    config,
    ...(options.emulatorUrl ? { emulatorUrl: options.emulatorUrl } : {}),
    ...(options.audio ? { audio: options.audio } : {}),
    ...(!options.emulatorUrl && config.engine.emulatorUrl ? { emulatorUrl: config.engine.emulatorUrl } : {}),
    startEmulator: async ({ brain }) => {
      const scenarios = await loadScenarios(config.paths.verticals).catch((err: unknown) => {
        log.warn('scenarios not loaded; the emulator serves the rule-based brain only', { err: err as Error });
        return undefined;
      });
      return startEmulator({ brain, ...(scenarios ? { scenarios } : {}) });
    },
  });
  // Canned lines in each vertical's voice, rendered now and again after every reload (cached on disk).
  const lines = new CannedLines({
    dataDir: config.paths.data,
    openai: config.openai.apiKey ? { baseUrl: config.openai.apiBaseUrl, apiKey: config.openai.apiKey } : undefined,
    elevenlabs: config.elevenlabs.apiKey ? { baseUrl: config.elevenlabs.apiBaseUrl, apiKey: config.elevenlabs.apiKey } : undefined,
  });
  const prepareLines = async (): Promise<PrepareReport> => {
    const started = Date.now();
    const report = await lines.prepare(options.catalog.list?.() ?? []);
    log.info('canned lines ready', { ...report, voices: JSON.stringify(report.voices), ms: Date.now() - started });
    return report;
  };
  const voices = { voices: await lines.voicesOf(options.catalog.list?.() ?? []) };
  // Rendering goes on beside start-up: a slow or unreachable voice API never holds the gateway back
  // (a line not rendered yet is rendered when a call first needs it).
  const prepareInBackground = (): void => void prepareLines().catch((err: unknown) => log.warn('canned lines not prepared', { err: err as Error }));
  prepareInBackground();
  options.catalog.on?.('catalog.swapped', prepareInBackground);
  // The language detector's model (about 0.3 s to load) is loaded now, not inside the first
  // multi-language call where the load would stall every live call's audio.
  if ((options.catalog.list?.() ?? []).some((v) => v.manifest.languages.supported.length > 1)) {
    await warmLanguageDetector().catch((err: unknown) => log.warn('language detector failed to load', { err: err as Error }));
  }
  const handler = new CallManager({
    voice: new LocalVoice(lines),
    store: options.store,
    engines,
    carriers: options.carriers,
    // A stream nobody prepared runs on the version it names when it is live or a canary's, else on the live one.
    resolveVertical: (id, version) => options.catalog.resolve(id, version) ?? options.catalog.get(id),
    ...(options.session ? { session: options.session } : {}),
    ...(options.fleet ? { fleet: { ...options.fleet, pinned: (id: string, version: string) => options.catalog.resolvePinned(id, version) } } : {}),
  });
  // Warm the engine now so the first call does not wait for the emulator to start.
  if (engines.kind === 'emulator') {
    await engines.select({ manifest: { engine: { type: 'realtime', realtime: { model: config.openai.realtimeModel, transcriptionModel: 'gpt-4o-mini-transcribe' }, fallback: 'realtime' } } });
  }
  return {
    handler,
    engines,
    engine: engines.kind,
    voices,
    close: () => handler.shutdown('runtime closed'),
  };
}
