import { loadConfig } from '../../../src/config/index.js';
import { callSessionConfig, openaiEndpoint, realtimeUrlWithModel } from '../../../src/engines/openai-realtime/config.js';
import { createEngineSelector, emulatorUrlFor, engineKindFor } from '../../../src/engines/select.js';
import { manifestSchema } from '../../../src/manifest/schema.js';
import { sessionTemplate } from '../../../src/orchestration/index.js';

const manifest = manifestSchema.parse({
  id: 'demo', name: 'Demo', greeting: 'Hi', entryAgent: 'A',
  languages: { default: 'en-US', supported: [{ code: 'en-US', voice: 'alloy' }] },
  agents: [{ name: 'A', description: 'a', instructions: 'x' }],
  turnDetection: { type: 'server_vad', interruptResponse: false },
});

describe('engines', () => {
  it('uses OpenAI when a key is set (auto), the emulator otherwise, or what the config forces', () => {
    expect(engineKindFor(loadConfig({ env: {} }))).toBe('emulator');
    expect(engineKindFor(loadConfig({ env: { OPENAI_API_KEY: 'sk-test' } }))).toBe('openai');
    expect(engineKindFor(loadConfig({ env: { OPENAI_API_KEY: 'sk-test', SWITCHBOARD_ENGINE: 'emulator' } }))).toBe('emulator');
  });

  it('points the openai engine at OPENAI_REALTIME_URL with the model, μ-law by default', () => {
    const config = loadConfig({ env: { OPENAI_API_KEY: 'sk-test', OPENAI_REALTIME_URL: 'ws://127.0.0.1:9/v1/realtime' } });
    expect(openaiEndpoint(config, manifest)).toEqual({
      kind: 'openai', url: 'ws://127.0.0.1:9/v1/realtime?model=gpt-realtime', apiKey: 'sk-test', model: 'gpt-realtime', audio: 'pcmu',
    });
    expect(realtimeUrlWithModel('wss://x/v1/realtime?model=m1', 'm2')).toBe('wss://x/v1/realtime?model=m1');
  });

  it('configures audio formats explicitly both ways and carries the manifest turn detection', () => {
    const cfg = callSessionConfig(sessionTemplate(manifest), 'pcmu', 'alloy');
    expect(cfg.audio?.input?.format).toEqual({ type: 'audio/pcmu' });
    expect(cfg.audio?.output?.format).toEqual({ type: 'audio/pcmu' });
    expect(cfg.audio?.output?.voice).toBe('alloy');
    expect(cfg.audio?.input?.turnDetection).toMatchObject({ type: 'server_vad', interruptResponse: false, createResponse: true });
    expect(cfg.audio?.input?.transcription).toEqual({ model: 'gpt-4o-mini-transcribe', language: 'en' });
    expect(callSessionConfig(sessionTemplate(manifest), 'pcm24k', undefined).audio?.output?.format).toEqual({ type: 'audio/pcm', rate: 24000 });
  });

  it('passes a call scenario to the emulator as ?scenario=', async () => {
    expect(emulatorUrlFor('ws://127.0.0.1:1/v1/realtime', 'salon/booking')).toBe('ws://127.0.0.1:1/v1/realtime?scenario=salon%2Fbooking');
    let started = 0;
    const selector = createEngineSelector({
      config: loadConfig({ env: {} }),
      startEmulator: async ({ brain }) => {
        started++;
        expect(brain).toBe('rules');
        return { url: 'ws://127.0.0.1:2/v1/realtime', close: async () => undefined };
      },
    });
    const a = await selector.select({ manifest, scenario: 'demo/one' });
    const b = await selector.select({ manifest });
    expect(a).toMatchObject({ kind: 'emulator', endpoint: 'ws://127.0.0.1:2/v1/realtime?scenario=demo%2Fone', audio: 'pcmu' });
    expect(b.endpoint).toBe('ws://127.0.0.1:2/v1/realtime');
    expect(started).toBe(1);
    await selector.close();
  });
});
