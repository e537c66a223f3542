/**
 * The browser carrier's fixed names, media format, error codes and settings. A browser call is
 * WebRTC terminated in the gateway: PCMU/8000 only, so its RTP payloads are the same 20 ms
 * μ-law frames a Twilio stream carries and nothing is transcoded at this edge.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { CallStatusMeaning, MediaFormat } from '../carrier.js';
import { PCMU_8K_20MS } from '../media.js';

export const WEBRTC = 'webrtc';

/** 20 ms of PCMU: 160 bytes, 160 RTP clock ticks (the RTP clock of PCMU is 8 kHz). */
export const WEBRTC_MEDIA: MediaFormat = PCMU_8K_20MS;
/** The static RTP payload type of PCMU (RFC 3551). */
export const PCMU_PAYLOAD_TYPE = 0;

/** Not a media path: browser media arrives over RTP, so upgrades to it are refused. */
export const WEBRTC_STREAM_PATH = '/webrtc/stream';

export const WEBRTC_ERROR = {
  /** The signalling body is not an SDP offer we can read. */
  badOffer: 'WEBRTC_BAD_OFFER',
  /** The offer has no audio section that accepts PCMU/8000. */
  noPcmu: 'WEBRTC_NO_PCMU',
  /** ICE did not connect in time, failed, or RTP stopped arriving. */
  peerLost: 'WEBRTC_PEER_LOST',
  /** Browser calls have no telephone network behind them. */
  transferUnsupported: 'WEBRTC_TRANSFER_UNSUPPORTED',
  /** Media stream upgrades do not exist for this carrier. */
  noWebSocket: 'WEBRTC_NO_WEBSOCKET',
  /** Too many browser calls at once. */
  busy: 'WEBRTC_BUSY',
} as const;

/** A browser call has no carrier status callbacks; these words are what the console reports. */
export function webrtcCallStatus(status: string): CallStatusMeaning {
  if (status === 'completed' || status === 'hangup') return { ended: true, outcome: 'completed' };
  if (status === 'failed') return { ended: true, outcome: 'failed' };
  return { ended: false };
}

const iceUrl = z.string().regex(/^(stun|turn|turns):[^\s,]+$/, 'must be a stun:, turn: or turns: URL');

/** The app config's `webrtc` section (config/schema.ts embeds the same shape). */
export const webrtcSettingsSchema = z.object({
  /** STUN/TURN servers for remote use; none are needed on loopback or a LAN. */
  iceServers: z.array(iceUrl).default([]),
  turnUsername: z.string().min(1).nullable().default(null),
  turnCredential: z.string().min(1).nullable().default(null),
  /**
   * Offer and accept loopback addresses only (tests, benchmarks, a console reached on
   * localhost): no candidate on another interface is advertised or checked.
   */
  loopbackOnly: z.boolean().default(false),
  /** A peer that sends no RTP for this long is gone: the call ends (and is finalised). */
  mediaTimeoutMs: z.number().int().min(1000).default(10_000),
  /** How long ICE and DTLS may take to connect after the answer. */
  connectTimeoutMs: z.number().int().min(1000).default(15_000),
  /** Browser calls at once on this gateway. */
  maxCalls: z.number().int().min(1).default(200),
});

export type WebRtcSettings = z.infer<typeof webrtcSettingsSchema>;

/** Browser call ids look like Twilio's (two letters, 32 hex digits) with their own prefix. */
export const BROWSER_SID_PREFIX = 'WR';

export function newBrowserCallSid(): string {
  return BROWSER_SID_PREFIX + randomBytes(16).toString('hex');
}

export function isBrowserCallSid(callSid: string): boolean {
  return /^WR[0-9a-f]{32}$/.test(callSid);
}
