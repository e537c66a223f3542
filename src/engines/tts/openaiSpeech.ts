/**
 * OpenAI text to speech (`POST /v1/audio/speech`) through the `openai` SDK, asked for raw PCM
 * (24 kHz, 16-bit little-endian mono) and turned into the carrier's μ-law 8 kHz here.
 */
import OpenAI from 'openai';
import { resampleClip, ulawEncode } from '../../audio/index.js';
import type { CannedVoiceSpec, SpeechRenderer } from './types.js';

export const OPENAI_TTS_MODEL = 'gpt-4o-mini-tts';
const PCM_RATE_HZ = 24_000;

export interface OpenAiSpeechOptions {
  /** e.g. https://api.openai.com/v1 (OPENAI_BASE_URL). */
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
}

/** Little-endian 16-bit samples of a byte buffer (an odd trailing byte is dropped). */
export function pcm16FromBytes(bytes: Uint8Array): Int16Array {
  const n = bytes.length >> 1;
  const out = new Int16Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, n * 2);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

export function openAiSpeechRenderer(options: OpenAiSpeechOptions): SpeechRenderer {
  const client = new OpenAI({ baseURL: options.baseUrl, apiKey: options.apiKey, timeout: options.timeoutMs ?? 20_000, maxRetries: 1 });
  return {
    provider: 'openai',
    async render(text: string, voice: CannedVoiceSpec): Promise<Uint8Array> {
      const res = await client.audio.speech.create({ model: voice.model ?? OPENAI_TTS_MODEL, voice: voice.voice, input: text, response_format: 'pcm' });
      const pcm24k = pcm16FromBytes(new Uint8Array(await res.arrayBuffer()));
      if (pcm24k.length === 0) throw new Error('the speech endpoint returned no audio');
      return ulawEncode(await resampleClip(pcm24k, PCM_RATE_HZ, 8000));
    },
  };
}
