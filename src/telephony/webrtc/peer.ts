/**
 * Builds the gateway's side of one browser call: a werift peer connection that accepts only
 * PCMU/8000, answers the browser's offer with every host candidate gathered (no trickle: the
 * answer is complete when it leaves), and sends its outbound RTP on one audio track. werift is
 * loaded on the first browser call, so a gateway nobody calls from a browser never loads it.
 */
import type { PeerConfig, RTCIceServer } from 'werift';
import type { CarrierLog } from '../carrier.js';
import { WebRtcConnection } from './connection.js';
import type { FrameClock } from './pacer.js';
import { PCMU_PAYLOAD_TYPE, WEBRTC_MEDIA, type WebRtcSettings } from './protocol.js';
import { isLoopback, keepLoopbackCandidates } from './sdp.js';

/** How long gathering host candidates may take before the answer leaves with what it has. */
const GATHER_TIMEOUT_MS = 3000;

export function iceServersOf(settings: WebRtcSettings): RTCIceServer[] {
  return settings.iceServers.map((url) => {
    const turn = url.startsWith('turn');
    return {
      urls: url,
      ...(turn && settings.turnUsername ? { username: settings.turnUsername } : {}),
      ...(turn && settings.turnCredential ? { credential: settings.turnCredential } : {}),
    };
  });
}

type Werift = typeof import('werift');
let loading: Promise<Werift> | undefined;
/** werift, loaded once on first use. */
export function loadWerift(): Promise<Werift> {
  loading ??= import('werift');
  return loading;
}

/** Peer configuration for one side of a PCMU-only call (the gateway's, or a Node test client's). */
export function pcmuPeerConfig(w: Werift, settings: Pick<WebRtcSettings, 'loopbackOnly'> & { iceServers?: RTCIceServer[] }): Partial<PeerConfig> {
  return {
    codecs: { audio: [new w.RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: WEBRTC_MEDIA.sampleRateHz, channels: 1, payloadType: PCMU_PAYLOAD_TYPE })], video: [] },
    headerExtensions: { audio: [], video: [] },
    iceServers: settings.iceServers ?? [],
    iceUseIpv6: false,
    // werift leaves loopback out of its host candidates; a console opened on localhost needs it.
    iceAdditionalHostAddresses: ['127.0.0.1'],
    ...(settings.loopbackOnly
      ? {
          iceFilterCandidatePair: (pair) => isLoopback(pair.remoteCandidate.host) && isLoopback(pair.protocol.localCandidate?.host ?? ''),
          iceFilterStunResponse: (_msg, addr) => isLoopback(addr[0]),
        }
      : {}),
  };
}

/** Resolves once the peer has gathered its candidates (or after `timeoutMs`). */
export function gathered(pc: InstanceType<Werift['RTCPeerConnection']>, timeoutMs = GATHER_TIMEOUT_MS): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

export interface AnswerInput {
  callSid: string;
  params: Record<string, string>;
  /** A checked offer (sdp.ts `checkOffer`). */
  offerSdp: string;
  settings: WebRtcSettings;
  clock?: FrameClock;
  log?: CarrierLog;
}

/** Answers an offer: the answer SDP to return, and the call's connection (started once ICE and DTLS are up). */
export async function answerOffer(input: AnswerInput): Promise<{ answerSdp: string; connection: WebRtcConnection }> {
  const w = await loadWerift();
  const { settings } = input;
  const pc = new w.RTCPeerConnection(pcmuPeerConfig(w, { loopbackOnly: settings.loopbackOnly, iceServers: iceServersOf(settings) }));
  let connection: WebRtcConnection | undefined;
  try {
    const outbound = new w.MediaStreamTrack({ kind: 'audio' });
    connection = new WebRtcConnection({
      callSid: input.callSid,
      params: input.params,
      pc,
      outbound,
      rtp: { packet: (payload, sequenceNumber, timestamp, marker) => new w.RtpPacket(new w.RtpHeader({ payloadType: PCMU_PAYLOAD_TYPE, sequenceNumber, timestamp, marker }), payload) },
      connectTimeoutMs: settings.connectTimeoutMs,
      mediaTimeoutMs: settings.mediaTimeoutMs,
      ...(input.clock ? { clock: input.clock } : {}),
      ...(input.log ? { log: input.log } : {}),
    });
    const offerSdp = settings.loopbackOnly ? keepLoopbackCandidates(input.offerSdp) : input.offerSdp;
    await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    const audio = pc.getTransceivers().find((t) => t.kind === 'audio');
    if (!audio) throw new Error('the offer produced no audio transceiver');
    await audio.sender.replaceTrack(outbound);
    audio.setDirection('sendrecv');
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    const sdp = pc.localDescription?.sdp;
    if (!sdp) throw new Error('no local description after the answer');
    return { answerSdp: settings.loopbackOnly ? keepLoopbackCandidates(sdp) : sdp, connection };
  } catch (err) {
    if (connection) connection.close(1011, 'negotiation failed');
    else await pc.close().catch(() => undefined);
    throw err;
  }
}
