import { planNumberSync, TwilioNumbersClient, TWILIO_ERROR, type TwilioPhoneNumber } from '../../../src/telephony/index.js';
import { startFakeTwilioApi, type FakeTwilioApi } from '../../fakes/twilioApi.js';

const accountSid = 'AC' + 'b'.repeat(32);
const authToken = 'numbers-token';
let api: FakeTwilioApi;

beforeEach(async () => {
  api = await startFakeTwilioApi({ accountSid, authToken });
});
afterEach(async () => {
  await api.close();
});

const client = (over: { authToken?: string; retries?: number; maxRetryAfterMs?: number } = {}) =>
  new TwilioNumbersClient({ accountSid, authToken, apiBaseUrl: api.url, retryBaseMs: 1, timeoutMs: 2000, ...over });

describe('Twilio IncomingPhoneNumbers client', () => {
  it('reads every page by following next_page_uri', async () => {
    api.maxPageSize = 2;
    for (let i = 0; i < 5; i++) api.addNumber(`+1415555010${i}`);
    const numbers = await client().list();
    expect(numbers.map((n) => n.number).sort()).toEqual(['+14155550100', '+14155550101', '+14155550102', '+14155550103', '+14155550104']);
    const pages = api.requests.filter((r) => r.kind === 'numbers_list');
    expect(pages).toHaveLength(3);
    expect(pages.every((r) => r.method === 'GET' && r.authorized)).toBe(true);
    expect(pages[1]!.query.PageToken).toBeDefined();
  });

  it('updates a number\'s voice and status webhooks', async () => {
    const sid = api.addNumber('+14155550100', { voice_application_sid: 'AP1' });
    const n = await client().update(sid, { VoiceUrl: 'https://gw/twilio/voice', VoiceMethod: 'POST', StatusCallback: 'https://gw/twilio/status', StatusCallbackMethod: 'POST' });
    expect(n).toMatchObject({ sid, voiceUrl: 'https://gw/twilio/voice', statusCallback: 'https://gw/twilio/status', overriddenBy: 'voice application AP1' });
    expect(api.requests.at(-1)!.form).toEqual({ VoiceUrl: 'https://gw/twilio/voice', VoiceMethod: 'POST', StatusCallback: 'https://gw/twilio/status', StatusCallbackMethod: 'POST' });
  });

  it('reports rejected credentials as TWILIO_AUTH_FAILED without retrying', async () => {
    await expect(client({ authToken: 'wrong' }).list()).rejects.toMatchObject({ code: TWILIO_ERROR.auth });
    expect(api.requests).toHaveLength(1);
  });

  it('reports an unknown number as TWILIO_NOT_FOUND', async () => {
    await expect(client().update('PN' + '9'.repeat(32), { VoiceUrl: 'x', VoiceMethod: 'POST', StatusCallback: 'y', StatusCallbackMethod: 'POST' }))
      .rejects.toMatchObject({ code: TWILIO_ERROR.notFound });
  });

  it('waits as long as a 429\'s Retry-After says before trying again', async () => {
    api.addNumber('+14155550100');
    api.failNext(1, 429, undefined, 1);
    const numbers = await client({ retries: 2 }).list();
    expect(numbers).toHaveLength(1);
    const [first, second] = api.requests;
    expect(second!.atMs - first!.atMs).toBeGreaterThanOrEqual(950);
  });

  it('gives up at once when Retry-After is longer than it is willing to wait', async () => {
    api.failNext(1, 429, undefined, 120);
    await expect(client({ retries: 2, maxRetryAfterMs: 5000 }).list()).rejects.toMatchObject({ code: TWILIO_ERROR.unavailable, message: expect.stringMatching(/wait 120 s/) });
    expect(api.requests).toHaveLength(1);
  });
});

describe('planNumberSync', () => {
  const n = (number: string, voiceUrl: string | null, over: Partial<TwilioPhoneNumber> = {}): TwilioPhoneNumber => ({
    sid: `PN${number.slice(1)}`, number, voiceUrl, voiceMethod: 'POST', statusCallback: null, statusCallbackMethod: 'POST', overriddenBy: null, ...over,
  });

  it('updates what differs, skips what is in sync, reports missing and unassigned numbers', () => {
    const plan = planNumberSync(
      new Map([['+14155550100', 'salon'], ['+14155550101', 'spa'], ['+14155550102', 'clinic']]),
      [
        n('+14155550100', 'https://old.example/voice'),
        n('+14155550101', 'https://gw.example/twilio/voice', { statusCallback: 'https://gw.example/twilio/status' }),
        n('+14155550199', null),
      ],
      'https://gw.example/',
    );
    expect(plan.webhooks).toEqual({ VoiceUrl: 'https://gw.example/twilio/voice', VoiceMethod: 'POST', StatusCallback: 'https://gw.example/twilio/status', StatusCallbackMethod: 'POST' });
    expect(plan.update.map((u) => u.number)).toEqual(['+14155550100']);
    expect(plan.inSync.map((u) => u.number)).toEqual(['+14155550101']);
    expect(plan.missing).toEqual([{ number: '+14155550102', vertical: 'clinic' }]);
    expect(plan.unassigned.map((u) => u.number)).toEqual(['+14155550199']);
  });
});
