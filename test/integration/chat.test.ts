/**
 * Chat with a vertical over the console's WebSocket on loopback: a real gateway, the real
 * CallManager, the emulator engine (rules brain, text-only responses), Postgres and in-process
 * analysis. A typed turn makes salon's front desk hand off and its specialist call a tool; the
 * page sees the records as they are written; the chat is finalised (channel chat) and analysed.
 */
import { buildProgram } from '../../src/cli/main.js';
import { makeCallsCommand } from '../../src/cli/commands/calls.js';
import { openStore } from '../../src/store/index.js';
import { ChatClient } from '../fakes/chatClient.js';
import { TEST_DATABASE_URL } from './storeSuite.js';
import { startConsoleGateway, type ConsoleGateway } from './consoleGateway.js';
import { eventually } from './realtimeHarness.js';

const SERVICES = 'What services do you offer, and how much does a haircut cost?';

describe('chat with a vertical', () => {
  let gw: ConsoleGateway;

  beforeAll(async () => {
    gw = await startConsoleGateway({ verticals: ['salon', 'sales'] });
  }, 60_000);

  afterAll(async () => {
    await gw?.close();
  }, 60_000);

  async function analysed(callSid: string, reason: string) {
    const row = await eventually(async () => {
      const r = await gw.store.calls.getBySid(callSid);
      return r?.endedAt ? r : undefined;
    }, 'the chat finalised', 20_000);
    expect(row.endReason).toBe(reason);
    expect(row.channel).toBe('chat');
    gw.processing.nudge();
    const analysis = await eventually(async () => gw.store.analysis.get(gw.store.dbForVertical(gw.catalog.get('salon')!.manifest), row.id), 'the analysis', 20_000);
    return { row, analysis };
  }

  it('answers typed turns in text with the same agents, tools, handoffs, records and analysis', async () => {
    const chat = await ChatClient.open(gw.baseUrl);
    chat.send({ type: 'start', vertical: 'salon' });
    const started = await chat.waitFor((m) => m.type === 'started', 'started');
    if (started.type !== 'started') throw new Error('unreachable');
    expect(started.callSid).toMatch(/^CH[0-9a-f]{32}$/);
    expect(started.vertical).toBe('salon');
    const greeting = await chat.waitFor((m) => m.type === 'transcript' && m.role === 'assistant', 'the greeting');
    expect(greeting).toMatchObject({ agent: 'Front Desk', text: expect.stringContaining('Luna Hair Studio') });
    const conn = gw.chat.live.get(started.callSid)!;
    // Same compiled vertical and version, but typing is slower than speaking: 4× the silence timeout.
    const live = gw.manager.get(started.callSid)!;
    expect(live.vertical.graph).toBe(gw.catalog.get('salon')!.graph);
    expect(live.vertical.version).toBe(gw.catalog.get('salon')!.version);
    expect(live.vertical.manifest.limits.silenceTimeoutMs).toBe(4 * gw.catalog.get('salon')!.manifest.limits.silenceTimeoutMs);

    const mark = chat.received.length;
    chat.send({ type: 'message', text: SERVICES });
    await chat.waitFor((m) => m.type === 'transcript' && m.role === 'caller' && m.text === SERVICES, 'the typed turn recorded', 15_000, mark);
    const handoff = await chat.waitFor((m) => m.type === 'handoff', 'a handoff', 15_000, mark);
    expect(handoff).toMatchObject({ from: 'Front Desk', to: 'Services and Prices' });
    const tool = await chat.waitFor((m) => m.type === 'tool' && m.status === 'ok', 'a tool outcome', 15_000, mark);
    expect(tool).toMatchObject({ name: 'salon_list_services', agent: 'Services and Prices' });
    // Each record says when it happened: the handoff came before the tool ran, whatever order the writes landed in.
    const running = chat.of('tool').find((t) => t.status === 'running' && t.name === 'salon_list_services')!;
    if (handoff.type !== 'handoff') throw new Error('unreachable');
    expect(handoff.offsetMs).toEqual(expect.any(Number));
    expect(running.offsetMs).toBeGreaterThanOrEqual(handoff.offsetMs!);
    const after = chat.received.indexOf(tool);
    const answer = await chat.waitFor((m) => m.type === 'transcript' && m.role === 'assistant' && m.agent === 'Services and Prices', 'the answer in text', 15_000, after);
    expect(answer.type === 'transcript' && answer.text.length).toBeGreaterThan(10);

    chat.send({ type: 'end' });
    const ended = await chat.waitFor((m) => m.type === 'ended', 'ended');
    expect(ended).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    expect((await chat.waitClosed()).code).toBe(1000);

    const { row, analysis } = await analysed(started.callSid, 'caller_hangup');
    expect(row.engine).toBe('emulator');
    expect(analysis).toBeTruthy();
    const transcript = await gw.store.transcripts.list(row.id);
    expect(transcript.map((t) => t.role)).toEqual(expect.arrayContaining(['assistant', 'caller']));
    expect(transcript.find((t) => t.role === 'caller')?.text).toBe(SERVICES);
    const tools = await gw.store.toolInvocations.list(row.id);
    expect(tools.map((t) => [t.toolName, t.status])).toContainEqual(['salon_list_services', 'ok']);
    // Each typed turn has its latency, numbered by turn, like a spoken one.
    const typedLatency = (await gw.store.latency.list(row.id)).filter((l) => l.metric === 'turn.typed_to_answer');
    expect(typedLatency.map((l) => l.turn)).toEqual([1]);
    expect(typedLatency[0]!.valueMs).toBeGreaterThanOrEqual(0);
    const handoffs = await gw.store.handoffs.list(row.id);
    expect(handoffs.map((h) => [h.fromAgent, h.toAgent])).toContainEqual(['Front Desk', 'Services and Prices']);
    // `calls show` prints the channel.
    const out: string[] = [];
    const run = { io: { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s) }, exitCode: 0 };
    const calls = makeCallsCommand({ storeOptions: () => ({ databaseUrl: TEST_DATABASE_URL, schema: gw.schema, poolSize: 1 }), openStore });
    await buildProgram(run, [calls]).parseAsync(['node', 'switchboard', 'calls', 'show', started.callSid]);
    expect(out.join('\n')).toMatch(/vertical salon@\S+ {2}channel chat {2}engine emulator/);
    // The model answered in text only: not one audio frame reached the chat.
    expect(conn.framesDropped).toBe(0);
    expect(gw.chat.live.has(started.callSid)).toBe(false);
  }, 60_000);

  it('chats with a cascade vertical: its text agents answer typed turns in text', async () => {
    const chat = await ChatClient.open(gw.baseUrl);
    chat.send({ type: 'start', vertical: 'sales' });
    const started = await chat.waitFor((m) => m.type === 'started', 'started');
    if (started.type !== 'started') throw new Error('unreachable');
    await chat.waitFor((m) => m.type === 'transcript' && m.role === 'assistant', 'the greeting');
    const mark = chat.received.length;
    chat.send({ type: 'message', text: 'Does Fieldline work with QuickBooks?' });
    // Offline, the Responses peer's rule-based brain answers (no scenario pairs typed chat).
    const answer = await chat.waitFor((m) => m.type === 'transcript' && m.role === 'assistant', 'an answer in text', 15_000, mark);
    expect(answer.type === 'transcript' && answer.text.length).toBeGreaterThan(5);
    chat.send({ type: 'end' });
    await chat.waitFor((m) => m.type === 'ended', 'ended');
    const row = await eventually(async () => {
      const r = await gw.store.calls.getBySid(started.callSid);
      return r?.endedAt ? r : undefined;
    }, 'the chat finalised', 20_000);
    expect(row.engine).toBe('emulator/cascade');
    expect(row.channel).toBe('chat');
    // The typed turn is on the record once (the engine's echo of it is recognised, whenever it comes).
    const typed = (await gw.store.transcripts.list(row.id)).filter((t) => t.role === 'caller').map((t) => t.text);
    expect(typed).toEqual(['Does Fieldline work with QuickBooks?']);
    expect(gw.chat.live.get(started.callSid)?.framesDropped ?? 0).toBe(0);
  }, 60_000);

  it('answers bad input with a coded error to that page only, and the chat goes on', async () => {
    const bad = await ChatClient.open(gw.baseUrl);
    const neighbour = await ChatClient.open(gw.baseUrl);
    neighbour.send({ type: 'start', vertical: 'salon' });
    bad.send({ type: 'message', text: 'hello?' });
    expect(await bad.waitFor((m) => m.type === 'error', 'not started')).toMatchObject({ code: 'CHAT_NOT_STARTED' });
    bad.send({ type: 'start', vertical: 'no-such-vertical' });
    expect(await bad.waitFor((m) => m.type === 'error' && m.code !== 'CHAT_NOT_STARTED', 'unknown vertical')).toMatchObject({ code: 'CHAT_UNKNOWN_VERTICAL' });
    bad.send({ type: 'start', vertical: 'salon' });
    const started = await bad.waitFor((m) => m.type === 'started', 'started');
    await bad.waitFor((m) => m.type === 'transcript' && m.role === 'assistant', 'the greeting');

    let mark = bad.received.length;
    bad.send('{"type": "message", "text": ');
    expect(await bad.waitFor((m) => m.type === 'error', 'malformed', 5000, mark)).toMatchObject({ code: 'CHAT_BAD_MESSAGE', message: expect.stringContaining('not JSON') });
    mark = bad.received.length;
    bad.send({ type: 'message', text: 42 });
    expect(await bad.waitFor((m) => m.type === 'error', 'wrong shape', 5000, mark)).toMatchObject({ code: 'CHAT_BAD_MESSAGE' });
    mark = bad.received.length;
    bad.send({ type: 'message', text: 'x'.repeat(1024 * 1024) });
    expect(await bad.waitFor((m) => m.type === 'error', 'a 1 MB message', 10_000, mark)).toMatchObject({ code: 'CHAT_MESSAGE_TOO_LARGE' });
    mark = bad.received.length;
    bad.send({ type: 'message', text: 'y'.repeat(5000) });
    expect(await bad.waitFor((m) => m.type === 'error', 'an over-long text', 5000, mark)).toMatchObject({ code: 'CHAT_MESSAGE_TOO_LARGE' });
    mark = bad.received.length;
    bad.send({ type: 'start', vertical: 'salon' });
    expect(await bad.waitFor((m) => m.type === 'error', 'a second start', 5000, mark)).toMatchObject({ code: 'CHAT_ALREADY_STARTED' });

    // Still a working chat: the next turn is answered.
    mark = bad.received.length;
    bad.send({ type: 'message', text: 'What are your opening hours?' });
    await bad.waitFor((m) => m.type === 'transcript' && m.role === 'assistant', 'an answer after the errors', 15_000, mark);
    // The neighbour saw none of it.
    await neighbour.waitFor((m) => m.type === 'transcript' && m.role === 'assistant', 'the neighbour greeted');
    expect(neighbour.of('error')).toEqual([]);
    neighbour.send({ type: 'end' });
    await neighbour.waitFor((m) => m.type === 'ended', 'the neighbour ended');
    bad.send({ type: 'end' });
    await bad.waitFor((m) => m.type === 'ended', 'ended');
    if (started.type !== 'started') throw new Error('unreachable');
    // Nothing the page sent wrongly reached the records.
    const { row } = await analysed(started.callSid, 'caller_hangup');
    const callerLines = (await gw.store.transcripts.list(row.id)).filter((t) => t.role === 'caller').map((t) => t.text);
    expect(callerLines).toEqual(['What are your opening hours?']);
  }, 60_000);

  it('closes a socket that starts no chat, with a coded error', async () => {
    const idle = await ChatClient.open(gw.baseUrl);
    const closed = await idle.waitClosed(10_000);
    expect(closed.code).toBe(1008);
    expect(idle.of('error')).toEqual([{ type: 'error', code: 'CHAT_NOT_STARTED', message: expect.stringContaining('no chat was started') }]);
  }, 20_000);

  it('finalises and analyses a chat whose page vanished (peer_lost)', async () => {
    const chat = await ChatClient.open(gw.baseUrl);
    chat.send({ type: 'start', vertical: 'salon' });
    const started = await chat.waitFor((m) => m.type === 'started', 'started');
    await chat.waitFor((m) => m.type === 'transcript' && m.role === 'assistant', 'the greeting');
    if (started.type !== 'started') throw new Error('unreachable');
    chat.ws.terminate();
    const { analysis } = await analysed(started.callSid, 'peer_lost');
    expect(analysis).toBeTruthy();
    expect(gw.chat.live.has(started.callSid)).toBe(false);
  }, 60_000);

  it('ends the chat when the agent hangs up, and refuses a transfer with a coded error', async () => {
    const chat = await ChatClient.open(gw.baseUrl);
    chat.send({ type: 'start', vertical: 'salon' });
    await chat.waitFor((m) => m.type === 'transcript' && m.role === 'assistant', 'the greeting');
    await expect(gw.chat.callControl.transfer('CH0', '+15550100199')).rejects.toMatchObject({ code: 'CHAT_TRANSFER_UNSUPPORTED' });
    chat.send({ type: 'message', text: 'That is all, thanks. Goodbye!' });
    const ended = await chat.waitFor((m) => m.type === 'ended', 'the agent ended the chat', 20_000);
    expect(ended).toMatchObject({ endReason: 'agent_hangup' });
    expect(chat.of('tool').map((t) => t.name)).toContain('end_call');
  }, 60_000);
});

describe('chat access', () => {
  let gw: ConsoleGateway;

  beforeAll(async () => {
    gw = await startConsoleGateway({ adminToken: 'chat-token' });
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
  }, 60_000);

  it('needs a console session when ADMIN_TOKEN is set, and refuses other origins', async () => {
    await expect(ChatClient.open(gw.baseUrl)).rejects.toThrow(/401/);
    const login = await fetch(`${gw.baseUrl}/console/login`, { method: 'POST', body: new URLSearchParams({ token: 'chat-token' }), redirect: 'manual' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(cookie).toMatch(/^sb_console=/);
    await expect(ChatClient.open(gw.baseUrl, { cookie, origin: 'http://evil.example' })).rejects.toThrow(/403/);
    const chat = await ChatClient.open(gw.baseUrl, { cookie, origin: gw.baseUrl });
    chat.send({ type: 'start', vertical: 'salon' });
    await chat.waitFor((m) => m.type === 'transcript' && m.role === 'assistant', 'the greeting');
    chat.send({ type: 'end' });
    await chat.waitFor((m) => m.type === 'ended', 'ended');
  }, 60_000);

  it('takes typed turns for live browser calls only, with coded errors', async () => {
    const login = await fetch(`${gw.baseUrl}/console/login`, { method: 'POST', body: new URLSearchParams({ token: 'chat-token' }), redirect: 'manual' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const post = (sid: string, body: string) => fetch(`${gw.baseUrl}/console/api/calls/${sid}/messages`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body });
    const unauth = await fetch(`${gw.baseUrl}/console/api/calls/WR${'0'.repeat(32)}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"hi"}' });
    expect(unauth.status).toBe(401);
    const cases: Array<[string, string, number, string]> = [
      [`WR${'0'.repeat(32)}`, '{"text":"hi"}', 404, 'CONSOLE_UNKNOWN_CALL'],
      [`CA${'0'.repeat(32)}`, '{"text":"hi"}', 404, 'CONSOLE_UNKNOWN_CALL'],
      [`WR${'0'.repeat(32)}`, '{"text":', 400, 'CHAT_BAD_MESSAGE'],
      [`WR${'0'.repeat(32)}`, '{"words":"hi"}', 400, 'CHAT_BAD_MESSAGE'],
      [`WR${'0'.repeat(32)}`, JSON.stringify({ text: 'z'.repeat(1024 * 1024) }), 413, 'CHAT_MESSAGE_TOO_LARGE'],
    ];
    for (const [sid, body, status, code] of cases) {
      const res = await post(sid, body);
      expect([sid.slice(0, 2), body.slice(0, 12), res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([sid.slice(0, 2), body.slice(0, 12), status, code]);
    }
  }, 30_000);
});

describe('a chat whose model is unavailable', () => {
  let gw: ConsoleGateway;

  beforeAll(async () => {
    gw = await startConsoleGateway({ modelUrl: 'ws://127.0.0.1:1/v1/realtime' });
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
  }, 60_000);

  it('cannot be transferred to the vertical\'s human number, so it apologises, ends (model_unavailable) and is analysed', async () => {
    const chat = await ChatClient.open(gw.baseUrl);
    chat.send({ type: 'start', vertical: 'salon' });
    const started = await chat.waitFor((m) => m.type === 'started', 'started');
    if (started.type !== 'started') throw new Error('unreachable');
    chat.send({ type: 'message', text: 'Hello?' });
    const ended = await chat.waitFor((m) => m.type === 'ended', 'the chat ended', 30_000);
    expect(ended).toMatchObject({ status: 'failed', endReason: 'model_unavailable' });
    const row = await eventually(async () => {
      const r = await gw.store.calls.getBySid(started.callSid);
      return r?.endedAt ? r : undefined;
    }, 'the chat finalised', 20_000);
    expect(row.channel).toBe('chat');
    gw.processing.nudge();
    await eventually(async () => gw.store.analysis.get(gw.store.dbForVertical(gw.catalog.get('salon')!.manifest), row.id), 'the analysis', 20_000);
  }, 60_000);
});
