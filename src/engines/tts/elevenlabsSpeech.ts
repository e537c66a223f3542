/**
 * ElevenLabs text to speech over its multi-context WebSocket
 * (`/v1/text-to-speech/{voice_id}/multi-stream-input`), asked for `ulaw_8000` so the audio is
 * already in the carrier's format: one context, the text flushed, audio collected until the
 * context's `isFinal`.
 */
import WebSocket from 'ws';
import type { CannedVoiceSpec, SpeechRenderer } from './types.js';

export const ELEVENLABS_TTS_MODEL = 'eleven_flash_v2_5';

export interface ElevenLabsSpeechOptions {
  /** e.g. https://api.elevenlabs.io (ELEVENLABS_BASE_URL); the socket uses its ws(s) form. */
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
}

export function elevenLabsSpeechRenderer(options: ElevenLabsSpeechOptions): SpeechRenderer {
  const wsBase = options.baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '');
  return {
    provider: 'elevenlabs',
    render(text: string, voice: CannedVoiceSpec): Promise<Uint8Array> {
      const url = `${wsBase}/v1/text-to-speech/${encodeURIComponent(voice.voice)}/multi-stream-input` +
        `?model_id=${encodeURIComponent(voice.model ?? ELEVENLABS_TTS_MODEL)}&output_format=ulaw_8000`;
      return new Promise<Uint8Array>((resolve, reject) => {
        const ws = new WebSocket(url, { headers: { 'xi-api-key': options.apiKey } });
        const parts: Buffer[] = [];
        let settled = false;
        const finish = (err: Error | undefined): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          ws.terminate();
          if (err) reject(err);
          else if (parts.length === 0) reject(new Error('ElevenLabs returned no audio'));
          else resolve(new Uint8Array(Buffer.concat(parts)));
        };
        const timer = setTimeout(() => finish(new Error(`ElevenLabs did not finish within ${options.timeoutMs ?? 20_000} ms`)), options.timeoutMs ?? 20_000);
        timer.unref();
        ws.on('open', () => {
          ws.send(JSON.stringify({ text: ' ', context_id: 'canned' }));
          ws.send(JSON.stringify({ text, context_id: 'canned', flush: true }));
          ws.send(JSON.stringify({ context_id: 'canned', close_context: true }));
        });
        ws.on('message', (data) => {
          let msg: { audio?: unknown; isFinal?: unknown; error?: unknown; message?: unknown };
          try {
            msg = JSON.parse(data.toString()) as typeof msg;
          } catch {
            return finish(new Error('ElevenLabs sent a message that is not JSON'));
          }
          if (typeof msg.error === 'string') return finish(new Error(`ElevenLabs: ${msg.error}: ${String(msg.message ?? '')}`));
          if (typeof msg.audio === 'string' && msg.audio.length > 0) parts.push(Buffer.from(msg.audio, 'base64'));
          if (msg.isFinal === true) finish(undefined);
        });
        ws.on('error', (err) => finish(err));
        ws.on('close', (code) => finish(new Error(`ElevenLabs closed the socket (${code}) before the audio was final`)));
      });
    },
  };
}
