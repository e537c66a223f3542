/**
 * The browser over WebRTC, a carrier like Twilio: the console's softphone offers SDP to the
 * gateway (src/server/console), `answer` returns our SDP and a `CarrierConnection` that the
 * server hands to `CallHandler.attach`, so a browser call has the same call session, barge-in,
 * limits, records and analysis as a phone call. Hanging up closes the peer; there is no
 * telephone network behind a browser, so a transfer is refused with a coded error.
 *
 * `webhooks` is empty and the stream path refuses upgrades: signalling belongs to the console,
 * which authenticates operators (ADMIN_TOKEN or loopback) before any offer reaches this module.
 */
import { Router } from 'express';
import { AppError, ConfigError } from '../../shared/index.js';
import type { Carrier, CarrierContext, CarrierLog, CarrierModule } from '../carrier.js';
import type { CallControl } from '../types.js';
import type { WebRtcConnection } from './connection.js';
import type { FrameClock } from './pacer.js';
import { answerOffer } from './peer.js';
import { WEBRTC, WEBRTC_ERROR, WEBRTC_MEDIA, WEBRTC_STREAM_PATH, webrtcCallStatus, webrtcSettingsSchema, type WebRtcSettings } from './protocol.js';
import { checkOffer } from './sdp.js';
import { webrtcSerializer } from './serializer.js';

export * from './protocol.js';
export { checkOffer, keepLoopbackCandidates, isLoopback, MAX_OFFER_BYTES } from './sdp.js';
export { FramePacer, IntervalClock, rtpClock, type FrameClock, type PacerSink } from './pacer.js';
export { WebRtcConnection } from './connection.js';
export { webrtcSerializer, MAX_CONTROL_BYTES } from './serializer.js';
export { loadWerift, pcmuPeerConfig, gathered, iceServersOf } from './peer.js';

/** The longest a hang-up waits for queued frames (the agent's last words) to leave. */
const HANGUP_DRAIN_MS = 3000;

export interface BrowserCall {
  callSid: string;
  /** The stream parameters (`STREAM_PARAM`) the runtime reads from the start event. */
  params: Record<string, string>;
  offerSdp: unknown;
}

export interface WebRtcCarrier extends Carrier {
  readonly settings: WebRtcSettings;
  /** The ICE servers the page should use (STUN/TURN for remote use; empty on a LAN). */
  readonly iceServers: ReturnType<typeof iceServersForPage>;
  /** Checks and answers an offer; rejects with a coded AppError (bad offer, no PCMU, busy). */
  answer(call: BrowserCall): Promise<{ answerSdp: string; connection: WebRtcConnection }>;
  /** A control message from the page for a live call: false when no such call is live. Throws a coded AppError on bad input. */
  control(callSid: string, raw: string): boolean;
  /** Live browser calls. */
  readonly live: ReadonlyMap<string, WebRtcConnection>;
  /** Frames and packets of every browser call so far (ended and live). */
  totals(): WebRtcConnection['stats'];
}

export function isWebRtcCarrier(c: Carrier): c is WebRtcCarrier {
  return c.name === WEBRTC && typeof (c as Partial<WebRtcCarrier>).answer === 'function';
}

function iceServersForPage(settings: WebRtcSettings): Array<{ urls: string; username?: string; credential?: string }> {
  return settings.iceServers.map((urls) => ({
    urls,
    ...(urls.startsWith('turn') && settings.turnUsername ? { username: settings.turnUsername } : {}),
    ...(urls.startsWith('turn') && settings.turnCredential ? { credential: settings.turnCredential } : {}),
  }));
}

async function drained(conn: WebRtcConnection, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (conn.bufferedAmount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

export function createWebRtcCarrier(settings: WebRtcSettings, options: { log?: CarrierLog; clock?: FrameClock } = {}): WebRtcCarrier {
  const live = new Map<string, WebRtcConnection>();
  const ended = { framesSent: 0, framesCleared: 0, framesOverflowed: 0, packetsIn: 0 };
  const add = (into: typeof ended, s: typeof ended) => {
    into.framesSent += s.framesSent;
    into.framesCleared += s.framesCleared;
    into.framesOverflowed += s.framesOverflowed;
    into.packetsIn += s.packetsIn;
    return into;
  };
  const callControl: CallControl = {
    async hangUp(callSid) {
      const conn = live.get(callSid);
      if (!conn) return;
      await drained(conn, HANGUP_DRAIN_MS);
      conn.close(1000, 'hung up');
    },
    async transfer() {
      throw new AppError(WEBRTC_ERROR.transferUnsupported, 'a browser call cannot be transferred: there is no telephone network behind it');
    },
  };
  return {
    name: WEBRTC,
    channel: 'webrtc',
    serializer: webrtcSerializer,
    media: WEBRTC_MEDIA,
    signatureCheck: false,
    settings,
    iceServers: iceServersForPage(settings),
    stream: {
      path: WEBRTC_STREAM_PATH,
      metricsRoute: 'webrtc_stream',
      authenticate: () => ({ ok: false, status: 400, code: WEBRTC_ERROR.noWebSocket, outcome: 'not_websocket' }),
    },
    webhooks: () => Router(),
    callControl,
    callStatus: webrtcCallStatus,
    live,
    totals() {
      const sum = add({ framesSent: 0, framesCleared: 0, framesOverflowed: 0, packetsIn: 0 }, ended);
      for (const conn of live.values()) add(sum, conn.stats);
      return sum;
    },
    async answer(call) {
      const check = checkOffer(call.offerSdp);
      if (!check.ok) throw new AppError(check.code, check.message);
      if (live.size >= settings.maxCalls) throw new AppError(WEBRTC_ERROR.busy, `this gateway already carries ${settings.maxCalls} browser calls`, { retryable: true });
      const result = await answerOffer({
        callSid: call.callSid,
        params: call.params,
        offerSdp: call.offerSdp as string,
        settings,
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.log ? { log: options.log } : {}),
      });
      live.set(call.callSid, result.connection);
      result.connection.on('close', () => {
        if (live.get(call.callSid) === result.connection) live.delete(call.callSid);
        add(ended, result.connection.stats);
      });
      return result;
    },
    control(callSid, raw) {
      const conn = live.get(callSid);
      if (!conn) return false;
      const parsed = webrtcSerializer.parse(raw);
      if (!parsed.ok) throw new AppError(parsed.code, parsed.message);
      conn.control(parsed.event);
      return true;
    },
  };
}

export const webrtcCarrier: CarrierModule = {
  name: WEBRTC,
  create(ctx: CarrierContext): Carrier {
    const parsed = webrtcSettingsSchema.safeParse(ctx.settings?.[WEBRTC] ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(`webrtc.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    return createWebRtcCarrier(parsed.data, ctx.log ? { log: ctx.log } : {});
  },
};
