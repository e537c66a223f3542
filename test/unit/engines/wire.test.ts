import { parseServerEvent } from '../../../src/engines/openai-realtime/events.js';
import { appendEventBytes, appendEventText, audioDeltaFromEvent, peekType, readAudioDelta, readIntField, readStringField } from '../../../src/engines/openai-realtime/wire.js';

describe('reading Realtime server events without parsing them', () => {
  const delta = JSON.stringify({ type: 'response.output_audio.delta', event_id: 'e1', response_id: 'resp_1', item_id: 'item_9', output_index: 0, content_index: 2, delta: 'AAEC/w==' });

  it('peeks the type of a compact event and gives up on anything else', () => {
    expect(peekType(delta)).toBe('response.output_audio.delta');
    expect(peekType('{ "type": "x" }')).toBeUndefined();
    expect(peekType('{"event_id":"e","type":"x"}')).toBeUndefined();
  });

  it('reads an audio delta exactly as JSON.parse would', () => {
    expect(readAudioDelta(delta, 12.5)).toEqual({ type: 'audio_delta', delta: 'AAEC/w==', itemId: 'item_9', responseId: 'resp_1', contentIndex: 2, receivedAtMs: 12.5 });
    expect(readAudioDelta(delta, 12.5)).toEqual(audioDeltaFromEvent(JSON.parse(delta), 12.5));
  });

  it('refuses values with escapes and missing fields, so the caller parses instead', () => {
    expect(readStringField('{"type":"t","delta":"a\\/b"}', 'delta')).toBeUndefined();
    expect(readAudioDelta('{"type":"response.output_audio.delta","delta":"AA=="}', 0)).toBeUndefined();
    expect(readIntField('{"content_index":17,"x":1}', 'content_index')).toBe(17);
    expect(readIntField('{"content_index":null}', 'content_index')).toBeUndefined();
  });

  it('builds the append event by concatenation, valid JSON carrying the payload untouched', () => {
    const payload = Buffer.alloc(160, 0x55).toString('base64');
    expect(JSON.parse(appendEventText(payload))).toEqual({ type: 'input_audio_buffer.append', audio: payload });
  });

  it('builds the same append event as bytes in one buffer', () => {
    const payload = Buffer.from([0, 1, 2, 250, 251, 252, 253]).toString('base64');
    const bytes = appendEventBytes(payload);
    expect(bytes.toString('utf8')).toBe(appendEventText(payload));
    expect(JSON.parse(bytes.toString('utf8'))).toEqual({ type: 'input_audio_buffer.append', audio: payload });
  });

  it('parses other events once and drops what is not an event', () => {
    expect(parseServerEvent('{"type":"response.done","response":{}}')).toEqual({ known: true, event: { type: 'response.done', response: {} } });
    expect(parseServerEvent('not json')).toBeUndefined();
    expect(parseServerEvent('[1,2]')).toBeUndefined();
    expect(parseServerEvent('{"no":"type"}')).toBeUndefined();
  });
});
