/** The offline peers' answers to malformed requests, and the Responses script position (unit level, real sockets). */
import WebSocket from 'ws';
import { startEmulator, scriptPosition, turnsOf, parseResponsesRequest, chunkAlignment, type RunningEmulator } from '../../../src/engines/emulator/index.js';
import { parseScenario } from '../../../src/scenarios/index.js';
import { RawClient } from './rawClient.js';

const scenario = parseScenario(`
opening:
  - say: Hello.
turns:
  - caller: Price please.
    agent:
      - say: Let me transfer you.
        handoff: Pricing
      - call: { tool: quote, args: { seats: 2 } }
      - say: Two seats.
  - caller: Bye.
    agent:
      - say: Goodbye.
`, { vertical: 'sales', name: 'unit' });

async function post(base: string, body: unknown, headers: Record<string, string> = { authorization: 'Bearer k' }): Promise<{ status: number; json: { error: { message: string; type: string; param: string | null; code: string | null } } }> {
  const res = await fetch(`${base}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as never };
}

function ttsSocket(base: string, path: string, headers: Record<string, string> = { 'xi-api-key': 'k' }): { ws: WebSocket; messages: Record<string, unknown>[]; closed: Promise<{ code: number; reason: string }> } {
  const ws = new WebSocket(`${base.replace('http', 'ws')}${path}`, { headers });
  const messages: Record<string, unknown>[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as Record<string, unknown>));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return { ws, messages, closed };
}

describe('offline peers reject malformed input as the services do', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ scenarios: [scenario], speech: { engine: 'synthetic' }, pacing: { speed: Infinity }, ttsVoices: ['21m00Tcm4TlvDq8ikWAM'] });
  });
  afterAll(async () => {
    await emulator.close();
  });

  describe('Responses API', () => {
    it('answers 401 without a bearer key and 400 on bad JSON, unknown parameters, missing model and unknown models', async () => {
      expect((await post(emulator.baseUrl, { model: 'gpt-4.1' }, {})).status).toBe(401);
      const badJson = await post(emulator.baseUrl, '{nope');
      expect(badJson).toMatchObject({ status: 400, json: { error: { type: 'invalid_request_error', param: null, code: null } } });
      expect(await post(emulator.baseUrl, { model: 'gpt-4.1', colour: 'red' })).toMatchObject({ status: 400, json: { error: { param: 'colour', code: 'unknown_parameter' } } });
      expect(await post(emulator.baseUrl, { input: 'hi' })).toMatchObject({ status: 400, json: { error: { param: 'model', code: 'missing_required_parameter' } } });
      expect(await post(emulator.baseUrl, { model: 'llama-3' })).toMatchObject({ status: 400, json: { error: { param: 'model', code: 'model_not_found' } } });
    });

    it('names the bad field of an input item, a tool output without its call and an unknown scenario', async () => {
      const badRole = await post(emulator.baseUrl, { model: 'gpt-4.1', input: [{ role: 'robot', content: 'hi' }] });
      expect(badRole.status).toBe(400);
      expect(badRole.json.error.param).toMatch(/^input\[0\]/);
      const orphan = await post(emulator.baseUrl, { model: 'gpt-4.1', input: [{ type: 'function_call_output', call_id: 'call_x', output: '{}' }] });
      expect(orphan).toMatchObject({ status: 400, json: { error: { param: 'input', message: 'No tool call found for function call output with call_id call_x.' } } });
      const unknown = await post(emulator.baseUrl, { model: 'gpt-4.1' }, { authorization: 'Bearer k', 'x-switchboard-scenario': 'sales/none' });
      expect(unknown).toMatchObject({ status: 400, json: { error: { code: 'unknown_scenario' } } });
      expect(await post(emulator.baseUrl, { model: 'gpt-4.1', previous_response_id: 'resp_missing' })).toMatchObject({ status: 400, json: { error: { code: 'previous_response_not_found' } } });
    });

    it('streams the service event sequence with increasing sequence numbers', async () => {
      const res = await fetch(`${emulator.baseUrl}/v1/responses`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k', 'x-switchboard-scenario': 'sales/unit' },
        body: JSON.stringify({ model: 'gpt-4.1', stream: true, input: [{ role: 'user', content: 'Price please.' }], tools: [{ type: 'function', name: 'transfer_to_Pricing', parameters: { type: 'object', properties: {} }, strict: true }] }),
      });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const events = (await res.text()).split('\n\n').filter((b) => b.trim()).map((b) => JSON.parse(b.split('\n').find((l) => l.startsWith('data: '))!.slice(6)) as { type: string; sequence_number: number });
      expect(events.map((e) => e.type)).toEqual([
        'response.created', 'response.in_progress',
        'response.output_item.added', 'response.content_part.added', 'response.output_text.delta', 'response.output_text.delta',
        'response.output_text.done', 'response.content_part.done', 'response.output_item.done',
        'response.output_item.added', 'response.function_call_arguments.delta', 'response.function_call_arguments.done', 'response.output_item.done',
        'response.completed',
      ]);
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    });

    it('finds the script position from the input items alone', () => {
      const at = (input: unknown[]): { turn: number; step: number } => {
        const parsed = parseResponsesRequest({ model: 'gpt-4.1', input });
        if (!parsed.ok) throw new Error(parsed.error.body.error.message);
        return scriptPosition(scenario, turnsOf(parsed.request.input));
      };
      expect(at([])).toEqual({ turn: -1, step: 0 });
      expect(at([{ role: 'assistant', content: 'Hello.' }, { role: 'user', content: 'Price please.' }])).toEqual({ turn: 0, step: 0 });
      const afterHandoff = [
        { role: 'user', content: 'Price please.' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Let me transfer you.' }] },
        { type: 'function_call', call_id: 'c1', name: 'transfer_to_Pricing', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: '{"assistant":"Pricing"}' },
      ];
      expect(at(afterHandoff)).toEqual({ turn: 0, step: 1 });
      const afterTool = [...afterHandoff, { type: 'function_call', call_id: 'c2', name: 'quote', arguments: '{"seats":2}' }, { type: 'function_call_output', call_id: 'c2', output: '{}' }];
      expect(at(afterTool)).toEqual({ turn: 0, step: 2 });
      expect(at([...afterTool, { role: 'assistant', content: 'Two seats.' }, { role: 'user', content: 'Bye.' }])).toEqual({ turn: 1, step: 0 });
    });
  });

  describe('transcription sessions', () => {
    it('refuses a realtime session type, unknown parameters, unknown models and response.create, and carries on', async () => {
      const c = await RawClient.connect(`${emulator.url}?intent=transcription`);
      try {
        await c.waitFor('session.created', (e) => (e.session as { type: string }).type === 'transcription');
        c.send({ type: 'session.update', session: { type: 'realtime' } });
        expect((await c.waitFor('error')).error).toMatchObject({ code: 'invalid_value', param: 'session.type' });
        let from = c.mark();
        c.send({ type: 'session.update', session: { type: 'transcription', audio: { input: { colour: 'red' } } } });
        expect((await c.waitFor('error', () => true, from)).error).toMatchObject({ code: 'unknown_parameter', param: 'session.audio.input.colour' });
        from = c.mark();
        c.send({ type: 'session.update', session: { type: 'transcription', audio: { input: { transcription: { model: 'gpt-9-hear' } } } } });
        expect((await c.waitFor('error', () => true, from)).error).toMatchObject({ code: 'invalid_value', param: 'session.audio.input.transcription.model' });
        from = c.mark();
        c.send({ type: 'response.create' });
        expect((await c.waitFor('error', () => true, from)).error).toMatchObject({ param: 'type' });
        from = c.mark();
        c.send({ type: 'input_audio_buffer.append', audio: 'not base64!' });
        expect((await c.waitFor('error', () => true, from)).error).toMatchObject({ param: 'audio' });
        from = c.mark();
        c.send({ type: 'session.update', session: { type: 'transcription', audio: { input: { format: { type: 'audio/pcmu' }, turn_detection: null } } } });
        const updated = await c.waitFor('session.updated', () => true, from);
        expect(updated.session).toMatchObject({ type: 'transcription', audio: { input: { format: { type: 'audio/pcmu' }, turn_detection: null } } });
      } finally {
        await c.close();
      }
    });
  });

  describe('ElevenLabs TTS', () => {
    it('closes with 1008 after an error message for an unknown voice, a bad output format and a missing key', async () => {
      const voice = ttsSocket(emulator.baseUrl, '/v1/text-to-speech/nobody/multi-stream-input?output_format=ulaw_8000');
      expect(await voice.closed).toMatchObject({ code: 1008 });
      expect(voice.messages[0]).toMatchObject({ error: 'voice_not_found', code: 1008 });
      const format = ttsSocket(emulator.baseUrl, '/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/multi-stream-input?output_format=wav_99');
      expect(await format.closed).toMatchObject({ code: 1008 });
      expect(format.messages[0]).toMatchObject({ error: 'invalid_output_format' });
      const anonymous = ttsSocket(emulator.baseUrl, '/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/multi-stream-input?output_format=ulaw_8000', {});
      await new Promise((r) => anonymous.ws.once('open', r));
      anonymous.ws.send(JSON.stringify({ text: ' ', context_id: 'a' }));
      expect(await anonymous.closed).toMatchObject({ code: 1008 });
      expect(anonymous.messages[0]).toMatchObject({ error: 'authentication_error' });
    });

    it('accepts the key in the first message and refuses a sixth open context', async () => {
      const s = ttsSocket(emulator.baseUrl, '/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/multi-stream-input?output_format=ulaw_8000', {});
      await new Promise((r) => s.ws.once('open', r));
      s.ws.send(JSON.stringify({ text: ' ', context_id: 'c0', xi_api_key: 'k' }));
      for (let i = 1; i <= 5; i++) s.ws.send(JSON.stringify({ text: ' ', context_id: `c${i}` }));
      expect(await s.closed).toMatchObject({ code: 1008 });
      expect(s.messages.at(-1)).toMatchObject({ error: 'max_active_conversations' });
    });

    it('lists voices only to a caller with a key', async () => {
      expect((await fetch(`${emulator.baseUrl}/v1/voices`)).status).toBe(401);
      const res = await fetch(`${emulator.baseUrl}/v1/voices`, { headers: { 'xi-api-key': 'k' } });
      expect(((await res.json()) as { voices: { voice_id: string }[] }).voices.map((v) => v.voice_id)).toEqual(['21m00Tcm4TlvDq8ikWAM']);
    });

    it('splits character timings over chunks relative to each chunk', () => {
      const first = chunkAlignment('abcd', 400, 0, 200, false);
      const second = chunkAlignment('abcd', 400, 200, 400, true);
      expect(first).toEqual({ chars: ['a', 'b'], charStartTimesMs: [0, 100], charDurationsMs: [100, 100] });
      expect(second).toEqual({ chars: ['c', 'd'], charStartTimesMs: [0, 100], charDurationsMs: [100, 100] });
    });
  });
});
