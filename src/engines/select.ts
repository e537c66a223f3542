/**
 * Which engine serves a call. `openai` when configured (or `auto` with OPENAI_API_KEY set):
 * OpenAI Realtime at OPENAI_REALTIME_URL, μ-law end to end. Otherwise the local emulator,
 * started in-process on first use with the configured default brain. A call placed by the
 * simulator names its scenario; the emulator gets it as `?scenario=<id>` on its URL so the
 * scripted brain plays that scenario on that connection. Either way the call gets a
 * `ModelEngine` that opens its model sessions: the emulator is the same OpenAI-realtime session
 * pointed at the emulator's URL.
 */
import { setTracingDisabled } from '@openai/agents';
import { loadResamplerModule } from '../audio/index.js';
import type { AppConfig } from '../config/index.js';
import { requestedEngine, type Manifest } from '../manifest/index.js';
import { createLogger } from '../observability/index.js';
import type { EngineKind, EnginePipeline, ModelAudio, ModelEngine } from './modelSession.js';
import { cascadeEngine } from './cascade/engine.js';
import { openaiEndpoint } from './openai-realtime/config.js';
import { openaiRealtimeEngine } from './openai-realtime/session.js';

const log = createLogger('engines');

/** What the selector needs from a running emulator. */
export interface EmulatorHandle {
  url: string;
  close(): Promise<void>;
}

export type EmulatorStarter = (options: { brain: AppConfig['engine']['emulatorBrain'] }) => Promise<EmulatorHandle>;

export interface EngineSelectorOptions {
  config: AppConfig;
  /** Starts the in-process emulator when it is needed (the gateway passes `startEmulator`). */
  startEmulator?: EmulatorStarter;
  /** An emulator already running elsewhere (benchmarks, tests); nothing is started then. */
  emulatorUrl?: string;
  /** The model-side audio format; `pcmu` (μ-law passthrough) unless told otherwise. */
  audio?: ModelAudio;
}

export interface EngineSelector {
  /** The engine every call of this process uses. */
  readonly kind: EngineKind;
  /** A cascade manifest brings its agents and languages (models, voices). */
  select(input: { manifest: EngineManifest; scenario?: string }): Promise<ModelEngine>;
  close(): Promise<void>;
}

export type EngineManifest = Pick<Manifest, 'engine'> & Partial<Pick<Manifest, 'agents' | 'languages'>>;

/**
 * Whether this process can serve cascade verticals on the cascade engine: offline the emulator
 * serves all three peers; on the real services the voice needs ELEVENLABS_API_KEY.
 */
export function cascadeAvailableFor(config: AppConfig): boolean {
  return engineKindFor(config) === 'emulator' || config.elevenlabs.apiKey !== null;
}

/** One engine per call whose agents differ in engine: each session is opened on its agent's. */
function mixedEngine(main: EnginePipeline, pipelineFor: (agent: string) => EnginePipeline, realtime: ModelEngine, cascade: ModelEngine): ModelEngine {
  const primary = main === 'cascade' ? cascade : realtime;
  return {
    kind: primary.kind, pipeline: main, audio: 'pcmu', model: primary.model, endpoint: `${realtime.endpoint}; ${cascade.endpoint}`,
    pipelineFor,
    open: (options) => (pipelineFor(options.agent) === 'cascade' ? cascade : realtime).open(options),
  };
}

export function engineKindFor(config: AppConfig): EngineKind {
  if (config.engine.default === 'openai') return 'openai';
  if (config.engine.default === 'emulator') return 'emulator';
  return config.openai.apiKey ? 'openai' : 'emulator';
}

/** Adds `?scenario=<id>` to an emulator URL. */
export function emulatorUrlFor(base: string, scenario: string | undefined): string {
  if (!scenario) return base;
  const url = new URL(base);
  url.searchParams.set('scenario', scenario);
  return url.toString();
}

export function createEngineSelector(options: EngineSelectorOptions): EngineSelector {
  const { config } = options;
  // The SDK would otherwise export traces to OpenAI from every call.
  setTracingDisabled(true);
  const kind = engineKindFor(config);
  const audio = options.audio ?? 'pcmu';
  if (audio !== 'pcmu') {
    // Every call will transcode: load the resampler now, not on the first call (its WebAssembly
    // takes a few hundred milliseconds to compile, and that call's first frames would arrive first).
    loadResamplerModule().catch((err: unknown) => log.warn('audio resampler unavailable; transcoding calls will fail', { err: err as Error }));
  }
  let emulator: Promise<EmulatorHandle> | undefined;

  const emulatorBase = (): Promise<EmulatorHandle> => {
    if (options.emulatorUrl) return Promise.resolve({ url: options.emulatorUrl, close: async () => {} });
    if (!options.startEmulator) return Promise.reject(new Error('no emulator available: pass startEmulator or emulatorUrl'));
    emulator ??= options.startEmulator({ brain: config.engine.emulatorBrain }).then((e) => {
      log.info('local realtime emulator started for calls (no OPENAI_API_KEY)', { brain: config.engine.emulatorBrain });
      return e;
    });
    emulator.catch(() => {
      emulator = undefined;
    });
    return emulator;
  };

  return {
    kind,
    async select({ manifest, scenario }) {
      const cascadeOk = audio === 'pcmu' && cascadeAvailableFor(config) && manifest.agents !== undefined && manifest.languages !== undefined;
      const pipelineOf = (agent?: string): EnginePipeline => {
        return requestedEngine(manifest, agent) === 'cascade' && cascadeOk ? 'cascade' : 'realtime';
      };
      const wanted = new Set([pipelineOf(), ...(manifest.agents ?? []).map((a) => pipelineOf(a.name))]);
      const realtime = async (): Promise<ModelEngine> => {
        if (kind === 'openai') return openaiRealtimeEngine(openaiEndpoint(config, manifest, audio));
        const base = await emulatorBase();
        return openaiRealtimeEngine({ kind: 'emulator', url: emulatorUrlFor(base.url, scenario), apiKey: config.openai.apiKey ?? 'emulator', model: manifest.engine.realtime.model, audio });
      };
      const cascade = async (): Promise<ModelEngine> => {
        const forCascade = { engine: manifest.engine, agents: manifest.agents!, languages: manifest.languages! };
        if (kind === 'openai') {
          return cascadeEngine({
            kind, realtimeUrl: config.openai.realtimeUrl, apiBaseUrl: config.openai.apiBaseUrl, openaiKey: config.openai.apiKey ?? '',
            elevenlabsUrl: config.elevenlabs.apiBaseUrl, elevenlabsKey: config.elevenlabs.apiKey ?? '',
          }, forCascade);
        }
        const base = await emulatorBase();
        // The peers share the emulator's port: ws(s)://host:port → http(s)://host:port.
        const origin = new URL(base.url).origin.replace(/^ws/, 'http');
        const key = config.openai.apiKey ?? 'emulator';
        return cascadeEngine({
          kind, realtimeUrl: base.url, apiBaseUrl: `${origin}/v1`, openaiKey: key, elevenlabsUrl: origin,
          elevenlabsKey: config.elevenlabs.apiKey ?? key, ...(scenario ? { scenario } : {}),
        }, forCascade);
      };
      if (wanted.size === 1) return wanted.has('cascade') ? cascade() : realtime();
      return mixedEngine(pipelineOf(), pipelineOf, await realtime(), await cascade());
    },
    async close() {
      const e = emulator;
      emulator = undefined;
      if (e) await (await e.catch(() => undefined))?.close();
    },
  };
}
