import { EnergyVad, PCM24K, PCMU8K, ulawEncode, pcm16Bytes, type VadEvent, vadThresholdToRms, ULAW_SILENCE } from '../../../src/audio/index.js';

function tone(ms: number, rateHz: number, amplitude = 8000): Int16Array {
  const n = Math.round((ms * rateHz) / 1000);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * 220 * i) / rateHz));
  return out;
}
const silence = (ms: number, rateHz: number): Int16Array => new Int16Array(Math.round((ms * rateHz) / 1000));

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Feeds bytes in uneven chunks, the way a socket delivers them. */
function feed(vad: EnergyVad, bytes: Uint8Array, chunk = 333): VadEvent[] {
  const events: VadEvent[] = [];
  for (let i = 0; i < bytes.length; i += chunk) vad.push(bytes.subarray(i, i + chunk), (e) => events.push(e));
  return events;
}

describe('EnergyVad', () => {
  const opts = { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500 };

  it('reports speech start and stop on the sample clock for 24 kHz PCM', () => {
    const vad = new EnergyVad(PCM24K, opts);
    const audio = concat([silence(1000, 24_000), tone(800, 24_000), silence(1000, 24_000)]);
    const events = feed(vad, pcm16Bytes(audio));
    expect(events).toEqual([
      { type: 'speech_started', audioStartMs: 700, onsetMs: 1000 },
      { type: 'speech_stopped', audioEndMs: 2300, lastSpeechMs: 1800 },
    ]);
    expect(vad.positionMs).toBe(2800);
  });

  it('does the same for μ-law at 8 kHz', () => {
    const vad = new EnergyVad(PCMU8K, { ...opts, prefixPaddingMs: 200, silenceDurationMs: 300 });
    const audio = ulawEncode(concat([silence(500, 8000), tone(600, 8000), silence(400, 8000)]));
    expect(feed(vad, audio, 160)).toEqual([
      { type: 'speech_started', audioStartMs: 300, onsetMs: 500 },
      { type: 'speech_stopped', audioEndMs: 1400, lastSpeechMs: 1100 },
    ]);
  });

  it('ignores audio below the threshold and a short click', () => {
    const vad = new EnergyVad(PCMU8K, opts);
    const quiet = tone(500, 8000, Math.round(vadThresholdToRms(0.5) * 32768 * 0.5));
    const click = tone(10, 8000, 20000);
    const events = feed(vad, ulawEncode(concat([quiet, silence(100, 8000), click, silence(800, 8000)])));
    expect(events).toEqual([]);
    expect(new Uint8Array([ULAW_SILENCE])[0]).toBe(0xff);
  });

  it('never starts a segment before the point where the last one ended', () => {
    const vad = new EnergyVad(PCM24K, { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 200 });
    const audio = concat([tone(300, 24_000), silence(250, 24_000), tone(300, 24_000), silence(300, 24_000)]);
    const events = feed(vad, pcm16Bytes(audio));
    expect(events.map((e) => e.type)).toEqual(['speech_started', 'speech_stopped', 'speech_started', 'speech_stopped']);
    const secondStart = events[2] as Extract<VadEvent, { type: 'speech_started' }>;
    expect(secondStart.onsetMs).toBe(550);
    expect(secondStart.audioStartMs).toBe(500);
  });

  it('keeps its clock across a format change', () => {
    const vad = new EnergyVad(PCM24K, opts);
    feed(vad, pcm16Bytes(silence(400, 24_000)));
    vad.setFormat(PCMU8K);
    const events = feed(vad, ulawEncode(concat([tone(300, 8000), silence(600, 8000)])));
    expect(events[0]).toEqual({ type: 'speech_started', audioStartMs: 100, onsetMs: 400 });
  });
});
