import { TwilioRestClient, TWILIO_ERROR, createCallControl } from '../../../src/telephony/twilio/rest.js';
import { startFakeTwilioApi, type FakeTwilioApi } from '../../fakes/twilioApi.js';

const accountSid = 'AC' + 'a'.repeat(32);
const authToken = 'secret-token';
let api: FakeTwilioApi;

beforeEach(async () => {
  api = await startFakeTwilioApi({ accountSid, authToken });
});
afterEach(async () => {
  await api.close();
});

const client = (over: Partial<ConstructorParameters<typeof TwilioRestClient>[0]> = {}) =>
  new TwilioRestClient({ accountSid, authToken, apiBaseUrl: api.url, retryBaseMs: 1, timeoutMs: 2000, ...over });

describe('Twilio REST client', () => {
  it('hangs up with TwiML on the call resource, authenticated', async () => {
    await client().hangUp('CA1', { say: 'Goodbye.' });
    expect(api.requests).toHaveLength(1);
    const r = api.requests[0]!;
    expect(r).toMatchObject({ method: 'POST', kind: 'call_update', accountSid, callSid: 'CA1', authorized: true });
    expect(r.form.Twiml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Say>Goodbye.</Say><Hangup/></Response>');
  });

  it('transfers with a Dial', async () => {
    await client().transfer('CA2', '+14155550100', { say: 'One moment.' });
    expect(api.requests[0]!.form.Twiml).toContain('<Say>One moment.</Say><Dial><Number>+14155550100</Number></Dial>');
  });

  it('sends an SMS and returns its sid', async () => {
    const { id } = await client().send('+14155550100', '+14155550199', 'See you at 3pm');
    expect(id).toMatch(/^SM/);
    expect(api.requests[0]!.form).toEqual({ To: '+14155550100', From: '+14155550199', Body: 'See you at 3pm' });
  });

  it('retries 5xx answers and succeeds', async () => {
    api.failNext(2, 503);
    await client({ retries: 2 }).hangUp('CA3');
    expect(api.requests).toHaveLength(3);
  });

  it('gives up after its retries with TWILIO_UNAVAILABLE', async () => {
    api.failNext(5, 500);
    await expect(client({ retries: 1 }).transfer('CA4', '+14155550100')).rejects.toMatchObject({ code: TWILIO_ERROR.unavailable, retryable: true });
    expect(api.requests).toHaveLength(2);
  });

  it('does not retry a 4xx and reports Twilio\'s error code', async () => {
    api.failNext(1, 400, 21211);
    await expect(client().send('+1', '+14155550199', 'hi')).rejects.toMatchObject({ code: TWILIO_ERROR.rejected, details: { status: 400, twilioCode: 21211 } });
    expect(api.requests).toHaveLength(1);
  });

  it('refuses wrong credentials with TWILIO_AUTH_FAILED and no retry', async () => {
    await expect(client({ authToken: 'wrong' }).hangUp('CA5')).rejects.toMatchObject({ code: TWILIO_ERROR.auth });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.authorized).toBe(false);
  });

  it('treats hanging up a call that already ended as done', async () => {
    api.endedCalls.add('CA6');
    await expect(client().hangUp('CA6')).resolves.toBeUndefined();
    await expect(client().transfer('CA6', '+14155550100')).rejects.toMatchObject({ code: TWILIO_ERROR.rejected });
  });

  it('times out a request that hangs, then retries', async () => {
    api.hangNext(1);
    await client({ timeoutMs: 100, retries: 1 }).hangUp('CA7');
    expect(api.requests).toHaveLength(2);
    api.hangNext(5);
    await expect(client({ timeoutMs: 50, retries: 0 }).hangUp('CA8')).rejects.toMatchObject({ code: TWILIO_ERROR.timeout });
  });

  it('reports an unreachable API as TWILIO_NETWORK', async () => {
    const url = api.url;
    await api.close();
    await expect(client({ apiBaseUrl: url, retries: 1 }).hangUp('CA9')).rejects.toMatchObject({ code: TWILIO_ERROR.network });
    api = await startFakeTwilioApi({ accountSid, authToken });
  });

  it('stops when the caller aborts', async () => {
    api.hangNext(1);
    const ctrl = new AbortController();
    const p = client({ timeoutMs: 5000 }).send('+14155550100', '+14155550199', 'x', ctrl.signal);
    setTimeout(() => ctrl.abort(), 20);
    await expect(p).rejects.toMatchObject({ code: TWILIO_ERROR.aborted });
  });

  it('falls back to offline call control without credentials', async () => {
    const offline = createCallControl({ accountSid: null, authToken: null, apiBaseUrl: api.url });
    expect(offline.offline).toBe(true);
    await offline.hangUp('CA10');
    expect(api.requests).toHaveLength(0);
    const online = createCallControl({ accountSid, authToken, apiBaseUrl: api.url });
    expect(online.offline).toBe(false);
    await online.hangUp('CA11');
    expect(api.requests).toHaveLength(1);
  });
});
