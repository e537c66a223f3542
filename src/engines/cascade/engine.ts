/**
 * The cascade engine for one vertical: where its three services are (OpenAI's Realtime
 * transcription and Responses API, ElevenLabs' TTS WebSocket; or the emulator's peers, which
 * speak the same protocols on one port) and which models and voices it uses. `open` gives a
 * `CascadeSession` per model session of a call.
 */
import { randomUUID } from 'node:crypto';
import { OpenAIProvider } from '@openai/agents';
import OpenAI from 'openai';
import { matchSupportedLanguage, type Manifest } from '../../manifest/index.js';
import type { EngineKind, ModelEngine } from '../modelSession.js';
import { CascadeSession } from './session.js';
import type { TtsEndpoint } from './tts.js';

export const DEFAULT_TEXT_MODEL = 'gpt-4.1-mini';
export const DEFAULT_TTS_MODEL = 'eleven_flash_v2_5';
const MAX_TURNS = 12;

export interface CascadeServices {
  kind: EngineKind;
  /** Realtime WebSocket base (`wss://api.openai.com/v1/realtime`); transcription sessions go here. */
  realtimeUrl: string;
  /** Responses API base (`https://api.openai.com/v1`). */
  apiBaseUrl: string;
  openaiKey: string;
  /** ElevenLabs API base (`https://api.elevenlabs.io`). */
  elevenlabsUrl: string;
  elevenlabsKey: string;
  /** The emulator's script for this call (its header on Responses requests, its query on STT). */
  scenario?: string;
}

type CascadeManifest = Pick<Manifest, 'engine' | 'agents' | 'languages'>;

/** The ElevenLabs voice for a language: the language's own, else the engine's. Undefined: none named. */
export function cascadeVoiceFor(manifest: CascadeManifest, language: string | undefined): { voiceId: string; modelId: string } | undefined {
  const tts = manifest.engine.cascade?.tts;
  const { supported } = manifest.languages;
  const code = language === undefined ? undefined : matchSupportedLanguage(language, supported.map((l) => l.code), manifest.languages.default);
  const lang = supported.find((l) => l.code === code);
  const voiceId = lang?.tts?.voiceId ?? tts?.voiceId;
  if (voiceId === undefined) return undefined;
  return { voiceId, modelId: lang?.tts?.model ?? tts?.model ?? DEFAULT_TTS_MODEL };
}

/** Each agent's text model where the manifest names one. */
export function cascadeModels(manifest: CascadeManifest): { models: Map<string, string>; defaultModel: string } {
  const models = new Map<string, string>();
  for (const a of manifest.agents) if (a.model) models.set(a.name, a.model);
  return { models, defaultModel: manifest.engine.cascade?.llm?.model ?? DEFAULT_TEXT_MODEL };
}

export function cascadeEngine(services: CascadeServices, manifest: CascadeManifest): ModelEngine {
  const client = new OpenAI({
    apiKey: services.openaiKey,
    baseURL: services.apiBaseUrl,
    // The call's failover decides what a failed turn gets; the client does not retry behind its back.
    maxRetries: 0,
    timeout: 30_000,
    // The emulator's peer plays this call's scenario, each fault step once per call.
    ...(services.scenario ? { defaultHeaders: { 'x-switchboard-scenario': services.scenario, 'x-switchboard-call': randomUUID() } } : {}),
  });
  const provider = new OpenAIProvider({ openAIClient: client, useResponses: true });
  const { models, defaultModel } = cascadeModels(manifest);
  const sttUrl = new URL(services.realtimeUrl);
  if (services.scenario) sttUrl.searchParams.set('scenario', services.scenario);
  const sttModel = manifest.engine.cascade?.stt?.model ?? 'gpt-4o-mini-transcribe';
  const ttsFor = (language: string | undefined): TtsEndpoint => {
    const voice = cascadeVoiceFor(manifest, language ?? manifest.languages.default) ?? cascadeVoiceFor(manifest, manifest.languages.default);
    if (!voice) throw new Error('the cascade engine needs engine.cascade.tts.voiceId');
    return { baseUrl: services.elevenlabsUrl, apiKey: services.elevenlabsKey, ...voice };
  };
  return {
    kind: services.kind,
    pipeline: 'cascade',
    audio: 'pcmu',
    model: defaultModel,
    endpoint: `${new URL(services.apiBaseUrl).host} + ${new URL(services.elevenlabsUrl).host}`,
    open: (options) => new CascadeSession({
      stt: { url: sttUrl.toString(), apiKey: services.openaiKey, model: sttModel },
      ttsFor, provider, models, defaultModel, maxTurns: MAX_TURNS,
    }, options),
  };
}
