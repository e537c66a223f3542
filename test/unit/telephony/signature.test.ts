import { computeTwilioSignature, validateTwilioSignature } from '../../../src/telephony/twilio/signature.js';

// The example from Twilio's security documentation (and its helper libraries' tests).
const token = '12345';
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
const documented = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

describe('Twilio request signatures', () => {
  it('computes the signature of Twilio\'s documented example', () => {
    expect(computeTwilioSignature(token, url, params)).toBe(documented);
  });

  it('accepts the right signature, whatever order the params arrive in', () => {
    const reversed = Object.fromEntries(Object.entries(params).reverse());
    expect(validateTwilioSignature(token, documented, url, reversed)).toBe(true);
  });

  it('refuses a missing signature, a wrong token, a changed param and a different URL', () => {
    expect(validateTwilioSignature(token, undefined, url, params)).toBe(false);
    expect(validateTwilioSignature(token, '', url, params)).toBe(false);
    expect(validateTwilioSignature('54321', documented, url, params)).toBe(false);
    expect(validateTwilioSignature(token, documented, url, { ...params, Digits: '1235' })).toBe(false);
    expect(validateTwilioSignature(token, documented, 'https://mycompany.com/myapp.php?foo=1&bar=3', params)).toBe(false);
    expect(validateTwilioSignature(token, documented.slice(0, -2), url, params)).toBe(false);
  });

  it('accepts a URL signed with or without the default port', () => {
    const withPort = computeTwilioSignature(token, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params);
    expect(validateTwilioSignature(token, withPort, url, params)).toBe(true);
    expect(validateTwilioSignature(token, documented, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params)).toBe(true);
    const other = computeTwilioSignature(token, 'https://mycompany.com:8443/myapp.php?foo=1&bar=2', params);
    expect(validateTwilioSignature(token, other, url, params)).toBe(false);
  });

  it('signs a WebSocket upgrade over its wss URL with no params', () => {
    const wss = 'wss://gw.example.com/twilio/stream';
    const sig = computeTwilioSignature(token, wss);
    expect(validateTwilioSignature(token, sig, wss)).toBe(true);
    expect(validateTwilioSignature(token, sig, 'wss://gw.example.com/twilio/other')).toBe(false);
  });
});
