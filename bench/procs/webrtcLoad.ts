/**
 * Benchmark child: N browser-like callers in Node (werift peers on loopback). Each signals through
 * the console, then sends a 20 ms μ-law frame on every tick of one drift-free clock and records
 * the gateway's RTP: packets received, sequence gaps (frames lost on the way) and how far
 * arrivals stray from the 20 ms grid (jitter).
 */
import { httpSend } from '../../src/telephony/http.js';
import { IntervalClock } from '../../src/telephony/index.js';
import { createWebRtcCaller, type WebRtcCaller } from '../../test/fakes/webrtcCaller.js';
import { serveParent } from '../lib/ipc.js';

interface Call { caller: WebRtcCaller; callSid: string; sent: number }
const calls: Call[] = [];
let failed = 0;
let baseUrl = '';
const clock = new IntervalClock(20);
const silence = Buffer.alloc(160, 0xff);
const tick = () => {
  for (const c of calls) {
    c.caller.sendFrame(silence);
    c.sent++;
  }
};

async function place(vertical: string): Promise<void> {
  try {
    const caller = await createWebRtcCaller();
    const res = await httpSend({ method: 'POST', url: `${baseUrl}/console/api/calls`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vertical, sdp: caller.offerSdp }) });
    if (res.status !== 201) throw new Error(`signalling ${res.status}`);
    const answer = JSON.parse(res.text) as { callSid: string; sdp: string };
    await caller.accept(answer.sdp);
    await caller.connected();
    calls.push({ caller, callSid: answer.callSid, sent: 0 });
  } catch {
    failed++;
  }
}

function counters() {
  let received = 0;
  let gaps = 0;
  const jitter: number[] = [];
  for (const c of calls) {
    const r = c.caller.received;
    received += r.length;
    for (let i = 1; i < r.length; i++) {
      const step = (r[i]!.seq - r[i - 1]!.seq + 0x10000) % 0x10000;
      if (step > 1 && step < 0x8000) gaps += step - 1;
      // Within a talkspurt, arrival spacing against the 20 ms grid.
      if (step === 1 && !r[i]!.marker) jitter.push(Math.abs(r[i]!.atMs - r[i - 1]!.atMs - 20));
    }
  }
  jitter.sort((a, b) => a - b);
  const at = (q: number) => (jitter.length ? jitter[Math.min(jitter.length - 1, Math.floor(q * jitter.length))]! : NaN);
  return { callsConnected: calls.length, callsFailed: failed, framesSent: calls.reduce((n, c) => n + c.sent, 0), framesReceived: received, seqGaps: gaps, jitterP50Ms: at(0.5), jitterP99Ms: at(0.99) };
}

const parent = serveParent({
  start: async (args: { baseUrl: string; calls: number; rampMs: number; vertical: string }) => {
    baseUrl = args.baseUrl;
    clock.add(tick);
    const gapMs = args.rampMs / Math.max(1, args.calls);
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < args.calls; i++) {
      pending.push(place(args.vertical));
      await new Promise((r) => setTimeout(r, gapMs));
    }
    await Promise.all(pending);
    return counters();
  },
  cpu: () => process.cpuUsage(),
  /** Stops sending, lets the last packets land, and reports. */
  quiesce: async () => {
    clock.remove(tick);
    await new Promise((r) => setTimeout(r, 1000));
    return counters();
  },
  hangUp: async () => {
    await Promise.all(calls.map((c) => httpSend({ method: 'DELETE', url: `${baseUrl}/console/api/calls/${c.callSid}` }).catch(() => undefined)));
    await Promise.all(calls.map((c) => c.caller.close().catch(() => undefined)));
    return true;
  },
});
parent.emit('ready');
