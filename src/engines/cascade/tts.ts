/**
 * ElevenLabs streaming text-to-speech over its multi-context WebSocket
 * (`/v1/text-to-speech/{voice_id}/multi-stream-input`), requesting `ulaw_8000` so the audio
 * goes to the carrier as it comes. One socket per call session, one context per spoken answer:
 * text is fed as the model streams it and flushed at sentence or clause boundaries; a barge-in
 * closes the context (its item drops whatever the context still sends). Each audio chunk's character
 * alignment is kept so a cut answer can be cut to the words the caller heard.
 *
 * Written on `ws` with the documented protocol: `@elevenlabs/elevenlabs-js` wraps the
 * single-context stream-input socket only and would decode audio we pass through untouched.
 */
import WebSocket from 'ws';
import { dial } from './dial.js';

export interface TtsEndpoint {
  /** `https://api.elevenlabs.io` (its ws(s) form is dialled). */
  baseUrl: string;
  apiKey: string;
  voiceId: string;
  modelId: string;
}

export type TtsEvent =
  | { type: 'audio'; contextId: string; audio: string; chars: string[] | undefined; startsMs: number[] | undefined; receivedAtMs: number }
  | { type: 'final'; contextId: string }
  | { type: 'error'; code: string | undefined; message: string }
  | { type: 'closed'; code: number; reason: string };

/** Seconds of silence the service keeps the socket for (the documented maximum). */
const INACTIVITY_S = 180;
const KEEPALIVE_MS = 15_000;

export function ttsUrl(endpoint: TtsEndpoint): string {
  const url = new URL(endpoint.baseUrl);
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  url.pathname = `${url.pathname.replace(/\/$/, '')}/v1/text-to-speech/${encodeURIComponent(endpoint.voiceId)}/multi-stream-input`;
  url.searchParams.set('model_id', endpoint.modelId);
  url.searchParams.set('output_format', 'ulaw_8000');
  url.searchParams.set('inactivity_timeout', String(INACTIVITY_S));
  return url.toString();
}

/** Where a text stream may be cut for speaking: after a sentence or clause end followed by a space. */
const BOUNDARY = /[.!?;:,]["')\]]?\s/g;

/** The longest prefix of `text` ending at a boundary (0: none). Clauses shorter than `minChars` wait. */
export function speakableCut(text: string, minChars = 12): number {
  let cut = 0;
  for (const m of text.matchAll(BOUNDARY)) {
    const end = m.index + m[0].length;
    if (end >= minChars) cut = end;
  }
  return cut;
}

export class TtsClient {
  private ws: WebSocket | undefined;
  private open = false;
  private closedByUs = false;
  private keepalive: NodeJS.Timeout | undefined;

  constructor(private readonly endpoint: TtsEndpoint, private readonly onEvent: (e: TtsEvent) => void) {}

  get isOpen(): boolean {
    return this.open && this.ws?.readyState === WebSocket.OPEN;
  }

  get voiceId(): string {
    return this.endpoint.voiceId;
  }

  connect(timeoutMs: number): Promise<void> {
    const { ws, settle, ready } = dial(ttsUrl(this.endpoint), { 'xi-api-key': this.endpoint.apiKey }, timeoutMs, 'text-to-speech socket', () => {
      this.closedByUs = true;
    });
    this.ws = ws;
    ws.on('open', () => {
      this.open = true;
      this.keepalive = setInterval(() => this.send({ text: '', context_id: 'keepalive' }), KEEPALIVE_MS);
      this.keepalive.unref();
      settle();
    });
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('close', (code, reason) => {
      const was = this.open;
      this.open = false;
      if (this.keepalive) clearInterval(this.keepalive);
      if (was && !this.closedByUs) this.onEvent({ type: 'closed', code, reason: reason.toString() });
    });
    return ready;
  }

  private onMessage(text: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    const contextId = typeof msg.contextId === 'string' ? msg.contextId : typeof msg.context_id === 'string' ? msg.context_id : undefined;
    if (typeof msg.audio === 'string' && contextId !== undefined) {
      if (msg.audio === '') return;
      const alignment = (msg.alignment ?? msg.normalizedAlignment) as { chars?: unknown; charStartTimesMs?: unknown } | null | undefined;
      const chars = Array.isArray(alignment?.chars) ? alignment.chars as string[] : undefined;
      const startsMs = Array.isArray(alignment?.charStartTimesMs) ? alignment.charStartTimesMs as number[] : undefined;
      this.onEvent({ type: 'audio', contextId, audio: msg.audio, chars, startsMs, receivedAtMs: performance.now() });
      return;
    }
    if ((msg.isFinal === true || msg.is_final === true) && contextId !== undefined) {
      this.onEvent({ type: 'final', contextId });
      return;
    }
    if (typeof msg.message === 'string' || typeof msg.error === 'string') {
      this.onEvent({ type: 'error', code: typeof msg.error === 'string' ? msg.error : undefined, message: String(msg.message ?? msg.error) });
    }
  }

  private send(msg: Record<string, unknown>): boolean {
    const ws = this.ws;
    if (!this.open || !ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(msg));
    return true;
  }

  /** Opens a context (the documented initial `" "`). */
  begin(contextId: string): boolean {
    return this.send({ text: ' ', context_id: contextId });
  }

  /** Text to speak in a context, generated now (the caller flushes at clause boundaries). */
  text(contextId: string, text: string): boolean {
    return this.send({ text, context_id: contextId, flush: true });
  }

  /** No more text for the context: generate the rest; `final` follows its last audio. */
  end(contextId: string): void {
    this.send({ text: '', context_id: contextId, flush: true });
    this.send({ context_id: contextId, close_context: true });
  }

  /** Cut short (a barge-in): the context is closed; what it still sends is dropped by its item (answers.ts). */
  cancel(contextId: string): void {
    this.send({ context_id: contextId, close_context: true });
  }

  close(): void {
    this.closedByUs = true;
    if (this.keepalive) clearInterval(this.keepalive);
    const ws = this.ws;
    this.open = false;
    if (!ws) return;
    if (ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ close_socket: true }));
      ws.close(1000, 'done');
    } else if (ws.readyState === WebSocket.CONNECTING) {
      ws.terminate();
    }
  }
}
