/**
 * One browser call as a `CarrierConnection`: a werift peer connection negotiated for PCMU/8000.
 * Inbound RTP payloads become the same `audio` events a Twilio stream produces; outbound frames
 * leave paced on the RTP clock (pacer.ts), marks are acknowledged as their frames leave, and
 * `clear` drops what is queued. The call "starts" when ICE and DTLS are up; a peer that hangs up
 * (the console's hang-up), fails ICE or stops sending RTP closes the connection, and the runtime
 * ends and finalises the call as it does when a Twilio socket closes. Never throws into callers.
 */
import type { MediaStreamTrack, RTCPeerConnection, RtpPacket } from 'werift';
import { AppError } from '../../shared/index.js';
import type { CarrierLog } from '../carrier.js';
import { CARRIER_ERROR } from '../errors.js';
import type { CallEvent, CarrierConnection, StartEvent } from '../types.js';
import { FramePacer, rtpClock, type FrameClock } from './pacer.js';
import { PCMU_PAYLOAD_TYPE, WEBRTC, WEBRTC_ERROR, WEBRTC_MEDIA } from './protocol.js';

type Listeners = {
  event: Array<(e: CallEvent) => void>;
  close: Array<(info: { code: number; reason: string }) => void>;
  error: Array<(err: { code: string; message: string }) => void>;
};

/** What werift needs to build RTP packets (passed in: werift is loaded only when a browser calls). */
export interface RtpFactory {
  packet(payload: Buffer, sequenceNumber: number, timestamp: number, marker: boolean): RtpPacket;
}

export interface WebRtcConnectionOptions {
  callSid: string;
  /** The stream parameters the runtime reads (`STREAM_PARAM`: callSid, vertical, version). */
  params: Record<string, string>;
  pc: RTCPeerConnection;
  /** The track whose RTP is sent to the browser. */
  outbound: MediaStreamTrack;
  rtp: RtpFactory;
  connectTimeoutMs: number;
  mediaTimeoutMs: number;
  clock?: FrameClock;
  log?: CarrierLog;
}

/** How often the media watchdog looks at the time of the last RTP packet. */
const WATCHDOG_MS = 500;

export class WebRtcConnection implements CarrierConnection {
  readonly carrier = WEBRTC;
  readonly started: Promise<StartEvent>;
  readonly callSid: string;
  private readonly listeners: Listeners = { event: [], close: [], error: [] };
  private readonly pacer: FramePacer;
  private settleStart: ((e: StartEvent) => void) | null = null;
  private failStart: ((err: AppError) => void) | null = null;
  private isStarted = false;
  private closed = false;
  private lastRtpMs = Date.now();
  private connectTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private seq = Math.floor(Math.random() * 0x10000);
  private readonly ts0 = Math.floor(Math.random() * 0x100000000);
  /** RTP packets received, and those not PCMU (ignored). */
  packetsIn = 0;
  packetsIgnored = 0;

  constructor(private readonly opts: WebRtcConnectionOptions) {
    this.callSid = opts.callSid;
    this.started = new Promise<StartEvent>((resolve, reject) => {
      this.settleStart = resolve;
      this.failStart = reject;
    });
    this.started.catch(() => undefined);
    this.pacer = new FramePacer({
      frame: (payload, index, talkspurtStart) => this.sendRtp(payload, index, talkspurtStart),
      markReached: (name) => this.emit({ type: 'mark', name }),
    }, opts.clock ?? rtpClock, WEBRTC_MEDIA.frameBytes);

    const { pc } = opts;
    pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((packet) => this.onRtp(packet));
    });
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') this.onConnected();
      else if (state === 'failed') this.lose('ICE/DTLS failed');
      else if (state === 'closed') this.close(1000, 'peer closed');
    });
    this.connectTimer = setTimeout(() => this.lose(`not connected within ${opts.connectTimeoutMs} ms`), opts.connectTimeoutMs);
    this.connectTimer.unref();
  }

  /** Frames sent, cleared and refused so far (bench and tests). */
  get stats(): { framesSent: number; framesCleared: number; framesOverflowed: number; packetsIn: number } {
    return { framesSent: this.pacer.framesSent, framesCleared: this.pacer.framesCleared, framesOverflowed: this.pacer.framesOverflowed, packetsIn: this.packetsIn };
  }

  get bufferedAmount(): number {
    return this.pacer.bufferedBytes;
  }

  on(event: 'event', fn: (e: CallEvent) => void): void;
  on(event: 'close', fn: (info: { code: number; reason: string }) => void): void;
  on(event: 'error', fn: (err: { code: string; message: string }) => void): void;
  on(event: keyof Listeners, fn: (arg: never) => void): void {
    (this.listeners[event] as Array<(arg: never) => void>).push(fn);
  }

  sendAudioFrame(payloadBase64: string): void {
    if (this.closed) return;
    this.pacer.enqueueFrame(Buffer.from(payloadBase64, 'base64'));
  }

  sendMark(name: string): void {
    if (this.closed) return;
    this.pacer.enqueueMark(name);
  }

  clear(): void {
    this.pacer.clear();
  }

  /** A control message from the page (hang-up, a key press), already parsed. */
  control(event: CallEvent): void {
    if (this.closed || !this.isStarted) return;
    this.emit(event);
    if (event.type === 'stop') this.close(1000, event.reason ?? 'caller hung up');
  }

  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    this.pacer.stop();
    this.pacer.clear();
    if (this.connectTimer) clearTimeout(this.connectTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    const fail = this.failStart;
    this.settleStart = this.failStart = null;
    fail?.(new AppError(CARRIER_ERROR.closedBeforeStart, `browser call closed before it connected (${reason || code})`));
    this.opts.pc.close().catch((err: unknown) => this.opts.log?.debug('peer close failed', { err: String(err) }));
    for (const fn of this.listeners.close) this.safely(() => fn({ code, reason }));
  }

  private onConnected(): void {
    if (this.isStarted || this.closed) return;
    this.isStarted = true;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.lastRtpMs = Date.now();
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastRtpMs > this.opts.mediaTimeoutMs) this.lose(`no RTP for ${this.opts.mediaTimeoutMs} ms`);
    }, WATCHDOG_MS);
    this.watchdog.unref();
    this.pacer.start();
    const settle = this.settleStart;
    this.settleStart = this.failStart = null;
    settle?.({
      type: 'start',
      streamSid: `WS${this.callSid}`,
      callSid: this.callSid,
      tracks: ['inbound'],
      mediaFormat: { encoding: WEBRTC_MEDIA.encoding, sampleRateHz: WEBRTC_MEDIA.sampleRateHz, channels: 1 },
      customParameters: { ...this.opts.params },
    });
  }

  /** The peer is gone (ICE failed, never connected, or went silent): the call ends. */
  private lose(why: string): void {
    if (this.closed) return;
    this.opts.log?.info('browser peer lost', { callSid: this.callSid, why });
    for (const fn of this.listeners.error) this.safely(() => fn({ code: WEBRTC_ERROR.peerLost, message: why }));
    this.close(1001, 'peer lost');
  }

  private onRtp(packet: RtpPacket): void {
    if (this.closed) return;
    this.lastRtpMs = Date.now();
    this.packetsIn++;
    if (!this.isStarted) return;
    if (packet.header.payloadType !== PCMU_PAYLOAD_TYPE || packet.payload.length === 0) {
      this.packetsIgnored++;
      return;
    }
    this.emit({ type: 'audio', payloadBase64: packet.payload.toString('base64'), seq: packet.header.sequenceNumber, timestampMs: packet.header.timestamp / 8 });
  }

  private sendRtp(payload: Buffer, frameIndex: number, talkspurtStart: boolean): void {
    if (this.closed) return;
    this.seq = (this.seq + 1) & 0xffff;
    const timestamp = (this.ts0 + frameIndex * WEBRTC_MEDIA.frameBytes) >>> 0;
    try {
      this.opts.outbound.writeRtp(this.opts.rtp.packet(payload, this.seq, timestamp, talkspurtStart));
    } catch (err) {
      this.opts.log?.debug('RTP send failed', { callSid: this.callSid, err: String(err) });
    }
  }

  private emit(event: CallEvent): void {
    for (const fn of this.listeners.event) this.safely(() => fn(event));
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.log?.warn('browser call listener threw', { err: String(err) });
    }
  }
}
