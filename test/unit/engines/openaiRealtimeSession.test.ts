import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { RealtimeAgent } from '@openai/agents/realtime';
import { setTracingDisabled } from '@openai/agents';
import { OpenAIRealtimeModelSession } from '../../../src/engines/openai-realtime/session.js';
import type { ModelEvent } from '../../../src/engines/modelSession.js';
import { manifestSchema } from '../../../src/manifest/schema.js';
import { sessionTemplate, type AgentGraph, type CallAgent } from '../../../src/orchestration/index.js';
import type { CallToolEnv } from '../../../src/toolkit/index.js';

setTracingDisabled(true);

type Wire = Record<string, unknown> & { type: string };

/** A Realtime peer that answers `session.update` with the echo and records what the client sent. */
class FakeRealtimePeer {
  readonly received: Wire[] = [];
  private socket: WebSocket | undefined;
  private constructor(private readonly server: WebSocketServer, readonly url: string) {
    server.on('connection', (ws) => {
      this.socket = ws;
      this.send({ type: 'session.created', session: { type: 'realtime', audio: { input: { turn_detection: null } } } });
      ws.on('message', (data) => {
        const event = JSON.parse(String(data)) as Wire;
        this.received.push(event);
        if (event.type === 'session.update') this.send({ type: 'session.updated', session: event.session });
      });
    });
  }

  static async start(): Promise<FakeRealtimePeer> {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return new FakeRealtimePeer(server, `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/realtime`);
  }

  send(event: Wire): void {
    this.socket?.send(JSON.stringify({ event_id: `evt_${this.received.length}_${Math.random().toString(36).slice(2, 8)}`, ...event }));
  }

  sendText(text: string): void {
    this.socket?.send(text);
  }

  sent(type: string): Wire[] {
    return this.received.filter((e) => e.type === type);
  }

  async close(): Promise<void> {
    for (const c of this.server.clients) c.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function until(what: string, pred: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function graphOf(...names: string[]): AgentGraph {
  const agents = new Map<string, CallAgent>(names.map((name) => [name, new RealtimeAgent({ name, instructions: `You are ${name}.` })]));
  return { entry: agents.get(names[0]!)!, agents, nodes: new Map() };
}

function templateWith(interruptResponse: boolean) {
  return sessionTemplate(manifestSchema.parse({
    id: 'demo', name: 'Demo', greeting: 'Hi', entryAgent: 'Front',
    languages: { default: 'en-US', supported: [{ code: 'en-US', voice: 'alloy' }] },
    agents: [{ name: 'Front', description: 'a', instructions: 'x' }],
    turnDetection: { type: 'server_vad', interruptResponse },
  }));
}

describe('the OpenAI-realtime model session', () => {
  let peer: FakeRealtimePeer;
  let session: OpenAIRealtimeModelSession | undefined;
  let events: ModelEvent[];

  const open = async (interruptResponse: boolean, output?: 'audio' | 'text'): Promise<OpenAIRealtimeModelSession> => {
    const seen: ModelEvent[] = [];
    events = seen;
    session = new OpenAIRealtimeModelSession(
      { kind: 'emulator', url: peer.url, apiKey: 'test', model: 'gpt-realtime', audio: 'pcmu' },
      {
        graph: graphOf('Front', 'Billing'), agent: 'Front', context: { switchboard: {} as unknown as CallToolEnv },
        template: templateWith(interruptResponse), voice: 'alloy', connectTimeoutMs: 2000, listener: (e) => seen.push(e),
        ...(output ? { output } : {}),
      },
    );
    await session.connect();
    return session;
  };

  beforeEach(async () => {
    peer = await FakeRealtimePeer.start();
  });
  afterEach(async () => {
    session?.close();
    session = undefined;
    await peer.close();
  });

  it.each([true, false])('tracks interrupt_response (%s) from the server echo and cancels a barge-in only when the server will not', async (interruptResponse) => {
    const s = await open(interruptResponse);
    await until('the session echo', () => s.serverCancelsOnSpeech === interruptResponse && peer.sent('session.update').length > 0);
    expect(s.isOpen).toBe(true);
    peer.send({ type: 'response.created', response: { id: 'resp_1' } });
    await until('response_created', () => events.some((e) => e.type === 'response_created'));
    s.cancelResponse('barge_in');
    s.cancelResponse('barge_in');
    await new Promise((r) => setTimeout(r, 50));
    expect(peer.sent('response.cancel')).toHaveLength(interruptResponse ? 0 : 1);
    s.cancelResponse('request');
    await until('a cancel', () => peer.sent('response.cancel').length === 1);
    expect(peer.sent('response.cancel')).toEqual([{ type: 'response.cancel' }]);
  });

  it('turns server events into typed model events, audio deltas unparsed, unknown and malformed ones ignored', async () => {
    const s = await open(true);
    const t0 = performance.now();
    peer.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: 100, item_id: 'item_u1' });
    peer.send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 900, item_id: 'item_u1' });
    peer.send({ type: 'conversation.item.added', previous_item_id: null, item: { id: 'item_u1', type: 'message', role: 'user', content: [{ type: 'input_audio', transcript: null }] } });
    peer.send({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'item_u1', content_index: 0, transcript: 'Hi there' });
    peer.send({ type: 'something.new', whatever: true });
    peer.send({ type: 'response.output_audio_transcript.done', item_id: 42 });
    peer.send({ type: 'response.created', response: { id: 'resp_1' } });
    peer.send({ type: 'response.output_item.added', response_id: 'resp_1', output_index: 0, item: { id: 'item_a1', type: 'message', role: 'assistant', content: [] } });
    peer.sendText('{"type":"response.output_audio.delta","event_id":"e9","response_id":"resp_1","item_id":"item_a1","output_index":0,"content_index":0,"delta":"//8="}');
    peer.send({ type: 'response.output_audio_transcript.delta', response_id: 'resp_1', item_id: 'item_a1', output_index: 0, content_index: 0, delta: 'Hello' });
    peer.send({ type: 'response.output_audio.done', response_id: 'resp_1', item_id: 'item_a1', output_index: 0, content_index: 0 });
    peer.send({ type: 'response.output_audio_transcript.done', response_id: 'resp_1', item_id: 'item_a1', output_index: 0, content_index: 0, transcript: 'Hello!' });
    peer.send({ type: 'response.output_item.done', response_id: 'resp_1', output_index: 0, item: { id: 'item_a1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_audio', transcript: 'Hello!' }] } });
    peer.send({ type: 'response.done', response: { id: 'resp_1', status: 'completed', output: [] } });
    peer.send({ type: 'error', error: { type: 'invalid_request_error', code: 'oops', message: 'bad', param: null, event_id: null } });
    await until('the error', () => events.some((e) => e.type === 'model_error' && e.origin === 'server'));
    const seen = events.filter((e) => !(e.type === 'model_error' && e.origin === 'engine'));
    expect(seen).toEqual([
      { type: 'speech_started', receivedAtMs: expect.any(Number) },
      { type: 'speech_stopped', receivedAtMs: expect.any(Number) },
      { type: 'caller_item_added', itemId: 'item_u1', audio: true, text: undefined },
      { type: 'caller_transcript', itemId: 'item_u1', transcript: 'Hi there' },
      { type: 'response_created', responseId: 'resp_1' },
      { type: 'assistant_item_added', itemId: 'item_a1', responseId: 'resp_1' },
      { type: 'audio_delta', delta: '//8=', itemId: 'item_a1', responseId: 'resp_1', contentIndex: 0, receivedAtMs: expect.any(Number) },
      { type: 'assistant_transcript_delta', itemId: 'item_a1', delta: 'Hello' },
      { type: 'output_audio_done', itemId: 'item_a1', responseId: 'resp_1' },
      { type: 'assistant_transcript_done', itemId: 'item_a1', transcript: 'Hello!' },
      { type: 'assistant_item_done', itemId: 'item_a1', responseId: 'resp_1', transcript: 'Hello!' },
      { type: 'response_done', responseId: 'resp_1' },
      { type: 'model_error', origin: 'server', code: 'oops', errorType: 'invalid_request_error' },
    ]);
    expect((seen[0] as { receivedAtMs: number }).receivedAtMs).toBeGreaterThanOrEqual(t0);
    expect(s.currentAgent).toBe('Front');
  });

  it('answers in text for a chat: output_modalities text (kept across a handoff), a typed turn as input_text, the reply as its transcript', async () => {
    const s = await open(false, 'text');
    await until('the session config', () => peer.sent('session.update').some((e) => JSON.stringify(e).includes('output_modalities')));
    const configured = peer.sent('session.update').filter((e) => (e.session as { output_modalities?: unknown }).output_modalities !== undefined);
    expect(configured.map((e) => (e.session as { output_modalities: unknown }).output_modalities)).toEqual([['text']]);
    s.sendUserText('Do you cut curly hair?');
    await until('the typed turn and its response', () => peer.sent('response.create').length === 1);
    expect(peer.sent('conversation.item.create')[0]).toMatchObject({ item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Do you cut curly hair?' }] } });
    peer.send({ type: 'response.created', response: { id: 'resp_t' } });
    const item = { id: 'item_t', object: 'realtime.item', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Yes, every day.' }] };
    peer.send({ type: 'response.output_item.added', response_id: 'resp_t', output_index: 0, item: { ...item, status: 'in_progress', content: [] } });
    peer.send({ type: 'response.output_text.delta', response_id: 'resp_t', item_id: 'item_t', output_index: 0, content_index: 0, delta: 'Yes, every day.' });
    peer.send({ type: 'response.output_item.done', response_id: 'resp_t', output_index: 0, item });
    peer.send({ type: 'response.done', response: { id: 'resp_t', status: 'completed', output: [item] } });
    await until('the reply', () => events.some((e) => e.type === 'response_done'));
    expect(events.filter((e) => e.type !== 'response_created' && e.type !== 'response_done')).toEqual([
      { type: 'assistant_item_added', itemId: 'item_t', responseId: 'resp_t' },
      { type: 'assistant_item_done', itemId: 'item_t', responseId: 'resp_t', transcript: 'Yes, every day.' },
    ]);
    await s.update({ agent: 'Billing' });
    await until('the handoff config', () => peer.sent('session.update').filter((e) => (e.session as { instructions?: string }).instructions === 'You are Billing.').length > 0);
    const handoff = peer.sent('session.update').filter((e) => (e.session as { instructions?: string }).instructions === 'You are Billing.');
    expect(handoff.map((e) => (e.session as { output_modalities?: unknown }).output_modalities)).toEqual([['text']]);
  });

  it('reports a failed response and a rate limit with the back-off the service names', async () => {
    await open(true);
    peer.send({ type: 'response.created', response: { id: 'resp_f' } });
    peer.send({
      type: 'response.done',
      response: { id: 'resp_f', status: 'failed', status_details: { type: 'failed', error: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached. Please try again in 2.5s.' } } },
    });
    peer.send({ type: 'error', error: { type: 'server_error', code: null, message: 'The server had an error.', param: null, event_id: null } });
    await until('the error', () => events.some((e) => e.type === 'model_error' && e.origin === 'server'));
    expect(events.find((e) => e.type === 'response_done')).toEqual({
      type: 'response_done', responseId: 'resp_f', failure: { errorType: 'requests', code: 'rate_limit_exceeded', retryAfterMs: 2500 },
    });
    expect(events.find((e) => e.type === 'model_error' && e.origin === 'server')).toMatchObject({ errorType: 'server_error', code: undefined });
  });

  it('answers a tool call whose arguments are not JSON itself and reports it', async () => {
    const s = await open(true);
    peer.send({ type: 'response.created', response: { id: 'resp_2' } });
    peer.send({
      type: 'response.output_item.done', response_id: 'resp_2', output_index: 0,
      item: { id: 'item_f1', type: 'function_call', status: 'completed', name: 'lookup', call_id: 'call_1', arguments: '{oops' },
    });
    await until('the answer', () => peer.sent('conversation.item.create').length === 1);
    expect(peer.sent('conversation.item.create')[0]).toMatchObject({ item: { type: 'function_call_output', call_id: 'call_1', output: 'invalid arguments: not valid JSON' } });
    expect(events).toContainEqual({ type: 'function_call_invalid', name: 'lookup', callId: 'call_1', arguments: '{oops', answer: 'invalid arguments: not valid JSON' });
    s.close();
  });

  it('replays a conversation without reporting the replayed items as caller input', async () => {
    const s = await open(true);
    s.replay([{ role: 'caller', text: 'I need a haircut' }, { role: 'assistant', text: 'Sure, when?' }, { role: 'system', text: 'tool said ok' }]);
    await until('the replay', () => peer.sent('conversation.item.create').length === 3);
    const items = peer.sent('conversation.item.create').map((e) => e.item as { id: string; role: string; content: unknown[] });
    expect(items.map((i) => [i.role, i.content])).toEqual([
      ['user', [{ type: 'input_text', text: 'I need a haircut' }]],
      ['assistant', [{ type: 'output_text', text: 'Sure, when?' }]],
      ['system', [{ type: 'input_text', text: 'tool said ok' }]],
    ]);
    peer.send({ type: 'conversation.item.added', previous_item_id: null, item: { id: items[0]!.id, type: 'message', role: 'user', content: [{ type: 'input_text', text: 'I need a haircut' }] } });
    peer.send({ type: 'conversation.item.added', previous_item_id: null, item: { id: 'item_typed', type: 'message', role: 'user', content: [{ type: 'input_text', text: '[DTMF 12#]' }] } });
    await until('the typed item', () => events.some((e) => e.type === 'caller_item_added'));
    expect(events.filter((e) => e.type === 'caller_item_added')).toEqual([{ type: 'caller_item_added', itemId: 'item_typed', audio: false, text: '[DTMF 12#]' }]);
  });

  it('switches agents through update and reports the handoff; after close only the expected socket close follows', async () => {
    const s = await open(true);
    await s.update({ agent: 'Billing' });
    expect(s.currentAgent).toBe('Billing');
    expect(events).toContainEqual({ type: 'handoff', from: 'Front', to: 'Billing' });
    await until('the new agent', () => peer.sent('session.update').some((e) => (e.session as { instructions?: string }).instructions === 'You are Billing.'));
    const updates = peer.sent('session.update').length;
    await s.update({ voice: 'verse', template: templateWith(false), instructions: 'Speak Spanish.' });
    await until('the new config', () => peer.sent('session.update').length === updates + 1);
    expect(peer.sent('session.update').at(-1)).toMatchObject({
      session: { instructions: 'Speak Spanish.', audio: { input: { format: { type: 'audio/pcmu' }, turn_detection: { interrupt_response: false } }, output: { voice: 'verse' } } },
    });
    await until('the echo', () => !s.serverCancelsOnSpeech);
    s.close();
    expect(s.isOpen).toBe(false);
    expect(s.append('AAAA')).toBe(false);
    const before = events.length;
    peer.send({ type: 'response.created', response: { id: 'resp_late' } });
    await until('the socket close', () => events.some((e) => e.type === 'socket_closed'));
    expect(events.slice(before)).toEqual([{ type: 'socket_closed', code: expect.any(Number), reason: expect.any(String), expected: true }]);
  });
});
