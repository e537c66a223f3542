/**
 * What the gateway checks of a browser's SDP offer before a peer connection is built for it, and
 * the candidate filter of loopback-only mode. Pure text functions: no I/O, never throw.
 */
import { PCMU_PAYLOAD_TYPE, WEBRTC_ERROR } from './protocol.js';

/** Larger offers are refused (a browser's is a few kilobytes). */
export const MAX_OFFER_BYTES = 64 * 1024;

export type OfferCheck = { ok: true } | { ok: false; code: string; message: string };

interface MediaSection {
  kind: string;
  formats: string[];
  lines: string[];
}

function sections(sdp: string): MediaSection[] {
  const out: MediaSection[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      const [kind = '', , , ...formats] = line.slice(2).trim().split(/\s+/);
      out.push({ kind, formats, lines: [] });
    } else if (out.length > 0) {
      out[out.length - 1]!.lines.push(line);
    }
  }
  return out;
}

/** Whether an audio section offers PCMU at 8 kHz (static payload type 0, or mapped by rtpmap). */
function offersPcmu(section: MediaSection): boolean {
  for (const pt of section.formats) {
    const map = section.lines.find((l) => l.startsWith(`a=rtpmap:${pt} `));
    if (map) {
      if (/^a=rtpmap:\d+ PCMU\/8000(\/1)?\s*$/i.test(map)) return true;
    } else if (pt === String(PCMU_PAYLOAD_TYPE)) {
      return true;
    }
  }
  return false;
}

/** Refuses anything that is not an SDP offer with an audio section accepting PCMU/8000. */
export function checkOffer(sdp: unknown): OfferCheck {
  if (typeof sdp !== 'string' || sdp.length === 0) return { ok: false, code: WEBRTC_ERROR.badOffer, message: 'the offer must be an SDP string' };
  if (Buffer.byteLength(sdp) > MAX_OFFER_BYTES) return { ok: false, code: WEBRTC_ERROR.badOffer, message: `the offer is larger than ${MAX_OFFER_BYTES} bytes` };
  if (!sdp.startsWith('v=0')) return { ok: false, code: WEBRTC_ERROR.badOffer, message: 'the offer is not SDP (it must start with v=0)' };
  const audio = sections(sdp).filter((s) => s.kind === 'audio');
  if (audio.length === 0) return { ok: false, code: WEBRTC_ERROR.badOffer, message: 'the offer has no audio section' };
  if (!audio.some(offersPcmu)) {
    return { ok: false, code: WEBRTC_ERROR.noPcmu, message: 'the offer does not accept PCMU/8000 (G.711 μ-law), the only codec this gateway speaks' };
  }
  if (!/^a=fingerprint:/m.test(sdp)) return { ok: false, code: WEBRTC_ERROR.badOffer, message: 'the offer has no DTLS fingerprint' };
  if (!/^a=ice-ufrag:/m.test(sdp)) return { ok: false, code: WEBRTC_ERROR.badOffer, message: 'the offer has no ICE credentials' };
  return { ok: true };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1)$/;

/** Whether an address is on the loopback interface. */
export function isLoopback(address: string): boolean {
  return LOOPBACK.test(address);
}

/**
 * Drops the `a=candidate` lines whose address is not loopback (loopback-only mode: no address
 * of another interface is advertised to, or taken from, the other side).
 */
export function keepLoopbackCandidates(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return sdp
    .split(/\r?\n/)
    .filter((line) => {
      if (!line.startsWith('a=candidate:')) return true;
      const address = line.split(' ')[4] ?? '';
      return isLoopback(address);
    })
    .join(eol);
}
