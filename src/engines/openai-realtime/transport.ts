/**
 * The SDK transport for a phone call: an `OpenAIRealtimeWebSocket` whose socket we open and
 * read ourselves. Every server message passes our tap first:
 *   - audio deltas are read without a JSON parse and go straight to the call's playback; the
 *     SDK never sees them (it would parse each twice, validate it with zod and time
 *     interruptions by the wall clock, which is wrong for a phone line);
 *   - `speech_started` reaches the call before anything else, so `clear` leaves at once;
 *   - every other event is parsed once (events.ts) for the model session, then handed to the SDK
 *     unchanged (or held back when the session answers it itself, e.g. a tool call with
 *     unparsable arguments).
 * Caller audio goes out as `input_audio_buffer.append` text frames built straight into a buffer.
 * The SDK keeps what it is good at: agents, tools, handoffs, history, response sequencing.
 */
import WebSocket, { type RawData } from 'ws';
import { OpenAIRealtimeWebSocket } from '@openai/agents/realtime';
import type { AudioDeltaEvent } from '../modelSession.js';
import { parseServerEvent, type ParsedServerEvent } from './events.js';
import { AUDIO_DELTA, appendEventBytes, audioDeltaFromEvent, peekType, readAudioDelta } from './wire.js';

export interface TransportTap {
  /** Model audio (base64, the session's output format), read without a parse. */
  onAudioDelta(delta: AudioDeltaEvent): void;
  /** Any other server event, parsed once, before the SDK sees it. Return true to keep it from the SDK. */
  onServerEvent(event: ParsedServerEvent, receivedAtMs: number): boolean | void;
  /** The model socket closed; `expected` when we closed it. */
  onSocketClose(info: { code: number; reason: string; expected: boolean }): void;
  /** The SDK asked for an interruption (an output guardrail tripped, say). */
  onInterruptRequested(): void;
}

export interface CarrierTransportOptions {
  tap: TransportTap;
  /** Extra request headers for the model socket. */
  headers?: Record<string, string>;
}

type SdkListener = (event: { data: string }) => void;

const TEXT_FRAME = { binary: false } as const;

/**
 * Server events the SDK session has no use for in a phone call (it would parse each one twice
 * and validate it with zod): per-chunk transcript deltas feed output guardrails only (calls run
 * none), and the input-buffer and content-part events only become generic transport events.
 */
const SDK_UNUSED = new Set([
  'response.output_audio_transcript.delta',
  'response.output_audio_transcript.done',
  'response.output_text.delta',
  'response.content_part.added',
  'response.content_part.done',
  'response.function_call_arguments.delta',
  'input_audio_buffer.speech_started',
  'input_audio_buffer.speech_stopped',
  'input_audio_buffer.committed',
  'input_audio_buffer.cleared',
  'input_audio_buffer.timeout_triggered',
  'conversation.item.input_audio_transcription.delta',
  'rate_limits.updated',
]);

/** The subset of a WebSocket the SDK uses, backed by our `ws` socket. */
class SocketFacade {
  sdkMessage: SdkListener | undefined;
  constructor(private readonly ws: WebSocket) {}
  get readyState(): number {
    return this.ws.readyState;
  }
  addEventListener(type: string, fn: (event: unknown) => void): void {
    if (type === 'message') this.sdkMessage = fn as SdkListener;
    else this.ws.addEventListener(type as 'open', fn as () => void);
  }
  send(text: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }
  close(): void {
    this.ws.close();
  }
}

export class CarrierRealtimeTransport extends OpenAIRealtimeWebSocket {
  private readonly tap: TransportTap;
  private socket: WebSocket | undefined;
  private facade: SocketFacade | undefined;
  private closing = false;
  private dispatching = false;
  /** Set once the session configuration (audio formats) has been sent: appends may flow. */
  private ready = false;

  constructor(options: CarrierTransportOptions) {
    const holder: { self?: CarrierRealtimeTransport } = {};
    super({
      createWebSocket: async ({ url, apiKey }) => holder.self!.open(url, apiKey, options.headers ?? {}),
    });
    holder.self = this;
    this.tap = options.tap;
  }

  /** Sends one carrier frame of caller audio (base64, already in the model's input format). */
  appendAudio(base64: string): boolean {
    const ws = this.socket;
    if (!this.ready || ws === undefined || ws.readyState !== WebSocket.OPEN) return false;
    // A text frame from one buffer: `ws` masks it into a single write (see appendEventBytes).
    ws.send(appendEventBytes(base64), TEXT_FRAME);
    return true;
  }

  /** The session is configured: caller audio may flow from now on. */
  markReady(): void {
    if (!this.closing) this.ready = true;
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Bytes queued on the model socket. */
  get bufferedAmount(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  /**
   * The SDK's own barge-in would truncate by the wall clock. It can only come through here: the
   * socket handler calls `interrupt()` on `speech_started` (which the SDK never sees, see
   * SDK_UNUSED) and the session calls it when an output guardrail trips (calls run none). Both
   * become a request to the call, which truncates from acknowledged playback itself; the
   * inherited `interrupt()` is never run, so neither is its `_interrupt`.
   */
  override interrupt(): void {
    if (!this.dispatching) this.tap.onInterruptRequested();
  }

  override close(): void {
    this.closing = true;
    this.ready = false;
    try {
      super.close();
    } finally {
      const ws = this.socket;
      // A peer that never answers the close handshake must not keep the socket alive.
      if (ws && ws.readyState !== WebSocket.CLOSED) {
        setTimeout(() => {
          if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
        }, 2000).unref();
      }
    }
  }

  private open(url: string, apiKey: string, headers: Record<string, string>): WebSocket {
    const ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${apiKey}`, ...this.getCommonRequestHeaders(), ...headers },
      perMessageDeflate: false,
    });
    this.socket = ws;
    const facade = new SocketFacade(ws);
    this.facade = facade;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) this.onRaw(data);
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.ready = false;
      this.tap.onSocketClose({ code, reason: reason.toString('utf8'), expected: this.closing });
    });
    // Errors also reach the SDK through its own listener; this one keeps `ws` from throwing.
    ws.on('error', () => undefined);
    return facade as unknown as WebSocket;
  }

  private onRaw(data: RawData): void {
    const receivedAt = performance.now();
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
    const type = peekType(text);
    if (type === AUDIO_DELTA) {
      const delta = readAudioDelta(text, receivedAt);
      if (delta !== undefined) {
        this.tap.onAudioDelta(delta);
        return;
      }
    }
    const parsed = parseServerEvent(text);
    if (parsed === undefined) return;
    const event = parsed.event;
    if (event.type === AUDIO_DELTA) {
      const delta = audioDeltaFromEvent(event, receivedAt);
      if (delta !== undefined) this.tap.onAudioDelta(delta);
      return;
    }
    let hold: boolean | void = false;
    try {
      hold = this.tap.onServerEvent(parsed, receivedAt);
    } catch {
      hold = false;
    }
    if (hold === true || SDK_UNUSED.has(event.type)) return;
    const sdk = this.facade?.sdkMessage;
    if (sdk === undefined) return;
    this.dispatching = true;
    try {
      sdk({ data: text });
    } finally {
      this.dispatching = false;
    }
  }
}
