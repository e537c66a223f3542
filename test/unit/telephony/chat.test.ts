import {
  ChatConnection, chatSerializer, createChatCarrier, isChatSid, MAX_CHAT_MESSAGE_BYTES, MAX_CHAT_TEXT_CHARS, newChatSid, parseChatMessage,
  type CallEvent,
} from '../../../src/telephony/index.js';

describe('the chat wire format', () => {
  it('reads start, message and end, trimming the text', () => {
    expect(parseChatMessage('{"type":"start","vertical":"salon"}')).toEqual({ ok: true, message: { type: 'start', vertical: 'salon' } });
    expect(parseChatMessage('{"type":"message","text":"  hi there \\n"}')).toEqual({ ok: true, message: { type: 'message', text: 'hi there' } });
    expect(parseChatMessage('{"type":"end"}')).toEqual({ ok: true, message: { type: 'end' } });
  });

  it.each([
    ['not JSON', '{"type":', 'CHAT_BAD_MESSAGE'],
    ['an unknown type', '{"type":"dance"}', 'CHAT_BAD_MESSAGE'],
    ['a text that is not a string', '{"type":"message","text":7}', 'CHAT_BAD_MESSAGE'],
    ['an extra key', '{"type":"end","now":true}', 'CHAT_BAD_MESSAGE'],
    ['an empty text', '{"type":"message","text":"   "}', 'CHAT_BAD_MESSAGE'],
    ['a start with no vertical', '{"type":"start"}', 'CHAT_BAD_MESSAGE'],
    ['an over-long text', JSON.stringify({ type: 'message', text: 'a'.repeat(MAX_CHAT_TEXT_CHARS + 1) }), 'CHAT_MESSAGE_TOO_LARGE'],
    ['a 1 MB message', JSON.stringify({ type: 'message', text: 'a'.repeat(1024 * 1024) }), 'CHAT_MESSAGE_TOO_LARGE'],
    ['multi-byte text over the byte cap', JSON.stringify({ type: 'message', text: '€'.repeat(Math.ceil(MAX_CHAT_MESSAGE_BYTES / 3) + 1) }), 'CHAT_MESSAGE_TOO_LARGE'],
  ])('refuses %s with a coded error', (_what, raw, code) => {
    const r = parseChatMessage(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.message.length).toBeGreaterThan(5);
    }
  });

  it('maps end to the stop a phone stream carries, and nothing else to a call event', () => {
    expect(chatSerializer.parse('{"type":"end"}')).toEqual({ ok: true, event: { type: 'stop', reason: 'caller ended the chat' } });
    expect(chatSerializer.parse('{"type":"message","text":"hi"}')).toMatchObject({ ok: false, code: 'CHAT_NOT_A_CALL_EVENT' });
  });

  it('names chats like call sids with their own prefix', () => {
    const sid = newChatSid();
    expect(isChatSid(sid)).toBe(true);
    expect(isChatSid(`CA${sid.slice(2)}`)).toBe(false);
    expect(newChatSid()).not.toBe(sid);
  });
});

describe('a chat connection', () => {
  const open = () => new ChatConnection({ callSid: 'CH1', params: { callSid: 'CH1', vertical: 'salon', version: 'v1' } });

  it('starts at once with the stream parameters, acknowledges marks and drops audio', async () => {
    const conn = open();
    const start = await conn.started;
    expect(start).toMatchObject({ type: 'start', callSid: 'CH1', customParameters: { callSid: 'CH1', vertical: 'salon', version: 'v1' } });
    const events: CallEvent[] = [];
    conn.on('event', (e) => events.push(e));
    conn.sendAudioFrame('AAAA');
    conn.sendMark('m1');
    expect(events).toEqual([]);
    await Promise.resolve();
    expect(events).toEqual([{ type: 'mark', name: 'm1' }]);
    expect(conn.framesDropped).toBe(1);
    expect(conn.bufferedAmount).toBe(0);
  });

  it('ends with stop and a clean close when the page ends it, and with lost when the page vanishes', () => {
    const ended = open();
    const events: CallEvent[] = [];
    const closes: unknown[] = [];
    ended.on('event', (e) => events.push(e));
    ended.on('close', (info) => closes.push(info));
    ended.hangUp();
    ended.lose('late');
    expect(events).toEqual([{ type: 'stop', reason: 'caller ended the chat' }]);
    expect(closes).toEqual([{ code: 1000, reason: 'caller ended the chat' }]);

    const vanished = open();
    const lost: unknown[] = [];
    vanished.on('close', (info) => lost.push(info));
    vanished.lose('socket closed');
    vanished.close(1000, 'again');
    expect(lost).toEqual([{ code: 1001, reason: 'peer lost', lost: true }]);
  });

  it('is one carrier among the others: channel chat, hang-up closes the chat, capacity is enforced', async () => {
    const carrier = createChatCarrier({ maxChats: 1 });
    expect(carrier.channel).toBe('chat');
    const conn = carrier.open({ callSid: 'CH2', params: {} });
    expect(() => carrier.open({ callSid: 'CH3', params: {} })).toThrow(expect.objectContaining({ code: 'CHAT_BUSY' }));
    await carrier.callControl.hangUp('CH2');
    expect(conn.closed).toEqual({ code: 1000, reason: 'the agent ended the chat' });
    expect(carrier.live.size).toBe(0);
    expect(carrier.stream.authenticate({ url: '/chat/stream', headers: {} })).toMatchObject({ ok: false, code: 'CHAT_NO_WEBSOCKET' });
  });
});
