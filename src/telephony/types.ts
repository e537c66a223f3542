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
  /**
   * Optional: hold this connection's writes until the matching `uncork` (nested calls count), so
   * a burst of frames leaves in one system call. A connection without it sends frame by frame;
   * a wrapper must pass both through or the batching silently stops.
   */
  cork?(): void;
  uncork?(): void;
}

/** Carrier call control (Twilio: POST Calls/{sid}.json with Twiml). */
export interface CallControl {
  hangUp(callSid: string, opts?: { say?: string }): Promise<void>;
  transfer(callSid: string, to: string, opts?: { say?: string; callerId?: string }): Promise<void>;
}

export interface SmsSender {
  send(to: string, from: string, body: string, signal?: AbortSignal): Promise<{ id: string }>;
}

/** How a dialled person's leg ended without taking the call. */
export type HumanLegFailure = 'no_answer' | 'busy' | 'failed' | 'declined' | 'canceled';

/** What happens to the person's leg of a warm transfer, in order (carrier status callbacks). */
export type HumanLegEvent =
  | { type: 'ringing' }
  | { type: 'answered' }
  /** The person accepted after the briefing: they are joining the caller's room now. */
  | { type: 'accepted' }
  | { type: 'ended'; failure: HumanLegFailure };

export interface DialHumanRequest {
  /** The room the caller waits in (a conference name); no personal data in it. */
  room: string;
  to: string;
  /** Caller ID shown to the person (the business's number). */
  from: string;
  /** Spoken to the person before they are connected; never logged. */
  briefing: string;
  ringTimeoutSec: number;
  onEvent(e: HumanLegEvent): void;
}

/**
 * Warm transfer on a carrier (Twilio: a conference as the waiting room, the person dialled through
 * the Calls API with a briefing they accept with a key press, then joining the room).
 */
export interface WarmTransferControl {
  /** Moves the caller from the media stream into `room`, where they hear `say` and then hold audio. */
  hold(callSid: string, room: string, opts: { say?: string; waitUrl?: string }): Promise<void>;
  /** Dials the person; resolves once the carrier accepted the request (events follow). */
  dialHuman(req: DialHumanRequest): Promise<{ legSid: string; cancel(): Promise<void> }>;
  /** Brings the caller back from the room to a new media stream carrying these parameters. */
  resume(callSid: string, parameters: Record<string, string>): Promise<void>;
}

/** Recording a live call through the carrier (Twilio: the call's Recordings resource). */
export interface RecordingControl {
  /** Starts a dual-channel recording; rejects with a coded error when the carrier refuses. */
  start(callSid: string): Promise<{ sid: string; url: string }>;
  stop(callSid: string, recordingSid: string): Promise<void>;
}

/** Names of the `<Parameter>`s the gateway puts on the stream (see the file comment). */
export const STREAM_PARAM = {
  callSid: 'callSid',
  vertical: 'vertical',
  version: 'version',
  scenario: 'scenario',
} as const;

