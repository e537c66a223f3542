import { checkOffer, keepLoopbackCandidates, webrtcSerializer, MAX_OFFER_BYTES } from '../../../src/telephony/index.js';

const offer = (mline: string, maps: string[]) => [
  'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0', 'a=fingerprint:sha-256 AA:BB', 'a=ice-ufrag:abcd', 'a=ice-pwd:0123456789abcdef012345',
  mline, 'c=IN IP4 0.0.0.0', 'a=mid:0', ...maps,
  'a=candidate:1 1 udp 2116026367 127.0.0.1 40000 typ host',
  'a=candidate:2 1 udp 2116026367 192.0.2.2 40001 typ host',
  '',
].join('\r\n');

describe('checkOffer', () => {
  it('accepts an offer whose audio section maps PCMU/8000', () => {
    expect(checkOffer(offer('m=audio 9 UDP/TLS/RTP/SAVPF 111 0', ['a=rtpmap:111 opus/48000/2', 'a=rtpmap:0 PCMU/8000']))).toEqual({ ok: true });
  });

  it('accepts static payload type 0 with no rtpmap', () => {
    expect(checkOffer(offer('m=audio 9 UDP/TLS/RTP/SAVPF 0', []))).toEqual({ ok: true });
  });

  it('refuses an offer without PCMU with a clear, coded error', () => {
    const r = checkOffer(offer('m=audio 9 UDP/TLS/RTP/SAVPF 111 8', ['a=rtpmap:111 opus/48000/2', 'a=rtpmap:8 PCMA/8000']));
    expect(r).toMatchObject({ ok: false, code: 'WEBRTC_NO_PCMU' });
    expect(!r.ok && r.message).toMatch(/PCMU\/8000/);
  });

  it('refuses a payload type 0 remapped to another codec', () => {
    expect(checkOffer(offer('m=audio 9 UDP/TLS/RTP/SAVPF 0', ['a=rtpmap:0 opus/48000/2']))).toMatchObject({ ok: false, code: 'WEBRTC_NO_PCMU' });
  });

  it.each([
    ['not a string', 42],
    ['empty', ''],
    ['not SDP', 'hello'],
    ['video only', offer('m=video 9 UDP/TLS/RTP/SAVPF 96', ['a=rtpmap:96 VP8/90000'])],
    ['too large', `v=0\r\n${'a=x\r\n'.repeat(MAX_OFFER_BYTES / 4)}`],
    ['no fingerprint', offer('m=audio 9 UDP/TLS/RTP/SAVPF 0', []).replace(/a=fingerprint:[^\r]*\r\n/, '')],
  ])('refuses a malformed offer (%s) as WEBRTC_BAD_OFFER', (_what, sdp) => {
    expect(checkOffer(sdp)).toMatchObject({ ok: false, code: 'WEBRTC_BAD_OFFER' });
  });
});

describe('keepLoopbackCandidates', () => {
  it('keeps loopback candidates and every other line', () => {
    const sdp = offer('m=audio 9 UDP/TLS/RTP/SAVPF 0', []);
    const kept = keepLoopbackCandidates(sdp);
    expect(kept).toContain('127.0.0.1 40000');
    expect(kept).not.toContain('192.0.2.2');
    expect(kept.split('\r\n').length).toBe(sdp.split('\r\n').length - 1);
  });
});

describe('webrtcSerializer (the page\'s control messages)', () => {
  it('turns a hang-up into stop and a key into dtmf', () => {
    expect(webrtcSerializer.parse('{"type":"hangup"}')).toEqual({ ok: true, event: { type: 'stop', reason: 'caller hung up' } });
    expect(webrtcSerializer.parse('{"type":"dtmf","digit":"5"}')).toEqual({ ok: true, event: { type: 'dtmf', digit: '5' } });
  });

  it('refuses bad input with a code, never throwing', () => {
    expect(webrtcSerializer.parse('{')).toMatchObject({ ok: false, code: 'CARRIER_BAD_JSON' });
    expect(webrtcSerializer.parse('{"type":"dtmf","digit":"55"}')).toMatchObject({ ok: false, code: 'CARRIER_UNKNOWN_EVENT' });
    expect(webrtcSerializer.parse('x'.repeat(1_000_000))).toMatchObject({ ok: false, code: 'CARRIER_FRAME_TOO_LARGE' });
  });
});
