/**
 * Faults staged by the emulator on a scenario's cue, seen by a raw WebSocket client: each has
 * the shape the real service gives it (validated with the runtime's own schemas), happens once,
 * and a session that is told the conversation resumes after it.
 */
import { startEmulator, type RunningEmulator } from '../../../src/engines/emulator/index.js';
import { classifyServerEvent, retryAfterMsOf } from '../../../src/engines/openai-realtime/events.js';
import { parseScenario, ScenarioError } from '../../../src/scenarios/index.js';
import { RawClient } from './rawClient.js';

const scenario = parseScenario(`
name: faults
vertical: test
opening:
  - fault: { kind: server_error }
  - fault: { kind: response_failed }
  - fault: { kind: rate_limit, retryAfterMs: 1500 }
  - say: Hello again.
turns:
  - caller: Are you there?
    agent:
      - fault: { kind: stall }
      - say: Yes, still here.
  - caller: Hang on.
    agent:
      - fault: { kind: drop }
  - caller: Still there?
    agent:
      - fault: { kind: session_expired }
`);

function closed(c: RawClient): Promise<number> {
  return new Promise((resolve) => c.ws.once('close', (code) => resolve(code)));
}

describe('emulator faults', () => {
  let emulator: RunningEmulator;
  const clients: RawClient[] = [];
  const connect = async (): Promise<RawClient> => {
    const c = await RawClient.connect(`${emulator.url}?scenario=test/faults`);
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

  it('stages a server error, a failed response and a rate limit with the service\'s shapes', async () => {
    const c = await connect();
    c.send({ type: 'response.create' });
    const err = await c.waitFor('error');
    expect(err.error).toMatchObject({ type: 'server_error', code: null });
    const done1 = await c.waitFor('response.done');
    expect(done1.response).toMatchObject({ status: 'failed', status_details: { type: 'failed', error: { type: 'server_error' } } });

    let from = c.mark();
    c.send({ type: 'response.create' });
    const done2 = await c.waitFor('response.done', () => true, from);
    expect(done2.response).toMatchObject({ status: 'failed', status_details: { error: { type: 'server_error' } } });

    from = c.mark();
    c.send({ type: 'response.create' });
    const done3 = await c.waitFor('response.done', () => true, from);
    const parsed = classifyServerEvent(done3);
    expect(parsed?.known).toBe(true);
    const details = (done3.response as { status_details: { error: { code: string; message: string } } }).status_details.error;
    expect(details.code).toBe('rate_limit_exceeded');
    expect(retryAfterMsOf(details.message)).toBe(1500);
    // The session carries on: the next response speaks.
    from = c.mark();
    c.send({ type: 'response.create' });
    const said = await c.waitFor('response.output_audio_transcript.done', () => true, from);
    expect(said.transcript).toBe('Hello again.');
    for (const e of c.events) if (e.type === 'error' || e.type === 'response.done') expect(classifyServerEvent(e)?.known).toBe(true);
  });

  it('stalls (silent, socket open), drops, and expires the session', async () => {
    const c = await connect();
    for (let i = 0; i < 4; i++) {
      const from = c.mark();
      c.send({ type: 'response.create' });
      await c.waitFor('response.done', () => true, from);
    }
    // Turn 0 (typed): the stall. After response.created, nothing at all.
    c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Are you there?' }] } });
    await c.waitFor('conversation.item.added', (e) => (e.item as { role: string }).role === 'user');
    const from = c.mark();
    c.send({ type: 'response.create' });
    await c.waitFor('response.created', () => true, from);
    await new Promise((r) => setTimeout(r, 300));
    const silentFrom = c.mark();
    c.send({ type: 'response.create' });
    await new Promise((r) => setTimeout(r, 300));
    expect(c.types(silentFrom)).toEqual([]);
    expect(c.ws.readyState).toBe(c.ws.OPEN);

    // A session told the conversation so far resumes after the fault that ended the last one.
    const d = await connect();
    d.send({ type: 'conversation.item.create', item: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello again.' }] } });
    d.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Are you there?' }] } });
    d.send({ type: 'response.create' });
    expect((await d.waitFor('response.output_audio_transcript.done')).transcript).toBe('Yes, still here.');
    await d.waitFor('response.done');

    // Turn 1: the socket dies without a close frame.
    const dropped = closed(d);
    d.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hang on.' }] } });
    d.send({ type: 'response.create' });
    expect(await dropped).toBe(1006);

    // Turn 2 on a fresh restored session: the lifetime-cap error, then a close.
    const e = await connect();
    e.send({ type: 'conversation.item.create', item: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello again.' }] } });
    for (const text of ['Are you there?', 'Hang on.']) {
      e.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
    }
    // The resumed turn's drop has happened already: the session answers instead.
    e.send({ type: 'response.create' });
    await e.waitFor('response.done');
    e.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Still there?' }] } });
    const expired = closed(e);
    e.send({ type: 'response.create' });
    const err = await e.waitFor('error');
    expect(err.error).toMatchObject({ type: 'invalid_request_error', code: 'session_expired' });
    expect(classifyServerEvent(err)?.known).toBe(true);
    expect(await expired).toBe(1000);
  });

  it('ends a session at its lifetime cap', async () => {
    const capped = await startEmulator({ speech: { engine: 'synthetic' }, maxSessionMs: 200 });
    try {
      const c = await RawClient.connect(capped.url);
      const done = closed(c);
      const err = await c.waitFor('error');
      expect(err.error).toMatchObject({ code: 'session_expired' });
      expect(await done).toBe(1000);
    } finally {
      await capped.close();
    }
  });
});

describe('fault steps in scenarios', () => {
  it('refuse a fault step that also speaks or acts', () => {
    expect(() => parseScenario(`
name: bad
vertical: test
turns:
  - caller: Hi.
    agent:
      - say: Hello.
        fault: { kind: drop }
`)).toThrow(ScenarioError);
    expect(() => parseScenario(`
name: bad
vertical: test
turns:
  - caller: Hi.
    agent:
      - fault: { kind: meltdown }
`)).toThrow(/kind/);
  });

  it('reads the back-off a service message names', () => {
    expect(retryAfterMsOf('Rate limit reached. Please try again in 1.5s.')).toBe(1500);
    expect(retryAfterMsOf('Please try again in 300ms.')).toBe(300);
    expect(retryAfterMsOf('Something else.')).toBeUndefined();
  });
});
