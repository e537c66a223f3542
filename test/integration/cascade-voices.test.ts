/**
 * The start-up voice check against the emulator's ElevenLabs peer (`GET /v1/voices`, the
 * service's auth and shapes): an id the account does not have is reported with where the
 * manifest names it; a wrong key fails the check instead of passing it.
 */
import { startEmulator, type RunningEmulator } from '../../src/engines/emulator/index.js';
import { unknownVoices } from '../../src/engines/index.js';
import { manifestSchema } from '../../src/manifest/index.js';

const manifest = (id: string, engine: Record<string, unknown>, esVoice?: string) => manifestSchema.parse({
  id, name: id, greeting: 'Hi', entryAgent: 'A',
  languages: {
    default: 'en-US',
    supported: [{ code: 'en-US', voice: 'alloy' }, {
      code: 'es-US', voice: 'alloy', ...(esVoice ? { tts: { voiceId: esVoice } } : {}),
      lines: { greeting: 'Hola', silencePrompt: '¿Sigue ahí?', goodbye: 'Adiós', fallback: 'Un momento.', unavailable: 'Lo siento.' },
    }],
  },
  agents: [{ name: 'A', description: 'a', instructions: 'a' }],
  engine,
});

describe('cascade voices checked against the account at start-up', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ apiKey: 'xi-test', ttsVoices: ['21m00Tcm4TlvDq8ikWAM', 'EXAVITQu4vr4xnSDxMaL'] });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  const base = () => emulator.baseUrl;

  it('reports the ids the account does not have, with where each is named', async () => {
    const good = manifest('good', { type: 'cascade', cascade: { tts: { provider: 'elevenlabs', voiceId: '21m00Tcm4TlvDq8ikWAM' } } }, 'EXAVITQu4vr4xnSDxMaL');
    const bad = manifest('bad', { type: 'cascade', cascade: { tts: { provider: 'elevenlabs', voiceId: '21m00Tcm4TlvDq8ikWAM' } } }, 'NoSuchVoice123');
    const realtime = manifest('rt', { type: 'realtime', cascade: { tts: { provider: 'elevenlabs', voiceId: 'Unused' } } });
    expect(await unknownVoices(base(), 'xi-test', [good, bad, realtime])).toEqual([
      { vertical: 'bad', where: 'languages.supported[1].tts.voiceId', voiceId: 'NoSuchVoice123' },
    ]);
  });

  it('fails (rather than passing everything) when the key is refused', async () => {
    const one = manifest('one', { type: 'cascade', cascade: { tts: { provider: 'elevenlabs', voiceId: 'x1' } } });
    await expect(unknownVoices(base(), 'wrong-key', [one])).rejects.toThrow('HTTP 401');
  });
});
