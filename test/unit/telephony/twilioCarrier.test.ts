import { createCarriers, CARRIERS, createTwilioCarrier, computeTwilioSignature, twilioCallStatus, TWILIO_MEDIA, TWILIO_PATHS } from '../../../src/telephony/index.js';

describe('the Twilio carrier', () => {
  it('reads terminal call statuses as ended, completed or failed, and anything else as ongoing', () => {
    expect(twilioCallStatus('completed')).toEqual({ ended: true, outcome: 'completed' });
    for (const s of ['busy', 'failed', 'no-answer', 'canceled']) expect(twilioCallStatus(s)).toEqual({ ended: true, outcome: 'failed' });
    for (const s of ['queued', 'ringing', 'in-progress', 'whatever']) expect(twilioCallStatus(s)).toEqual({ ended: false });
  });

  it('declares Media Streams audio: μ-law 8 kHz in 20 ms frames of 160 bytes', () => {
    const twilio = createTwilioCarrier({ publicUrl: 'https://gw.example.test' });
    expect(twilio.media).toBe(TWILIO_MEDIA);
    expect(TWILIO_MEDIA).toEqual({ encoding: 'audio/x-mulaw', sampleRateHz: 8000, frameMs: 20, frameBytes: 160, silenceByte: 0xff });
    expect(twilio.serializer.carrier).toBe('twilio');
    expect(twilio.stream.path).toBe(TWILIO_PATHS.stream);
  });

  it('authenticates the stream upgrade by its signature over the public wss URL, with or without the default port', () => {
    const token = 'secret-token';
    const twilio = createTwilioCarrier({ publicUrl: 'https://gw.example.test/', authToken: token });
    expect(twilio.signatureCheck).toBe(true);
    const url = '/twilio/stream?x=1';
    const sign = (u: string) => ({ 'x-twilio-signature': computeTwilioSignature(token, u) });
    expect(twilio.stream.authenticate({ url, headers: sign('wss://gw.example.test/twilio/stream?x=1') })).toEqual({ ok: true });
    expect(twilio.stream.authenticate({ url, headers: sign('wss://gw.example.test:443/twilio/stream?x=1') })).toEqual({ ok: true });
    expect(twilio.stream.authenticate({ url, headers: sign('wss://elsewhere.test/twilio/stream?x=1') })).toEqual({ ok: false, status: 403, code: 'TWILIO_SIGNATURE_INVALID', outcome: 'bad_signature' });
    expect(twilio.stream.authenticate({ url, headers: {} })).toMatchObject({ ok: false, status: 403 });
    const unsigned = createTwilioCarrier({ publicUrl: 'https://gw.example.test', authToken: token, checkSignatures: false });
    expect(unsigned.signatureCheck).toBe(false);
    expect(unsigned.stream.authenticate({ url, headers: {} })).toEqual({ ok: true });
  });

  it('is built from its config section by the registry: REST call control with credentials, offline without', () => {
    const warnings: string[] = [];
    const log = { debug: () => undefined, info: () => undefined, warn: (m: string) => void warnings.push(m) };
    const [offline] = createCarriers({ publicUrl: 'http://localhost:3000', settings: {}, log });
    expect(offline!.name).toBe('twilio');
    expect(offline!.signatureCheck).toBe(false);
    expect((offline!.callControl as unknown as { offline: boolean }).offline).toBe(true);
    expect(warnings).toEqual(['TWILIO_AUTH_TOKEN is not set: Twilio webhook and stream signatures are NOT checked']);

    const settings = { twilio: { accountSid: `AC${'0'.repeat(32)}`, authToken: 'tok', apiBaseUrl: 'http://127.0.0.1:1' } };
    const [online] = createCarriers({ publicUrl: 'http://localhost:3000', settings }, CARRIERS);
    expect(online!.signatureCheck).toBe(true);
    expect((online!.callControl as unknown as { offline: boolean }).offline).toBe(false);
    expect(online!.sms).toBe(online!.callControl);
  });

  it('refuses a malformed config section with a config error naming the key', () => {
    expect(() => createCarriers({ publicUrl: 'http://x', settings: { twilio: { authToken: 42 } } })).toThrow(/twilio\.authToken/);
  });
});
