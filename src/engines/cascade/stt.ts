/**
 * Speech-to-text for the cascade engine: an OpenAI Realtime *transcription* session
 * (`/v1/realtime?intent=transcription`). The carrier's μ-law goes in untouched (`audio/pcmu`),
 * the service's VAD finds the turns, so `speech_started` (the barge-in trigger) comes from the
 * same place as on the realtime engine. Partial transcripts arrive as `…transcription.delta`,
 * the final one as `…transcription.completed`.
 */
import WebSocket from 'ws';
import type { SessionTemplate } from '../../orchestration/index.js';
import { parseTranscriptionEvent, type TranscriptionEvent } from '../openai-realtime/events.js';
import { appendEventBytes } from '../openai-realtime/wire.js';
import { dial } from './dial.js';

export interface SttEndpoint {
  /** `ws(s)://…/v1/realtime` (query parameters kept; `intent=transcription` is added). */
  url: string;
  apiKey: string;
  /** The transcription model (`gpt-4o-mini-transcribe`). */
  model: string;
}

export type SttEvent =
  | { type: 'speech_started'; receivedAtMs: number }
  | { type: 'speech_stopped'; receivedAtMs: number }
  | { type: 'committed'; itemId: string }
  | { type: 'partial'; itemId: string; delta: string }
  | { type: 'final'; itemId: string; transcript: string; receivedAtMs: number }
  | { type: 'error'; code: string | undefined; errorType: string | undefined }
  | { type: 'closed'; code: number; reason: string };

export function transcriptionUrl(base: string): string {
  const url = new URL(base);
  url.searchParams.delete('model');
  url.searchParams.set('intent', 'transcription');
  return url.toString();
}

/** The `session.update` a transcription session is configured with (GA shape). */
export function transcriptionSessionUpdate(template: SessionTemplate, model: string, prompt?: string): Record<string, unknown> {
  const td = template.turnDetection;
  const turnDetection = td.type === 'server_vad'
    ? { type: 'server_vad', threshold: td.threshold, prefix_padding_ms: td.prefixPaddingMs, silence_duration_ms: td.silenceDurationMs }
    : { type: 'semantic_vad', eagerness: td.eagerness };
  const language = template.transcription.language;
  return {
    type: 'session.update',
    session: {
      type: 'transcription',
      audio: {
        input: {
          format: { type: 'audio/pcmu' },
          transcription: { model, ...(language ? { language } : {}), ...(prompt ? { prompt } : {}) },
          turn_detection: turnDetection,
          noise_reduction: null,
        },
      },
    },
  };
}

/** Caller frames go as text frames built in one buffer (`ws` masks it into a single write). */
const TEXT_FRAME = { binary: false } as const;

export class SttClient {
  private ws: WebSocket | undefined;
  private ready = false;
  private closedByUs = false;
  private template: SessionTemplate | undefined;
  private prompt: string | undefined;

  constructor(private readonly endpoint: SttEndpoint, private readonly onEvent: (e: SttEvent) => void) {}

  get isOpen(): boolean {
    return this.ready && this.ws?.readyState === WebSocket.OPEN;
  }

  get bufferedAmount(): number {
    return this.ws?.bufferedAmount ?? 0;
  }

  /** Opens and configures the session; rejects on failure, a refused update or the timeout. */
  connect(template: SessionTemplate, timeoutMs: number, headers: Record<string, string> = {}): Promise<void> {
    const { ws, settle, ready } = dial(transcriptionUrl(this.endpoint.url), { Authorization: `Bearer ${this.endpoint.apiKey}`, ...headers }, timeoutMs, 'transcription session', () => {
      this.closedByUs = true;
    });
    this.ws = ws;
    this.template = template;
    ws.on('open', () => ws.send(JSON.stringify(transcriptionSessionUpdate(template, this.endpoint.model, this.prompt))));
    ws.on('message', (data) => {
      const parsed = parseTranscriptionEvent(data.toString());
      if (!parsed?.known) return;
      const e = parsed.event;
      if (!this.ready) {
        if (e.type === 'session.updated') {
          this.ready = true;
          settle();
        } else if (e.type === 'error') {
          settle(new Error(`transcription session update refused: ${e.error.code ?? e.error.type}`));
        }
        return;
      }
      this.onWire(e);
    });
    ws.on('close', (code, reason) => {
      const wasReady = this.ready;
      this.ready = false;
      if (wasReady && !this.closedByUs) this.onEvent({ type: 'closed', code, reason: reason.toString() });
    });
    return ready;
  }

  private onWire(e: TranscriptionEvent): void {
    const now = performance.now();
    switch (e.type) {
      case 'input_audio_buffer.speech_started':
        return this.onEvent({ type: 'speech_started', receivedAtMs: now });
      case 'input_audio_buffer.speech_stopped':
        return this.onEvent({ type: 'speech_stopped', receivedAtMs: now });
      case 'input_audio_buffer.committed':
        return this.onEvent({ type: 'committed', itemId: e.item_id });
      case 'conversation.item.input_audio_transcription.delta':
        return this.onEvent({ type: 'partial', itemId: e.item_id, delta: e.delta });
      case 'conversation.item.input_audio_transcription.completed':
        return this.onEvent({ type: 'final', itemId: e.item_id, transcript: e.transcript, receivedAtMs: now });
      case 'error':
        return this.onEvent({ type: 'error', code: e.error.code ?? undefined, errorType: e.error.type });
      default:
        return;
    }
  }

  /** One carrier frame (base64 μ-law); false when the socket is not open. */
  append(audioBase64: string): boolean {
    const ws = this.ws;
    if (!this.ready || !ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(appendEventBytes(audioBase64), TEXT_FRAME);
    return true;
  }

  /** Pins (or unpins) the transcription language, or changes turn detection. */
  update(template: SessionTemplate): void {
    this.template = template;
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(transcriptionSessionUpdate(template, this.endpoint.model, this.prompt)));
  }

  /**
   * What the caller said earlier in the call, as the transcriber's prompt (continuity for a
   * session that replaces another: names, spellings, the language).
   */
  setPrompt(prompt: string): void {
    this.prompt = prompt || undefined;
    if (this.template && this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(transcriptionSessionUpdate(this.template, this.endpoint.model, this.prompt)));
  }

  close(): void {
    this.closedByUs = true;
    this.ready = false;
    const ws = this.ws;
    if (!ws) return;
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'done');
    else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
  }
}
