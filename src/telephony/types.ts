/**
 * The seam between the carrier edge (src/telephony, src/server) and the realtime runtime
 * (src/realtime). Telephony never imports `@openai/*` or `src/realtime`; the runtime talks to a
 * phone call only through these interfaces (and `Carrier`'s call services, carrier.ts).
 *
 * Custom parameters agreed between the gateway and the runtime, whatever the carrier: a carrier
 * puts them on the media stream it asks for (Twilio: `<Parameter>`s in the `<Connect><Stream>`
 * TwiML) and they arrive in `start.customParameters`:
 *   - `callSid`   the carrier's call id the voice webhook saw (the key `CallHandler.prepare` used)
 *   - `vertical`  the vertical id chosen by the dialled number
 *   - `version`   the pinned compiled-vertical version (content hash) at webhook time
 *   - `scenario`  OPTIONAL: the simulator's scenario id (`<vertical>/<scenario>` file stem) when the
 *                 call is placed by `switchboard simulate` (Twilio: the voice-webhook form field
 *                 `X-Switchboard-Scenario`, see twilio/protocol.ts). The gateway passes it to
 *                 `CallHandler.prepare({ ..., scenario })` and echoes it as a parameter. The
 *                 emulator engine receives it as the `scenario` query parameter of its URL so it
 *                 pairs committed speech segments with that scenario's caller turns.
 * These names are exported below as `STREAM_PARAM` so both sides use the same strings.
 */

export type CallEvent =
  | { type: 'connected' }
  | {
      type: 'start';
      streamSid: string;
      callSid: string;
      accountSid?: string;
      tracks: string[];
      mediaFormat: { encoding: string; sampleRateHz: number; channels: number };
      customParameters: Record<string, string>;
    }
  /** Inbound caller audio in the carrier's media format, NOT decoded (base64 exactly as sent). */
  | { type: 'audio'; payloadBase64: string; seq?: number; timestampMs?: number }
  /** Playback reached this mark (acknowledgement). */
  | { type: 'mark'; name: string }
  | { type: 'dtmf'; digit: string }
  | { type: 'stop'; reason?: string };

export type StartEvent = Extract<CallEvent, { type: 'start' }>;

export type CarrierCommand =
  /** Exactly one frame of the carrier's media format (Twilio: 20 ms, 160 bytes μ-law), base64. */
  | { type: 'audio'; payloadBase64: string }
  | { type: 'mark'; name: string }
  | { type: 'clear' };

/** Pure: no I/O. One file per carrier (Twilio today; Telnyx, Vonage, a browser later). */
export interface CarrierSerializer {
  readonly carrier: string;
  parse(raw: string): { ok: true; event: CallEvent } | { ok: false; code: string; message: string };
  serialize(cmd: CarrierCommand, streamSid: string): string;
}

/** One live carrier media connection (a Twilio Media Streams WebSocket, …). */
export interface CarrierConnection {
  readonly carrier: string;
  /** Resolves with the start event (or rejects if the socket closes / times out first). */
  readonly started: Promise<StartEvent>;
  /** Every parsed event after start. */
  on(event: 'event', fn: (e: CallEvent) => void): void;
  /** `lost`: the peer vanished without hanging up (a chat page closed, say). */
  on(event: 'close', fn: (info: { code: number; reason: string; lost?: boolean }) => void): void;
  /** Bad input; the connection continues. */
  on(event: 'error', fn: (err: { code: string; message: string }) => void): void;
  sendAudioFrame(payloadBase64: string): void;
  sendMark(name: string): void;
  clear(): void;
  close(code?: number, reason?: string): void;
  /** Bytes queued in the socket (backpressure signal). */
  readonly bufferedAmount: number;
}

/** Carrier call control (Twilio: POST Calls/{sid}.json with Twiml). */
export interface CallControl {
  hangUp(callSid: string, opts?: { say?: string }): Promise<void>;
  transfer(callSid: string, to: string, opts?: { say?: string; callerId?: string }): Promise<void>;
}

export interface SmsSender {
  send(to: string, from: string, body: string, signal?: AbortSignal): Promise<{ id: string }>;
}

/** Names of the `<Parameter>`s the gateway puts on the stream (see the file comment). */
export const STREAM_PARAM = {
  callSid: 'callSid',
  vertical: 'vertical',
  version: 'version',
  scenario: 'scenario',
} as const;

