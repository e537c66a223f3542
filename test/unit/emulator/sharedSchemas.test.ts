import { startEmulator, type RunningEmulator } from '../../../src/engines/emulator/index.js';
import { SERVER_EVENT_SCHEMAS, classifyServerEvent } from '../../../src/engines/openai-realtime/events.js';
import { pcm16Bytes } from '../../../src/audio/index.js';
import { RawClient, appendAudio, concatPcm, tonePcm16 } from './rawClient.js';

const silence = (ms: number, rateHz: number): Int16Array => new Int16Array(Math.round((ms * rateHz) / 1000));

describe('the emulator and the runtime read the same event schemas', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ speech: { engine: 'synthetic' }, pacing: { speed: Infinity } });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('sends every shared event in a shape the runtime parses as known', async () => {
    const c = await RawClient.connect(emulator.url);
    try {
      c.send({ type: 'session.update', session: { audio: { input: { transcription: { model: 'gpt-4o-mini-transcribe' }, turn_detection: { type: 'server_vad', silence_duration_ms: 500, interrupt_response: true } } } } });
      await c.waitFor('session.updated');
      const audio = concatPcm([silence(1000, 24_000), tonePcm16(800, 24_000), silence(1000, 24_000)]);
      appendAudio(c, pcm16Bytes(audio), 960);
      await c.waitFor('response.done');
      c.send({ type: 'response.create', response: { instructions: 'Say: fine' } });
      c.send({ type: 'error.please' });
      await c.waitFor('error');
      const shared = c.events.filter((e) => e.type in SERVER_EVENT_SCHEMAS);
      expect(new Set(shared.map((e) => e.type))).toEqual(new Set(Object.keys(SERVER_EVENT_SCHEMAS)));
      for (const e of shared) expect({ type: e.type, known: classifyServerEvent(e)?.known }).toEqual({ type: e.type, known: true });
    } finally {
      await c.close();
    }
  });
});
