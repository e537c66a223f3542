/**
 * Canned lines in the agent's voice: each vertical's fixed lines rendered ahead of time by its
 * provider (OpenAI text to speech against the local fake of the HTTP API; ElevenLabs against the
 * emulator's TTS peer; espeak-ng offline), μ-law 8 kHz, cached on disk so a restart or reload
 * renders only what changed; no voice at all means nothing is played, not noise. In a call, the
 * transfer line is spoken by this path before the transfer, not by Twilio's <Say>.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCatalog, type Catalog } from '../../src/catalog/index.js';
import { ulawDecode } from '../../src/audio/index.js';
import { espeakAvailable, startEmulator } from '../../src/engines/index.js';
import { CannedLines, cannedLinesOf } from '../../src/realtime/cannedLines.js';
import { createRegistry } from '../../src/toolkit/index.js';
import { commonTools } from '../../tools/common/index.js';
import { FAKE_SPEECH_MS_PER_CHAR, fakeVoiceHz, startFakeOpenAiApi, type FakeOpenAiApi } from '../fakes/openaiApi.js';
import { eventually, HUMAN_NUMBER, rtManifest, rtScenario, startHarness, testTools, RT_NUMBER } from './realtimeHarness.js';
import { TwilioCaller } from './twilioCaller.js';

function compile(dir: string, id: string, yaml: string): Catalog {
  mkdirSync(join(dir, 'verticals', id), { recursive: true });
  mkdirSync(join(dir, 'agents'), { recursive: true });
  writeFileSync(join(dir, 'verticals', id, 'vertical.yaml'), yaml);
  return createCatalog({ verticalsDir: join(dir, 'verticals'), agentsDir: join(dir, 'agents'), registry: createRegistry([...testTools, ...commonTools]), cwd: dir });
}

/** Dominant pitch of μ-law audio, from its zero crossings. */
function pitchHz(ulaw: Uint8Array): number {
  const pcm = ulawDecode(ulaw);
  let crossings = 0;
  for (let i = 1; i < pcm.length; i++) if ((pcm[i - 1]! < 0) !== (pcm[i]! < 0)) crossings++;
  return crossings / 2 / (pcm.length / 8000);
}

describe('canned lines rendered with OpenAI text to speech', () => {
  let api: FakeOpenAiApi;
  let dir: string;
  beforeAll(async () => {
    api = await startFakeOpenAiApi();
    dir = mkdtempSync(join(tmpdir(), 'switchboard-canned-'));
  });
  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders every fixed line in the vertical voice, μ-law 8 kHz, and a restart or reload renders only what changed', async () => {
    const catalog = compile(dir, 'rt', rtManifest());
    const vertical = catalog.get('rt')!;
    const texts = cannedLinesOf(vertical.manifest);
    expect(texts).toEqual(expect.arrayContaining(['One moment please.', 'Please hold while I connect you.', 'Are you still there?', 'Thank you for calling. Goodbye.']));
    const openai = { baseUrl: api.baseUrl, apiKey: 'sk-test' };
    const lines = new CannedLines({ dataDir: dir, openai, espeak: false });
    const first = await lines.prepare(catalog.list());
    expect(first).toMatchObject({ rendered: texts.length, fromDisk: 0, failed: 0, voices: { rt: 'openai' } });
    const speech = api.requests.filter((r) => r.path === '/v1/audio/speech');
    expect(speech).toHaveLength(texts.length);
    for (const r of speech) {
      expect(r.problems).toEqual([]);
      expect(r.body).toMatchObject({ voice: 'alloy', model: 'gpt-4o-mini-tts', response_format: 'pcm' });
    }
    expect(speech.map((r) => r.body.input).sort()).toEqual([...texts].sort());

    const clip = (await lines.clip('rt', 'One moment please.'))!;
    // 8 kHz: one byte per 125 µs, the fake's 40 ms per character; the voice's own pitch.
    const expectedBytes = ('One moment please.'.length * FAKE_SPEECH_MS_PER_CHAR * 8000) / 1000;
    expect(Math.abs(clip.length - expectedBytes)).toBeLessThanOrEqual(16);
    expect(Math.abs(pitchHz(clip) - fakeVoiceHz('alloy'))).toBeLessThan(fakeVoiceHz('alloy') * 0.03);
    expect(readdirSync(join(dir, 'canned-lines')).filter((f) => f.endsWith('.ulaw'))).toHaveLength(texts.length);

    // A restart: everything comes from disk, nothing is asked of the API.
    const restarted = new CannedLines({ dataDir: dir, openai, espeak: false });
    expect(await restarted.prepare(catalog.list())).toMatchObject({ rendered: 0, fromDisk: texts.length, failed: 0 });
    expect(api.requests.filter((r) => r.path === '/v1/audio/speech')).toHaveLength(texts.length);
    expect(await restarted.clip('rt', 'One moment please.')).toEqual(clip);

    // A reload that changes one line renders that line only, in the same process.
    writeFileSync(join(dir, 'verticals', 'rt', 'vertical.yaml'), rtManifest({ limits: 'limits: { goodbye: Goodbye from the test line. }' }));
    expect((await catalog.reload()).ok).toBe(true);
    expect(await restarted.prepare(catalog.list())).toMatchObject({ rendered: 1, fromMemory: texts.length - 1, failed: 0 });
    expect(api.requests.filter((r) => r.path === '/v1/audio/speech').at(-1)?.body.input).toBe('Goodbye from the test line.');
  });
});

describe('canned lines of a cascade vertical', () => {
  it('are rendered by ElevenLabs (the emulator TTS peer) in the vertical voice, μ-law 8 kHz', async () => {
    const emulator = await startEmulator({ pacing: { speed: 50 } });
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-canned-'));
    try {
      const yaml = rtManifest() + 'engine: { type: cascade, cascade: { tts: { provider: elevenlabs, voiceId: 21m00Tcm4TlvDq8ikWAM } } }\n';
      const catalog = compile(dir, 'rt', yaml);
      expect(catalog.problems.filter((p) => p.severity === 'error')).toEqual([]);
      const lines = new CannedLines({ dataDir: dir, elevenlabs: { baseUrl: emulator.baseUrl, apiKey: 'xi-test' }, espeak: false });
      const report = await lines.prepare(catalog.list());
      expect(report).toMatchObject({ failed: 0, voices: { rt: 'elevenlabs' } });
      expect(report.rendered).toBe(cannedLinesOf(catalog.get('rt')!.manifest).length);
      const clip = (await lines.clip('rt', 'One moment please.'))!;
      // Speech-length audio at 8 kHz (the peer speaks with the local voice): between 0.3 and 5 seconds.
      expect(clip.length).toBeGreaterThan(0.3 * 8000);
      expect(clip.length).toBeLessThan(5 * 8000);
    } finally {
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('canned lines offline', () => {
  it('are spoken by espeak-ng without any key, and not played at all without a voice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-canned-'));
    try {
      const catalog = compile(dir, 'rt', rtManifest());
      const none = new CannedLines({ espeak: false });
      expect((await none.prepare(catalog.list())).voices).toEqual({ rt: 'none' });
      expect(await none.clip('rt', 'One moment please.')).toBeUndefined();
      if (!(await espeakAvailable())) {
        process.stdout.write('canned lines offline: espeak-ng is not installed; the espeak part did not run\n');
        return;
      }
      const local = new CannedLines({ dataDir: dir });
      const report = await local.prepare(catalog.list());
      expect(report).toMatchObject({ failed: 0, voices: { rt: 'espeak' } });
      expect((await local.clip('rt', 'One moment please.'))!.length).toBeGreaterThan(0.3 * 8000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the transfer line in a call', () => {
  it('is spoken in the vertical voice before the transfer, and the transfer carries no <Say>', async () => {
    if (!(await espeakAvailable())) {
      process.stdout.write('transfer line: espeak-ng is not installed (the harness has no provider key); this test did not run\n');
      return;
    }
    const h = await startHarness({
      scenarios: [rtScenario('transfer', `
opening:
  - say: Hello, thanks for calling the test line.
turns:
  - caller: Can I talk to a person?
    agent:
      - call: { tool: transfer_to_human, args: { reason: asked for a person, announce: Connecting you to our team now. } }
`)],
    });
    try {
      const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/transfer', speed: 4 });
      await caller.waitFor(() => caller.media().length > 20, 'greeting');
      await caller.waitPlayed();
      const heard = caller.media().length;
      await caller.say('Can I talk to a person?');
      const transfer = await h.twilio.waitFor((r) => r.kind === 'call_update' && r.callSid === caller.callSid, 20_000);
      expect(transfer.form.Twiml).toContain(HUMAN_NUMBER);
      expect(transfer.form.Twiml).not.toContain('<Say');
      // The line went out as audio on the stream before the transfer was asked for.
      expect(caller.media().length - heard).toBeGreaterThan(20);
      const row = await eventually(async () => {
        const r = await h.store.calls.getBySid(caller.callSid);
        return r?.endedAt ? r : undefined;
      }, 'finalised call row');
      expect(row.endReason).toBe('transferred');
      const system = (await h.store.transcripts.list(row.id)).filter((t) => t.role === 'system').map((t) => t.text);
      expect(system).toContain('Connecting you to our team now.');
      await caller.close();
    } finally {
      await h.close();
    }
  }, 60_000);
});
