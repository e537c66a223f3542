import { twilioSerializer } from '../../../src/telephony/twilio/serializer.js';
import { CARRIER_ERROR } from '../../../src/telephony/errors.js';
import type { CallEvent } from '../../../src/telephony/types.js';

const frame = Buffer.alloc(160, 0xff).toString('base64');
const streamSid = 'MZ00000000000000000000000000000001';

// Messages exactly as Twilio's Media Streams documentation shows them.
const wire = {
  connected: '{"event":"connected","protocol":"Call","version":"1.0.0"}',
  start: JSON.stringify({
    event: 'start',
    sequenceNumber: '1',
    start: {
      accountSid: 'AC00000000000000000000000000000000',
      streamSid,
      callSid: 'CA00000000000000000000000000000001',
      tracks: ['inbound'],
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      customParameters: { vertical: 'salon', version: 'abc123' },
    },
    streamSid,
  }),
  media: `{"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"1","timestamp":"5","payload":"${frame}"},"streamSid":"${streamSid}"}`,
  mark: `{"event":"mark","sequenceNumber":"4","streamSid":"${streamSid}","mark":{"name":"m-1"}}`,
  dtmf: `{"event":"dtmf","streamSid":"${streamSid}","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"1"}}`,
  stop: `{"event":"stop","sequenceNumber":"5","streamSid":"${streamSid}","stop":{"accountSid":"AC00000000000000000000000000000000","callSid":"CA00000000000000000000000000000001"}}`,
};

function ok(raw: string): CallEvent {
  const r = twilioSerializer.parse(raw);
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r.event;
}
function code(raw: string): string {
  const r = twilioSerializer.parse(raw);
  if (r.ok) throw new Error(`expected an error, got ${r.event.type}`);
  return r.code;
}

describe('twilio serializer: parse', () => {
  it('reads every inbound event Twilio sends', () => {
    expect(ok(wire.connected)).toEqual({ type: 'connected' });
    expect(ok(wire.start)).toEqual({
      type: 'start',
      streamSid,
      callSid: 'CA00000000000000000000000000000001',
      accountSid: 'AC00000000000000000000000000000000',
      tracks: ['inbound'],
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRateHz: 8000, channels: 1 },
      customParameters: { vertical: 'salon', version: 'abc123' },
    });
    expect(ok(wire.media)).toEqual({ type: 'audio', payloadBase64: frame, seq: 3, timestampMs: 5 });
    expect(ok(wire.mark)).toEqual({ type: 'mark', name: 'm-1' });
    expect(ok(wire.dtmf)).toEqual({ type: 'dtmf', digit: '1' });
    expect(ok(wire.stop)).toEqual({ type: 'stop' });
  });

  it('gives the same event for media on the fast path and the general path', () => {
    const reordered = JSON.stringify({ streamSid, event: 'media', sequenceNumber: '3', media: { track: 'inbound', chunk: '1', timestamp: '5', payload: frame } });
    expect(reordered.startsWith('{"event":"media"')).toBe(false);
    expect(ok(reordered)).toEqual(ok(wire.media));
  });

  it('gives the same mark on the fast path and the general path, escapes and extra fields included', () => {
    const reordered = JSON.stringify({ streamSid, event: 'mark', sequenceNumber: '4', mark: { name: 'm-1' } });
    expect(reordered.startsWith('{"event":"mark"')).toBe(false);
    expect(ok(wire.mark)).toEqual(ok(reordered));
    const escaped = JSON.stringify({ event: 'mark', streamSid, mark: { name: 'say "hi" \\ ok' } });
    expect(ok(escaped)).toEqual({ type: 'mark', name: 'say "hi" \\ ok' });
    const extra = `{"event":"mark","streamSid":"${streamSid}","mark":{"name":"m-2"},"sequenceNumber":"9"}`;
    expect(ok(extra)).toEqual({ type: 'mark', name: 'm-2' });
    expect(code(`{"event":"mark","streamSid":"${streamSid}","mark":{"label":"m-3"}}`)).toBe(CARRIER_ERROR.missingField);
  });

  it('passes the base64 payload through unchanged', () => {
    const event = ok(wire.media);
    expect(event.type === 'audio' && event.payloadBase64).toBe(frame);
  });

  it('refuses bad JSON, unknown events, bad base64, oversized frames and missing fields with codes', () => {
    expect(code('{"event":"media",')).toBe(CARRIER_ERROR.badJson);
    expect(code('not json')).toBe(CARRIER_ERROR.badJson);
    expect(code('[1,2]')).toBe(CARRIER_ERROR.badJson);
    expect(code('{"event":"hello"}')).toBe(CARRIER_ERROR.unknownEvent);
    expect(code('{"event":"media","media":{"payload":"@@@@"}}')).toBe(CARRIER_ERROR.badBase64);
    expect(code('{"event":"media","media":{"payload":"abc"}}')).toBe(CARRIER_ERROR.badBase64);
    const big = Buffer.alloc(8000).toString('base64');
    expect(code(`{"event":"media","media":{"payload":"${big}"}}`)).toBe(CARRIER_ERROR.frameTooLarge);
    expect(code(JSON.stringify({ streamSid, event: 'media', media: { payload: big } }))).toBe(CARRIER_ERROR.frameTooLarge);
    expect(code('{"event":"media","media":{}}')).toBe(CARRIER_ERROR.missingField);
    expect(code('{"event":"start","start":{"streamSid":"MZ1"}}')).toBe(CARRIER_ERROR.missingField);
    expect(code('{"event":"mark","mark":{}}')).toBe(CARRIER_ERROR.missingField);
    expect(code('{"event":"dtmf"}')).toBe(CARRIER_ERROR.missingField);
    expect(code('{"sequenceNumber":"1"}')).toBe(CARRIER_ERROR.missingField);
  });

  it('accepts a frame a little larger than 160 bytes', () => {
    const larger = Buffer.alloc(640).toString('base64');
    expect(ok(`{"event":"media","media":{"payload":"${larger}"}}`)).toEqual({ type: 'audio', payloadBase64: larger });
  });
});

describe('twilio serializer: serialize', () => {
  it('writes media, mark and clear as Twilio expects', () => {
    expect(JSON.parse(twilioSerializer.serialize({ type: 'audio', payloadBase64: frame }, streamSid))).toEqual({ event: 'media', streamSid, media: { payload: frame } });
    expect(JSON.parse(twilioSerializer.serialize({ type: 'mark', name: 'a "quoted" mark' }, streamSid))).toEqual({ event: 'mark', streamSid, mark: { name: 'a "quoted" mark' } });
    expect(JSON.parse(twilioSerializer.serialize({ type: 'clear' }, streamSid))).toEqual({ event: 'clear', streamSid });
  });

  it('round-trips: a serialized media and mark parse back to the same payload and name', () => {
    const media = twilioSerializer.serialize({ type: 'audio', payloadBase64: frame }, streamSid);
    expect(ok(media)).toEqual({ type: 'audio', payloadBase64: frame });
    const mark = twilioSerializer.serialize({ type: 'mark', name: 'turn-3:17' }, streamSid);
    expect(ok(mark)).toEqual({ type: 'mark', name: 'turn-3:17' });
    expect(code(twilioSerializer.serialize({ type: 'clear' }, streamSid))).toBe(CARRIER_ERROR.unknownEvent);
  });

  it('quotes each stream id correctly when calls interleave', () => {
    const a = twilioSerializer.serialize({ type: 'clear' }, 'MZa');
    const b = twilioSerializer.serialize({ type: 'clear' }, 'MZ"b');
    expect(JSON.parse(a).streamSid).toBe('MZa');
    expect(JSON.parse(b).streamSid).toBe('MZ"b');
  });
});
