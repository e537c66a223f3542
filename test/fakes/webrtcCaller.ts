/**
 * A WebRTC caller in Node (werift), for tests and the benchmark: offers PCMU only (or what it is
 * told), gathers loopback candidates, sends 20 ms μ-law frames as RTP and records what the
 * gateway sends back (sequence numbers, timestamps, arrival times).
 */
import type { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { gathered, keepLoopbackCandidates, loadWerift, pcmuPeerConfig } from '../../src/telephony/index.js';

export interface ReceivedPacket {
  seq: number;
  timestamp: number;
  marker: boolean;
  atMs: number;
  payload: Buffer;
}

export interface WebRtcCaller {
  pc: RTCPeerConnection;
  offerSdp: string;
  received: ReceivedPacket[];
  accept(answerSdp: string): Promise<void>;
  connected(): Promise<void>;
  /** One RTP packet of μ-law (any size; 160 bytes is 20 ms). */
  sendFrame(payload: Buffer): void;
  /** Sends a 20 ms frame of silence every 20 ms, as a browser's open microphone does, until stopped. */
  streamSilence(): () => void;
  close(): Promise<void>;
}

export async function createWebRtcCaller(options: { codecs?: RTCRtpCodecParameters[] } = {}): Promise<WebRtcCaller> {
  const w = await loadWerift();
  const config = pcmuPeerConfig(w, { loopbackOnly: true });
  const pc = new w.RTCPeerConnection(options.codecs ? { ...config, codecs: { audio: options.codecs, video: [] } } : config);
  const track: MediaStreamTrack = new w.MediaStreamTrack({ kind: 'audio' });
  const transceiver = pc.addTransceiver(track, { direction: 'sendrecv' });
  const received: ReceivedPacket[] = [];
  transceiver.onTrack.subscribe((t) => t.onReceiveRtp.subscribe((p) => {
    received.push({ seq: p.header.sequenceNumber, timestamp: p.header.timestamp, marker: p.header.marker, atMs: performance.now(), payload: p.payload });
  }));
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  let seq = 0;
  let ts = 0;
  let mic: NodeJS.Timeout | undefined;
  const sendFrame = (payload: Buffer): void => {
    track.writeRtp(new w.RtpPacket(new w.RtpHeader({ payloadType: 0, sequenceNumber: seq++ & 0xffff, timestamp: ts >>> 0, marker: seq === 1 }), payload));
    ts += payload.length;
  };
  const stopMic = (): void => {
    if (mic) clearInterval(mic);
    mic = undefined;
  };
  return {
    pc,
    offerSdp: keepLoopbackCandidates(pc.localDescription!.sdp),
    received,
    accept: (sdp) => pc.setRemoteDescription({ type: 'answer', sdp }),
    connected: () => new Promise<void>((resolve, reject) => {
      if (pc.connectionState === 'connected') return resolve();
      pc.connectionStateChange.subscribe((s) => {
        if (s === 'connected') resolve();
        if (s === 'failed' || s === 'closed') reject(new Error(`caller peer ${s}`));
      });
    }),
    sendFrame,
    streamSilence() {
      stopMic();
      mic = setInterval(() => sendFrame(Buffer.alloc(160, 0xff)), 20);
      return stopMic;
    },
    close: () => {
      stopMic();
      return pc.close();
    },
  };
}
