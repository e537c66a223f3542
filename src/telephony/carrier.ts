/**
 * `Carrier`: everything the gateway and the runtime need from one phone carrier, in one object.
 * The server mounts `webhooks(port)` and dispatches WebSocket upgrades on `stream.path` without
 * knowing the carrier; the runtime hangs up, transfers and texts through the `callControl` and
 * `sms` of the carrier a call came in on, and frames outbound audio by its `media` format.
 *
 * Telephony never imports the catalog or the runtime: what a carrier's webhooks need from them
 * (route a number, prepare a call, report a status) comes through `CarrierCallPort`, which the
 * server implements.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Router } from 'express';
import type { CallChannel } from '../shared/index.js';
import type { CallControl, CarrierSerializer, RecordingControl, SmsSender, WarmTransferControl } from './types.js';

/** Encodings the runtime can play out (it frames and pads G.711 μ-law today). */
export type MediaEncoding = 'audio/x-mulaw';

/** The audio a carrier's stream carries, both ways. */
export interface MediaFormat {
  readonly encoding: MediaEncoding;
  readonly sampleRateHz: number;
  /** One outbound frame's duration (the carrier plays whole frames). */
  readonly frameMs: number;
  /** One outbound frame's size: frameMs of audio in this encoding. */
  readonly frameBytes: number;
  /** The byte value of silence in this encoding (pads a last partial frame). */
  readonly silenceByte: number;
}

/** How a call ended, as far as the carrier knows: it ran and finished, or it never connected. */
export type CallOutcome = 'completed' | 'failed';

/** What a carrier's status word means to the runtime. */
export type CallStatusMeaning = { ended: false } | { ended: true; outcome: CallOutcome };

/** A normalised call status report (a carrier's status callback). */
export type CallStatusReport = CallStatusMeaning & {
  carrier: string;
  callSid: string;
  /** The carrier's own status word (kept for duplicate detection and logs). */
  status: string;
  durationSec?: number;
};

/** An incoming call as a carrier's voice webhook sees it. */
export interface InboundCall {
  carrier: string;
  callSid: string;
  to?: string;
  from?: string;
  /** The simulator's scenario id, when the call is simulated. */
  scenario?: string;
}

/** What the gateway decided about an incoming call; the carrier answers accordingly. */
export type Admission =
  /** Connect the media stream; the vertical and pinned version go on the stream's parameters. */
  | {
    kind: 'connect'; verticalId: string; version: string;
    /** The instance that prepared the call: the stream URL names it so a routing proxy sends the stream back to it. */
    instance?: string;
  }
  /** The gateway is shutting down: apologise (busy). */
  | { kind: 'draining' }
  /** No vertical claims the dialled number: apologise (not in service). */
  | { kind: 'unknown_number' }
  /** The runtime could not take the call (at capacity, unknown carrier): apologise (busy). */
  | { kind: 'refused' }
  /** The gateway will not take this vertical's call now (draining, at capacity): its overflow answer. */
  | { kind: 'overflow'; reason: 'draining' | 'at_capacity'; answer: OverflowAnswer };

/**
 * What a caller the gateway cannot take hears (a vertical's `overflow` policy): a busy message
 * and hang up; a busy rejection (the carrier plays a busy signal, the call is never answered);
 * or a redirect to another number (`to`) or another answering URL (`url`), after `say` if given.
 */
export type OverflowAnswer =
  | { policy: 'busy_message'; say: string }
  | { policy: 'reject' }
  | { policy: 'redirect'; to?: string; url?: string; say?: string };

/** Structured log lines; metadata only (never audio, transcripts or the caller's number). */
export interface CarrierLog {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/** What the server gives a carrier's webhook routes. */
export interface CarrierCallPort {
  /**
   * Voice-webhook time: routes the dialled number, pins the vertical version and prepares the
   * call (the model connection opens while the carrier dials the stream). Never throws.
   */
  admit(call: InboundCall): Admission;
  /**
   * A status callback. Repeats of one (carrier, call, status) are forwarded once; resolves with
   * whether this delivery was forwarded. Rejects when the runtime failed (the carrier retries).
   */
  statusChanged(report: CallStatusReport): Promise<boolean>;
  /** Counts a webhook outcome (`switchboard_webhooks_total{route,outcome}`). */
  count(route: string, outcome: string): void;
  readonly log: CarrierLog;
}

/** The parts of a WebSocket upgrade request a carrier authenticates. */
export interface UpgradeRequest {
  /** Path and query as received (`/twilio/stream?x=1`). */
  url: string;
  headers: IncomingHttpHeaders;
}

export type UpgradeVerdict =
  | { ok: true }
  /** Refuse with this HTTP status and error code; `outcome` labels the webhook counter. */
  | { ok: false; status: number; code: string; outcome: string };

/** The carrier's media stream endpoint on the gateway. */
export interface CarrierStream {
  /** The path the carrier dials (`/twilio/stream`); one carrier per path. */
  readonly path: string;
  /** `route` label of `switchboard_webhooks_total` for this stream's upgrades. */
  readonly metricsRoute: string;
  /** Checks the upgrade (a signature over the public URL, a token, …) before the socket opens. */
  authenticate(req: UpgradeRequest): UpgradeVerdict;
}

export interface Carrier {
  /** Names the carrier everywhere: `CarrierConnection.carrier`, `PrepareInput.carrier`, logs. */
  readonly name: string;
  /** Wire format of the media stream (its `carrier` is `name`). */
  readonly serializer: CarrierSerializer;
  readonly stream: CarrierStream;
  readonly media: MediaFormat;
  /** Whether webhooks and stream upgrades are authenticated (shown by /healthz). */
  readonly signatureCheck: boolean;
  /** The carrier's webhook routes (an express Router mounted at the app's root). */
  webhooks(port: CarrierCallPort): Router;
  /** Hang up and transfer a live call. */
  readonly callControl: CallControl;
  /** Text messages from the dialled number, when the carrier sends them. */
  readonly sms?: SmsSender;
  /** Normalises the carrier's call status word. */
  callStatus(status: string): CallStatusMeaning;
  /** Warm transfer (hold, brief the person, bridge), when the carrier can do it. */
  readonly warmTransfer?: WarmTransferControl;
  /** Recording the call, when the carrier can do it. */
  readonly recording?: RecordingControl;
  /** How callers reach the agent through this carrier (recorded on the call row); phone when absent. */
  readonly channel?: CallChannel;
}

/** What the runtime uses of a call's carrier. */
export type CarrierCallServices = Pick<Carrier, 'name' | 'callControl' | 'sms' | 'media' | 'warmTransfer' | 'recording' | 'channel'>;

/** What a carrier module is built from at start-up. */
export interface CarrierContext {
  /** The public base URL carriers reach the gateway on (PUBLIC_URL); signatures cover it. */
  publicUrl: string;
  /**
   * Configuration sections by carrier name (the app config's `twilio` section for Twilio). A
   * module parses its own section; a missing one means "not configured".
   */
  settings?: Readonly<Record<string, unknown>>;
  /** The process environment, for carriers that read their own variables. */
  env?: Readonly<Record<string, string | undefined>>;
  log?: CarrierLog;
  /**
   * Appended to the media stream URL a carrier asks for (`name=value&…`, no `?`): it names the
   * gateway process that prepared the call, so the stream is routed back to it (`--workers`).
   */
  streamQuery?: string;
}

/** One registration line in `carriers.ts`. */
export interface CarrierModule {
  readonly name: string;
  create(ctx: CarrierContext): Carrier;
}
