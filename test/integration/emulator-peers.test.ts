/**
 * The cascade engine's offline peers over real sockets, driven by the real clients: the Agents
 * SDK text runner (streaming, handoffs and a tool round trip) over `OpenAIResponsesModel` and the
 * `openai` client, a Realtime transcription session fed speech, and the ElevenLabs-compatible
 * TTS WebSocket speaking μ-law with alignment.
 */
import OpenAI from 'openai';
import WebSocket from 'ws';
import { Agent, run, tool, setTracingDisabled } from '@openai/agents';
import { OpenAIResponsesModel } from '@openai/agents-openai';
import { z } from 'zod';
import { startEmulator, type RunningEmulator } from '../../src/engines/emulator/index.js';
import { parseScenario } from '../../src/scenarios/index.js';
import { PCMU8K, SpeechSynthesizer } from '../../src/audio/index.js';
import { TRANSCRIPTION_EVENT_SCHEMAS, classifyTranscriptionEvent } from '../../src/engines/openai-realtime/index.js';

setTracingDisabled(true);

const scenario = parseScenario(`
opening:
  - say: Thanks for calling Fieldline. What can I help you with?
turns:
  - caller: I'd like a price for twelve seats.
    agent:
      - say: Let me get you to pricing.
        handoff: Pricing and Quotes
      - say: Checking the price.
        call: { tool: quote_price, args: { seats: 12 } }
      - say: Twelve seats come to four hundred and eighty dollars a month.
  - caller: Thanks, bye.
    agent:
      - say: Thanks for calling. Goodbye!
`, { vertical: 'sales', name: 'peer-quote' });

describe('offline peers for the cascade engine', () => {
  let emulator: RunningEmulator;
  const synth = new SpeechSynthesizer({ engine: 'synthetic' });
  beforeAll(async () => {
    emulator = await startEmulator({ scenarios: [scenario], speech: synth, pacing: { speed: Infinity } });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('plays a scenario through the Agents SDK runner: streamed text, a handoff and a tool call', async () => {
    const client = new OpenAI({ baseURL: `${emulator.baseUrl}/v1`, apiKey: 'test-key', defaultHeaders: { 'x-switchboard-scenario': 'sales/peer-quote' } });
    const quoted: unknown[] = [];
    const quotePrice = tool({
      name: 'quote_price', description: 'Price for a number of seats', parameters: z.object({ seats: z.number() }),
      execute: async (args) => {
        quoted.push(args);
        return { monthlyUsd: 480 };
      },
    });
    const pricing = new Agent({ name: 'Pricing and Quotes', instructions: 'Quote prices.', tools: [quotePrice], model: new OpenAIResponsesModel(client, 'gpt-4.1') });
    const router = new Agent({ name: 'Sales Router', instructions: 'Route callers.', handoffs: [pricing], model: new OpenAIResponsesModel(client, 'gpt-4.1-mini') });

    const greeting = await run(router, []);
    expect(greeting.finalOutput).toBe('Thanks for calling Fieldline. What can I help you with?');

    const history = [...greeting.history, { role: 'user' as const, content: "I'd like a price for twelve seats." }];
    const streamed = await run(router, history, { stream: true });
    let text = '';
    for await (const event of streamed.toTextStream()) text += event;
    await streamed.completed;
    expect(streamed.lastAgent?.name).toBe('Pricing and Quotes');
    expect(quoted).toEqual([{ seats: 12 }]);
    expect(streamed.finalOutput).toBe('Twelve seats come to four hundred and eighty dollars a month.');
    expect(text).toContain('Twelve seats come to four hundred and eighty dollars a month.');

    const bye = await run(pricing, [...streamed.history, { role: 'user' as const, content: 'Thanks, bye.' }]);
    expect(bye.finalOutput).toBe('Thanks for calling. Goodbye!');
  });

  it('answers the openai client with the service error shapes', async () => {
    const client = new OpenAI({ baseURL: `${emulator.baseUrl}/v1`, apiKey: 'test-key', maxRetries: 0 });
    await expect(client.responses.create({ model: 'not-a-model', input: 'hi' })).rejects.toMatchObject({
      status: 400, error: { type: 'invalid_request_error', param: 'model', code: 'model_not_found' },
    });
    const anonymous = await fetch(`${emulator.baseUrl}/v1/responses`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    const plain = await client.responses.create({ model: 'gpt-4.1', input: 'hello' });
    expect(plain.status).toBe('completed');
    expect(plain.output_text.length).toBeGreaterThan(0);
  });

  it('transcribes caller speech on a transcription session with partials and a final', async () => {
    const ws = new WebSocket(`${emulator.url}?intent=transcription&scenario=sales/peer-quote`, { headers: { Authorization: 'Bearer test-key' } });
    const events: Record<string, unknown>[] = [];
    ws.on('message', (d) => events.push(JSON.parse(d.toString()) as Record<string, unknown>));
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    ws.send(JSON.stringify({
      type: 'session.update',
      session: { type: 'transcription', audio: { input: { format: { type: 'audio/pcmu' }, transcription: { model: 'gpt-4o-mini-transcribe', language: 'en' }, turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 400 }, noise_reduction: null } } },
    }));
    const speech = await synth.clip("I'd like a price for twelve seats.", PCMU8K);
    const audio = Buffer.concat([Buffer.alloc(4000, 0xff), Buffer.from(speech.bytes), Buffer.alloc(8000, 0xff)]);
    for (let i = 0; i < audio.length; i += 160) ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: audio.subarray(i, i + 160).toString('base64') }));
    const deadline = Date.now() + 10_000;
    while (!events.some((e) => e.type === 'conversation.item.input_audio_transcription.completed') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ws.close();
    const types = events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['session.created', 'session.updated']);
    expect(types).toEqual(expect.arrayContaining(['input_audio_buffer.speech_started', 'input_audio_buffer.speech_stopped', 'input_audio_buffer.committed', 'conversation.item.added']));
    const deltas = events.filter((e) => e.type === 'conversation.item.input_audio_transcription.delta');
    expect(deltas.length).toBeGreaterThan(1);
    const done = events.find((e) => e.type === 'conversation.item.input_audio_transcription.completed')!;
    expect(done.transcript).toBe("I'd like a price for twelve seats.");
    expect(deltas.map((d) => d.delta).join('')).toBe(done.transcript);
    const shared = events.filter((e) => String(e.type) in TRANSCRIPTION_EVENT_SCHEMAS);
    expect(new Set(shared.map((e) => e.type))).toEqual(new Set(Object.keys(TRANSCRIPTION_EVENT_SCHEMAS).filter((t) => t !== 'error')));
    for (const e of shared) expect({ type: e.type, known: classifyTranscriptionEvent(e)?.known }).toEqual({ type: e.type, known: true });
  });

  it('speaks a TTS context in μ-law with alignment and ends it with isFinal', async () => {
    const ws = new WebSocket(`${emulator.baseUrl.replace('http', 'ws')}/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/multi-stream-input?model_id=eleven_flash_v2_5&output_format=ulaw_8000`, { headers: { 'xi-api-key': 'test-key' } });
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as Record<string, unknown>));
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    ws.send(JSON.stringify({ text: ' ', context_id: 'turn-1', voice_settings: { stability: 0.5, similarity_boost: 0.8 } }));
    ws.send(JSON.stringify({ text: 'Twelve seats come to ', context_id: 'turn-1' }));
    ws.send(JSON.stringify({ text: 'four hundred and eighty dollars. ', context_id: 'turn-1', flush: true }));
    ws.send(JSON.stringify({ context_id: 'turn-1', close_context: true }));
    const deadline = Date.now() + 10_000;
    while (!messages.some((m) => m.isFinal === true) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ws.send(JSON.stringify({ close_socket: true }));
    const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    expect(code).toBe(1000);
    const audio = messages.filter((m) => typeof m.audio === 'string');
    expect(audio.length).toBeGreaterThan(1);
    const bytes = Buffer.concat(audio.map((m) => Buffer.from(m.audio as string, 'base64')));
    const expected = await synth.clip('Twelve seats come to four hundred and eighty dollars. ', PCMU8K);
    expect(bytes.length).toBe(expected.bytes.length);
    const chars = audio.flatMap((m) => (m.alignment as { chars: string[] }).chars).join('');
    expect(chars).toBe('Twelve seats come to four hundred and eighty dollars. ');
    expect(messages[messages.length - 1]).toEqual({ isFinal: true, contextId: 'turn-1' });
  });
});
