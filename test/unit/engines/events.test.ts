import { classifyServerEvent, itemText, parseServerEvent } from '../../../src/engines/openai-realtime/events.js';

describe('shared Realtime server event schemas', () => {
  it('parses a known event once into its typed shape, dropping keys nobody reads', () => {
    const parsed = parseServerEvent(JSON.stringify({
      type: 'conversation.item.added', event_id: 'e1', previous_item_id: null,
      item: { id: 'item_1', object: 'realtime.item', type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_audio', transcript: null, audio: 'AAAA' }] },
    }));
    expect(parsed).toEqual({
      known: true,
      event: {
        type: 'conversation.item.added', event_id: 'e1', previous_item_id: null,
        item: { id: 'item_1', object: 'realtime.item', type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_audio', transcript: null }] },
      },
    });
  });

  it('reads interrupt_response from a session echo', () => {
    const parsed = classifyServerEvent({
      type: 'session.updated', event_id: 'e2',
      session: { type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', interrupt_response: true, threshold: 0.5 } } } },
    });
    expect(parsed?.known && parsed.event.type === 'session.updated' && parsed.event.session.audio?.input?.turn_detection?.interrupt_response).toBe(true);
  });

  it('gives unknown events back as a generic shape instead of throwing', () => {
    expect(parseServerEvent('{"type":"rate_limits.updated","rate_limits":[]}')).toEqual({ known: false, event: { type: 'rate_limits.updated', rate_limits: [] } });
    expect(parseServerEvent('{"type":"something.new.from.openai","x":{"y":1}}')).toEqual({ known: false, event: { type: 'something.new.from.openai', x: { y: 1 } } });
  });

  it('gives a known event that fails its schema back as generic, untouched', () => {
    const bad = { type: 'response.output_audio_transcript.done', item_id: 7, transcript: null };
    expect(classifyServerEvent(bad)).toEqual({ known: false, event: bad });
    expect(classifyServerEvent({ type: 'conversation.item.added', item: { type: 'message' } })).toMatchObject({ known: false });
  });

  it('refuses what is not an event at all', () => {
    expect(parseServerEvent('{oops')).toBeUndefined();
    expect(classifyServerEvent(null)).toBeUndefined();
    expect(classifyServerEvent('text')).toBeUndefined();
    expect(classifyServerEvent({ type: 3 })).toBeUndefined();
  });

  it('joins the words of an item, transcripts before text', () => {
    expect(itemText({ id: 'i', type: 'message', content: [{ type: 'output_audio', transcript: 'Hello' }, { type: 'input_text', text: 'there' }, { type: 'input_audio', transcript: null }] })).toBe('Hello there');
    expect(itemText({ id: 'i', type: 'message', content: [{ type: 'input_audio', transcript: '' }] })).toBeUndefined();
    expect(itemText({ id: 'i', type: 'function_call' })).toBeUndefined();
  });
});
