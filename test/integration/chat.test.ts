/**
 * Chat with a vertical over the console's WebSocket on loopback: a real gateway, the real
 * CallManager, the emulator engine (rules brain, text-only responses), Postgres and in-process
 * analysis. A typed turn makes salon's front desk hand off and its specialist call a tool; the
 * page sees the records as they are written; the chat is finalised (channel chat) and analysed.
 */
import { ChatClient } from '../fakes/chatClient.js';
import { startConsoleGateway, type ConsoleGateway } from './consoleGateway.js';
import { eventually } from './realtimeHarness.js';

const SERVICES = 'What services do you offer, and how much does a haircut cost?';

describe('chat with a vertical', () => {
  let gw: ConsoleGateway;

  beforeAll(async () => {
    gw = await startConsoleGateway();
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

    const mark = chat.received.length;
    chat.send({ type: 'message', text: SERVICES });
    await chat.waitFor((m) => m.type === 'transcript' && m.role === 'caller' && m.text === SERVICES, 'the typed turn recorded', 15_000, mark);
    const handoff = await chat.waitFor((m) => m.type === 'handoff', 'a handoff', 15_000, mark);
    expect(handoff).toMatchObject({ from: 'Front Desk', to: 'Services and Prices' });
    const tool = await chat.waitFor((m) => m.type === 'tool' && m.status === 'ok', 'a tool outcome', 15_000, mark);
    expect(tool).toMatchObject({ name: 'salon_list_services', agent: 'Services and Prices' });
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
    const handoffs = await gw.store.handoffs.list(row.id);
    expect(handoffs.map((h) => [h.fromAgent, h.toAgent])).toContainEqual(['Front Desk', 'Services and Prices']);
    // The model answered in text only: not one audio frame reached the chat.
    expect(conn.framesDropped).toBe(0);
    expect(gw.chat.live.has(started.callSid)).toBe(false);
  }, 60_000);
});
