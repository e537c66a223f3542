import { apologyTwiml, connectStreamTwiml, dialTwiml, escapeXml, sayAndHangUpTwiml } from '../../../src/telephony/twilio/twiml.js';

describe('TwiML', () => {
  it('connects a bidirectional stream with its parameters, escaped', () => {
    expect(connectStreamTwiml({ url: 'wss://gw.example.com/twilio/stream', parameters: { vertical: 'salon', note: 'a&b "c"' } })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://gw.example.com/twilio/stream">' +
        '<Parameter name="vertical" value="salon"/><Parameter name="note" value="a&amp;b &quot;c&quot;"/></Stream></Connect></Response>',
    );
  });

  it('apologises and hangs up', () => {
    const xml = apologyTwiml();
    expect(xml).toMatch(/<Say>.*not in service.*<\/Say><Hangup\/><\/Response>$/);
    expect(sayAndHangUpTwiml()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
    expect(sayAndHangUpTwiml('Bye <now>', { voice: 'alice' })).toContain('<Say voice="alice">Bye &lt;now&gt;</Say><Hangup/>');
  });

  it('dials a number, optionally saying something first and with a caller id', () => {
    expect(dialTwiml('+14155550100', { say: 'Transferring you.', callerId: '+14155550199' })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Transferring you.</Say><Dial callerId="+14155550199"><Number>+14155550100</Number></Dial></Response>',
    );
  });

  it('escapes all five XML specials', () => {
    expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&apos;');
  });
});
