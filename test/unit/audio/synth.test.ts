import { SpeechSynthesizer, synthesizeSpeechShape, speechShapeLength, PCM24K, PCMU8K, EnergyVad, parseWav, type VadEvent } from '../../../src/audio/index.js';

describe('speech synthesis', () => {
  it('makes a deterministic speech-shaped signal whose length follows the text', () => {
    const a = synthesizeSpeechShape('Hello there', 24_000);
    const b = synthesizeSpeechShape('Hello there', 24_000);
    expect(a).toEqual(b);
    expect(a.length).toBe(speechShapeLength('Hello there', 24_000));
    expect(a.length).toBe(Math.round(11 * 0.06 * 24_000));
    expect(synthesizeSpeechShape('Hello there, how are you today?', 24_000).length).toBeGreaterThan(a.length);
  });

  it('is heard as one continuous speech segment by the energy VAD', () => {
    const speech = synthesizeSpeechShape('I would like to book a haircut on Friday afternoon, please.', 24_000);
    const padded = new Int16Array(speech.length + 24_000);
    padded.set(speech, 4800);
    const vad = new EnergyVad(PCM24K, { threshold: 0.5, prefixPaddingMs: 0, silenceDurationMs: 200 });
    const events: VadEvent[] = [];
    vad.push(new Uint8Array(padded.buffer), (e) => events.push(e));
    expect(events.map((e) => e.type)).toEqual(['speech_started', 'speech_stopped']);
    expect(events[0]).toMatchObject({ onsetMs: 200 });
  });

  it('serves 24 kHz PCM and 8 kHz μ-law clips of the same length, cached', async () => {
    const synth = new SpeechSynthesizer({ engine: 'synthetic' });
    const pcm = await synth.clip('Thanks for calling.', PCM24K);
    const ulaw = await synth.clip('Thanks for calling.', PCMU8K);
    expect(pcm.engine).toBe('synthetic');
    expect(pcm.bytes.length).toBe(2 * speechShapeLength('Thanks for calling.', 24_000));
    expect(ulaw.bytes.length * 3 * 2).toBe(pcm.bytes.length);
    expect(ulaw.durationMs).toBeCloseTo(pcm.durationMs, 6);
    expect(await synth.clip('  Thanks  for calling. ', PCM24K)).toBe(pcm);
  });

  it('reads a WAV stream with a placeholder data size', () => {
    const header = Buffer.alloc(44);
    header.write('RIFF', 0, 'ascii');
    header.write('WAVE', 8, 'ascii');
    header.write('fmt ', 12, 'ascii');
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(22_050, 24);
    header.write('data', 36, 'ascii');
    header.writeUInt32LE(0xffffffff, 40);
    const body = Buffer.alloc(6);
    body.writeInt16LE(5, 0);
    body.writeInt16LE(-7, 2);
    body.writeInt16LE(9, 4);
    const wav = parseWav(Buffer.concat([header, body]));
    expect(wav.rateHz).toBe(22_050);
    expect(Array.from(wav.samples)).toEqual([5, -7, 9]);
  });
});

describe('speech synthesis with engine "auto"', () => {
  it('uses espeak-ng when it is installed, else the synthetic voice, and either is heard as speech', async () => {
    const { espeakAvailable } = await import('../../../src/audio/index.js');
    const available = await espeakAvailable();
    const synth = new SpeechSynthesizer({ engine: 'auto' });
    const clip = await synth.clip('Thanks for calling Luna Hair Studio.', PCMU8K);
    expect(clip.engine).toBe(available ? 'espeak' : 'synthetic');
    expect(clip.durationMs).toBeGreaterThan(1000);
    expect(clip.bytes.length).toBe(Math.round((clip.durationMs * 8000) / 1000));
    const vad = new EnergyVad(PCMU8K, { threshold: 0.5, prefixPaddingMs: 0, silenceDurationMs: 500 });
    const events: VadEvent[] = [];
    vad.push(clip.bytes, (e) => events.push(e));
    vad.push(new Uint8Array(8000).fill(0xff), (e) => events.push(e));
    expect(events.map((e) => e.type)).toEqual(['speech_started', 'speech_stopped']);
  });
});

describe('espeakVoiceFor', () => {
  it('maps BCP-47 tags onto espeak-ng voices', async () => {
    const { espeakVoiceFor } = await import('../../../src/audio/index.js');
    expect(espeakVoiceFor('es-US')).toBe('es-419');
    expect(espeakVoiceFor('es-ES')).toBe('es');
    expect(espeakVoiceFor('zh-CN')).toBe('cmn');
    expect(espeakVoiceFor('en-GB')).toBe('en-gb');
    expect(espeakVoiceFor('de-DE')).toBe('de');
    expect(espeakVoiceFor('vi')).toBe('vi');
  });
});
