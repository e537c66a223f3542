import { startEmulator, type RunningEmulator } from '../../../src/engines/emulator/index.js';
import { parseScenario } from '../../../src/scenarios/index.js';
import { pcm16Bytes, ulawEncode, alawEncode, ALAW_DECODE_TABLE, SpeechSynthesizer } from '../../../src/audio/index.js';
import { RawClient, appendAudio, concatPcm, tonePcm16, type ServerEvent } from './rawClient.js';

const silence = (ms: number, rateHz: number): Int16Array => new Int16Array(Math.round((ms * rateHz) / 1000));

const scenario = parseScenario(`
name: raw
vertical: test
opening:
  - say: Hello, thanks for calling.
turns:
  - caller: I need to check my booking for Friday.
    agent:
      - say: Let me look.
        call: { tool: lookup_booking, args: { day: friday } }
      - say: You are booked for Friday at three.
  - caller: Thanks, bye.
    agent:
      - say: Goodbye.
        endCall: { reason: done }
`);

describe('emulator wire protocol (raw ws client)', () => {
  let emulator: RunningEmulator;
  const clients: RawClient[] = [];
  const connect = async (query = ''): Promise<RawClient> => {
    const c = await RawClient.connect(emulator.url + query);
    clients.push(c);
    await c.waitFor('session.created');
    return c;
  };

  beforeAll(async () => {
    emulator = await startEmulator({ scenarios: [scenario], speech: { engine: 'synthetic' }, pacing: { speed: Infinity } });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('opens with session.created and answers session.update with the merged session', async () => {
    const c = await connect();
    expect(c.events[0]).toMatchObject({ type: 'session.created', session: { type: 'realtime', object: 'realtime.session' } });
    c.send({
      type: 'session.update',
      session: {
        type: 'realtime', instructions: 'Be brief.',
        audio: { input: { format: { type: 'audio/pcmu' }, turn_detection: { type: 'server_vad', silence_duration_ms: 300, interrupt_response: false } } },
      },
    });
    const updated = await c.waitFor('session.updated');
    expect(updated.session).toMatchObject({
      instructions: 'Be brief.',
      audio: {
        input: {
          format: { type: 'audio/pcmu' },
          turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 300, interrupt_response: false, create_response: true },
        },
        output: { format: { type: 'audio/pcm', rate: 24000 } },
      },
    });
  });

  it('reports each bad client event as an error with the real shape and carries on', async () => {
    const c = await connect();
    c.sendRaw('{not json');
    c.send({ type: 'no.such.event', event_id: 'evt_unknown' });
    c.send({ type: 'input_audio_buffer.append', event_id: 'evt_b64', audio: '***not base64***' });
    c.send({ type: 'input_audio_buffer.append', event_id: 'evt_odd', audio: Buffer.from([1, 2, 3]).toString('base64') });
    c.send({ type: 'response.create', event_id: 'evt_r1' });
    c.send({ type: 'response.create', event_id: 'evt_r2' });
    c.send({ type: 'conversation.item.retrieve', event_id: 'evt_missing', item_id: 'item_nope' });
    c.send({ type: 'session.update', event_id: 'evt_fmt', session: { audio: { input: { format: { type: 'audio/mp3' } } } } });
    await c.waitFor('response.done');
    c.send({ type: 'session.update', event_id: 'evt_ok', session: { instructions: 'still here' } });
    await c.waitFor('session.updated', (e) => (e.session as { instructions: string }).instructions === 'still here');
    const errors = c.events.filter((e) => e.type === 'error').map((e) => e.error as Record<string, unknown>);
    for (const err of errors) expect(Object.keys(err).sort()).toEqual(['code', 'event_id', 'message', 'param', 'type']);
    expect(errors.map((e) => [e.code, e.event_id])).toEqual([
      ['invalid_json', null],
      ['invalid_value', 'evt_unknown'],
      ['invalid_value', 'evt_b64'],
      ['invalid_value', 'evt_odd'],
      ['conversation_already_has_active_response', 'evt_r2'],
      ['invalid_value', 'evt_missing'],
      ['invalid_value', 'evt_fmt'],
    ]);
    expect(errors[1]!.param).toBe('type');
    expect(errors[2]!.message).toMatch(/Expected base64-encoded audio bytes \(mono PCM16 at 24kHz\)/);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });

  it('detects speech on the sample clock, commits it and answers it, in the GA order', async () => {
    const c = await connect();
    c.send({ type: 'session.update', session: { audio: { input: { transcription: { model: 'gpt-4o-mini-transcribe' }, turn_detection: { type: 'server_vad', silence_duration_ms: 500, prefix_padding_ms: 300 } } } } });
    await c.waitFor('session.updated');
    const from = c.mark();
    const audio = concatPcm([silence(1000, 24_000), tonePcm16(800, 24_000), silence(1000, 24_000)]);
    appendAudio(c, pcm16Bytes(audio), 960);
    await c.waitFor('response.done', () => true, from);
    const started = await c.waitFor('input_audio_buffer.speech_started', () => true, from);
    const stopped = await c.waitFor('input_audio_buffer.speech_stopped', () => true, from);
    expect(started.audio_start_ms).toBe(700);
    expect(stopped.audio_end_ms).toBe(2300);
    expect(stopped.item_id).toBe(started.item_id);
    const types = c.types(from).filter((t) => !t.endsWith('.delta'));
    expect(types).toEqual([
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      'conversation.item.added',
      'conversation.item.done',
      'conversation.item.input_audio_transcription.completed',
      'response.created',
      'response.output_item.added',
      'conversation.item.added',
      'response.content_part.added',
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
    ]);
    // No scenario: the rule-based brain has no transcript and asks politely to repeat.
    const transcript = await c.waitFor('response.output_audio_transcript.done', () => true, from);
    expect(transcript.transcript).toMatch(/didn't catch that/);
    expect(transcript.transcript).toMatch(/offline rule-based stand-in/);
    const ids = c.events.map((e) => e.event_id);
    expect(ids.every((id) => typeof id === 'string' && id.startsWith('event_'))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('streams μ-law both ways in a pcmu session', async () => {
    const c = await connect();
    c.send({ type: 'session.update', session: { audio: { input: { format: { type: 'audio/pcmu' } }, output: { format: { type: 'audio/pcmu' } } } } });
    await c.waitFor('session.updated');
    const from = c.mark();
    appendAudio(c, ulawEncode(concatPcm([silence(400, 8000), tonePcm16(600, 8000), silence(700, 8000)])), 160);
    const done = await c.waitFor('response.done', () => true, from);
    const started = await c.waitFor('input_audio_buffer.speech_started', () => true, from);
    expect(started.audio_start_ms).toBe(100);
    const deltas = c.events.slice(from).filter((e) => e.type === 'response.output_audio.delta');
    const bytes = deltas.reduce((n, e) => n + Buffer.from(e.delta as string, 'base64').length, 0);
    const text = (await c.waitFor('response.output_audio_transcript.done', () => true, from)).transcript as string;
    // 8 bytes per ms of μ-law, ~60 ms per character of synthetic speech.
    expect(bytes).toBe(Math.round(text.replace(/\s+/g, ' ').trim().length * 60 * 8));
    expect(deltas[0]!.delta).not.toBe('');
    expect((done.response as { status: string }).status).toBe('completed');
  });

  it('commits by hand when turn detection is off, and refuses an empty buffer', async () => {
    const c = await connect();
    c.send({ type: 'session.update', session: { audio: { input: { turn_detection: null, transcription: { model: 'whisper-1' } } } } });
    const updated = await c.waitFor('session.updated');
    expect((updated.session as { audio: { input: { turn_detection: unknown } } }).audio.input.turn_detection).toBeNull();
    c.send({ type: 'input_audio_buffer.commit', event_id: 'evt_empty' });
    const empty = await c.waitFor('error');
    expect(empty.error).toMatchObject({ code: 'input_audio_buffer_commit_empty', event_id: 'evt_empty' });
    const from = c.mark();
    appendAudio(c, pcm16Bytes(concatPcm([tonePcm16(400, 24_000), silence(400, 24_000)])), 960);
    c.send({ type: 'input_audio_buffer.commit' });
    const committed = await c.waitFor('input_audio_buffer.committed', () => true, from);
    await c.waitFor('conversation.item.input_audio_transcription.completed', () => true, from);
    // No VAD events and no automatic response.
    await new Promise((r) => setTimeout(r, 200));
    expect(c.types(from)).toEqual(['input_audio_buffer.committed', 'conversation.item.added', 'conversation.item.done', 'conversation.item.input_audio_transcription.completed']);
    c.send({ type: 'input_audio_buffer.append', audio: Buffer.alloc(960).toString('base64') });
    c.send({ type: 'input_audio_buffer.clear' });
    await c.waitFor('input_audio_buffer.cleared');
    c.send({ type: 'conversation.item.retrieve', item_id: committed.item_id });
    expect((await c.waitFor('conversation.item.retrieved')).item).toMatchObject({ role: 'user', content: [{ type: 'input_audio', transcript: '' }] });
  });

  it('speaks A-law in a pcma session', async () => {
    const c = await connect();
    c.send({ type: 'session.update', session: { audio: { input: { format: { type: 'audio/pcma' } }, output: { format: { type: 'audio/pcma' } } } } });
    await c.waitFor('session.updated');
    const from = c.mark();
    appendAudio(c, alawEncode(concatPcm([silence(300, 8000), tonePcm16(500, 8000), silence(700, 8000)])), 160);
    await c.waitFor('response.done', () => true, from);
    expect((await c.waitFor('input_audio_buffer.speech_started', () => true, from)).audio_start_ms).toBe(0);
    const bytes = Buffer.concat(c.events.slice(from).filter((e) => e.type === 'response.output_audio.delta').map((e) => Buffer.from(e.delta as string, 'base64')));
    // The very clip the synthesiser makes for A-law, not μ-law bytes under an A-law label.
    const text = (await c.waitFor('response.output_audio_transcript.done', () => true, from)).transcript as string;
    const expected = await new SpeechSynthesizer({ engine: 'synthetic' }).clip(text, { type: 'audio/pcma', rateHz: 8000 });
    expect(bytes.equals(Buffer.from(expected.bytes))).toBe(true);
    let sum = 0;
    for (const b of bytes) sum += ALAW_DECODE_TABLE[b]! ** 2;
    expect(Math.sqrt(sum / bytes.length) / 32768).toBeGreaterThan(0.05);
  });

  it('stores conversation items: create, retrieve, delete and truncate in proportion to the audio kept', async () => {
    const c = await connect();
    c.send({ type: 'conversation.item.create', item: { id: 'item_user1', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello there' }] } });
    const added = await c.waitFor('conversation.item.added');
    expect(added).toMatchObject({ previous_item_id: null, item: { id: 'item_user1', role: 'user', content: [{ type: 'input_text', text: 'hello there' }] } });
    await c.waitFor('conversation.item.done');
    c.send({ type: 'response.create' });
    const done = await c.waitFor('response.done');
    const msg = (done.response as { output: { id: string; content: { transcript: string }[] }[] }).output[0]!;
    const full = msg.content[0]!.transcript;
    const durationMs = full.replace(/\s+/g, ' ').trim().length * 60;
    c.send({ type: 'conversation.item.truncate', item_id: msg.id, content_index: 0, audio_end_ms: Math.round(durationMs / 2) });
    const truncated = await c.waitFor('conversation.item.truncated');
    expect(truncated).toMatchObject({ item_id: msg.id, content_index: 0, audio_end_ms: Math.round(durationMs / 2) });
    c.send({ type: 'conversation.item.retrieve', item_id: msg.id });
    const retrieved = await c.waitFor('conversation.item.retrieved');
    const kept = (retrieved.item as { content: { transcript: string }[] }).content[0]!.transcript;
    expect(full.startsWith(kept)).toBe(true);
    expect(kept.length).toBeGreaterThan(full.length * 0.3);
    expect(kept.length).toBeLessThanOrEqual(full.length * 0.5);
    c.send({ type: 'conversation.item.truncate', event_id: 'evt_long', item_id: msg.id, content_index: 0, audio_end_ms: durationMs * 10 });
    const tooLong = await c.waitFor('error', (e) => (e.error as { event_id: string }).event_id === 'evt_long');
    expect((tooLong.error as { code: string }).code).toBe('invalid_value');
    c.send({ type: 'conversation.item.delete', item_id: 'item_user1' });
    expect(await c.waitFor('conversation.item.deleted')).toMatchObject({ item_id: 'item_user1' });
    c.send({ type: 'conversation.item.retrieve', event_id: 'evt_gone', item_id: 'item_user1' });
    await c.waitFor('error', (e) => (e.error as { event_id: string }).event_id === 'evt_gone');
  });

  it('cancels a response: status cancelled and no further deltas for it', async () => {
    const slow = await startEmulator({ speech: { engine: 'synthetic' }, pacing: { speed: 2, chunkMs: 100 } });
    try {
      const c = await RawClient.connect(slow.url);
      clients.push(c);
      await c.waitFor('session.created');
      c.send({ type: 'response.create' });
      const firstDelta = await c.waitFor('response.output_audio.delta');
      c.send({ type: 'response.cancel' });
      const done = await c.waitFor('response.done');
      expect(done.response).toMatchObject({ status: 'cancelled', status_details: { type: 'cancelled', reason: 'client_cancelled' } });
      const responseId = (done.response as { id: string }).id;
      expect(firstDelta.response_id).toBe(responseId);
      const item = await c.waitFor('response.output_item.done');
      expect(item.item).toMatchObject({ status: 'incomplete' });
      const afterDone = c.events.indexOf(done);
      await new Promise((r) => setTimeout(r, 300));
      expect(c.events.slice(afterDone + 1).filter((e) => e.response_id === responseId)).toEqual([]);
      c.send({ type: 'response.cancel', event_id: 'evt_again' });
      const err = await c.waitFor('error');
      expect(err.error).toMatchObject({ code: 'response_cancel_not_active', event_id: 'evt_again' });
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await slow.close();
    }
  });

  it('speaks text in the text modality with output_text events', async () => {
    const c = await connect();
    c.send({ type: 'session.update', session: { output_modalities: ['text'] } });
    await c.waitFor('session.updated');
    c.send({ type: 'response.create' });
    const done = await c.waitFor('response.done');
    expect(c.types().filter((t) => t.startsWith('response.output_audio'))).toEqual([]);
    const text = await c.waitFor('response.output_text.done');
    const deltas = c.events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
    expect(deltas).toBe(text.text);
    expect((done.response as { output: { content: { type: string }[] }[] }).output[0]!.content[0]!.type).toBe('output_text');
  });

  it('answers a typed turn in text when response.create asks for text on an audio session, and refuses other modalities', async () => {
    const c = await connect();
    c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello there.' }] } });
    const added = await c.waitFor('conversation.item.added');
    expect(added.item).toMatchObject({ role: 'user', content: [{ type: 'input_text', text: 'Hello there.' }] });
    c.send({ type: 'response.create', event_id: 'evt_both', response: { output_modalities: ['audio', 'text'] } });
    const err = await c.waitFor('error');
    expect(err.error).toMatchObject({ type: 'invalid_request_error', param: 'response.output_modalities', event_id: 'evt_both' });
    const from = c.mark();
    c.send({ type: 'response.create', response: { output_modalities: ['text'] } });
    const done = await c.waitFor('response.done', () => true, from);
    expect(done.response).toMatchObject({ status: 'completed', output_modalities: ['text'] });
    expect(c.types(from).filter((t) => t.startsWith('response.output_audio'))).toEqual([]);
    const text = await c.waitFor('response.output_text.done', () => true, from);
    expect(String(text.text).length).toBeGreaterThan(0);
    // The assistant's text is stored: a retrieve returns it (the SDK overwrites its history with it).
    const itemId = (done.response as { output: { id: string }[] }).output[0]!.id;
    c.send({ type: 'conversation.item.retrieve', item_id: itemId });
    const got = await c.waitFor('conversation.item.retrieved');
    expect(got.item).toMatchObject({ role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: text.text }] });
  });

  it('plays a scenario chosen per connection: a tool call, then the next step after its output', async () => {
    const c = await connect('?scenario=test/raw');
    c.send({ type: 'response.create' });
    const greet = await c.waitFor('response.done');
    expect(JSON.stringify(greet.response)).toContain('Hello, thanks for calling.');
    const from = c.mark();
    c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'I need to check my booking for Friday.' }] } });
    c.send({ type: 'response.create' });
    const done = await c.waitFor('response.done', () => true, from);
    const types = c.types(from).filter((t) => !t.endsWith('.delta'));
    expect(types.slice(types.indexOf('response.output_item.done') + 2)).toEqual([
      'response.output_item.added', 'conversation.item.added',
      'response.function_call_arguments.done', 'response.output_item.done', 'conversation.item.done', 'response.done',
    ]);
    const call = (done.response as { output: Record<string, unknown>[] }).output[1]!;
    expect(call).toMatchObject({ type: 'function_call', status: 'completed', name: 'lookup_booking', arguments: '{"day":"friday"}' });
    const next = c.mark();
    c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: '{"ok":true}' } });
    c.send({ type: 'response.create' });
    const after = await c.waitFor('response.done', () => true, next);
    expect(JSON.stringify(after.response)).toContain('You are booked for Friday at three.');
  });

  it('requires the configured key when one is set, and refuses unknown scenarios', async () => {
    const locked = await startEmulator({ apiKey: 'sk-right' });
    try {
      await expect(RawClient.connect(locked.url, { Authorization: 'Bearer sk-wrong' })).rejects.toThrow(/401/);
      const ok = await RawClient.connect(locked.url, { Authorization: 'Bearer sk-right' });
      await ok.waitFor('session.created');
      await ok.close();
      await expect(RawClient.connect(`${emulator.url}?scenario=nope/none`)).rejects.toThrow(/404/);
    } finally {
      await locked.close();
    }
  });
});

export type { ServerEvent };
