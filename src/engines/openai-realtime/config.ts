/**
 * The OpenAI Realtime engine: where the model socket goes and how the session is configured.
 * Phone audio is G.711 μ-law at 8 kHz and OpenAI accepts `audio/pcmu` both ways, so the call
 * passes μ-law straight through. The audio block is always given in full and explicitly: the SDK
 * merges session config shallowly and, without an explicit format, announces PCM 24 kHz (static
 * on the line).
 */
import type { RealtimeSessionConfig } from '@openai/agents/realtime';
import type { AppConfig } from '../../config/index.js';
import type { SessionTemplate } from '../../orchestration/index.js';
import type { Manifest } from '../../manifest/index.js';
import type { EngineKind, ModelAudio, ModelOutput } from '../modelSession.js';

/** Where one call's model sessions connect (the OpenAI service, or the emulator speaking its protocol). */
export interface RealtimeEndpoint {
  kind: EngineKind;
  /** Full WebSocket URL. */
  url: string;
  apiKey: string;
  model: string;
  audio: ModelAudio;
}

/** `wss://…/v1/realtime?model=<model>` unless the URL already names a model. */
export function realtimeUrlWithModel(baseUrl: string, model: string): string {
  const url = new URL(baseUrl);
  if (!url.searchParams.has('model')) url.searchParams.set('model', model);
  return url.toString();
}

export function openaiEndpoint(config: AppConfig, manifest: Pick<Manifest, 'engine'>, audio: ModelAudio = 'pcmu'): RealtimeEndpoint {
  const apiKey = config.openai.apiKey;
  if (!apiKey) throw new Error('the openai engine needs OPENAI_API_KEY');
  const model = manifest.engine.realtime.model || config.openai.realtimeModel;
  return { kind: 'openai', url: realtimeUrlWithModel(config.openai.realtimeUrl, model), apiKey, model, audio };
}

function formatOf(audio: ModelAudio): { type: 'audio/pcmu' } | { type: 'audio/pcm'; rate: number } {
  return audio === 'pcmu' ? { type: 'audio/pcmu' } : { type: 'audio/pcm', rate: 24_000 };
}

/** The GA-shaped session config (the SDK's `RealtimeSessionConfig` in its `audio: {...}` form). */
export type CallSessionConfig = Partial<Extract<RealtimeSessionConfig, { audio?: unknown }>>;

/**
 * The session configuration for a call: audio formats both ways, the compiled turn detection,
 * transcription of the caller (transcripts are part of the call record) and the voice. A chat
 * session answers in text (`output: 'text'`); the audio block stays, unused, so a handoff's
 * config (rebuilt from this one) is the same shape either way.
 */
export function callSessionConfig(template: SessionTemplate, audio: ModelAudio, voice: string | undefined, output: ModelOutput = 'audio'): CallSessionConfig {
  const td = template.turnDetection;
  const turnDetection = td.type === 'server_vad'
    ? {
        type: 'server_vad', threshold: td.threshold, prefixPaddingMs: td.prefixPaddingMs,
        silenceDurationMs: td.silenceDurationMs, interruptResponse: td.interruptResponse, createResponse: td.createResponse,
      }
    : { type: 'semantic_vad', eagerness: td.eagerness, interruptResponse: td.interruptResponse, createResponse: td.createResponse };
  return {
    outputModalities: [output],
    audio: {
      input: {
        format: formatOf(audio),
        noiseReduction: null,
        transcription: { ...template.transcription },
        turnDetection,
      },
      output: {
        format: formatOf(audio),
        speed: 1,
        ...(voice ? { voice } : {}),
      },
    },
  };
}
