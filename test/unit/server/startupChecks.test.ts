import { checkWebhookSecurity, isLoopbackUrl } from '../../../src/server/index.js';
import { loadConfig } from '../../../src/config/index.js';

describe('gateway start-up safety', () => {
  it('tells loopback URLs from public ones', () => {
    for (const url of ['http://localhost:3000', 'http://127.0.0.1', 'http://127.1.2.3:8080/x', 'http://[::1]:3000', 'http://app.localhost']) expect(isLoopbackUrl(url)).toBe(true);
    for (const url of ['https://voice.example.com', 'http://10.0.0.5:3000', 'http://0.0.0.0:3000', 'not a url']) expect(isLoopbackUrl(url)).toBe(false);
  });

  it('refuses a public URL without TWILIO_AUTH_TOKEN, naming the fix', () => {
    expect(() => checkWebhookSecurity({ publicUrl: 'https://voice.example.com', twilioAuthToken: null, insecure: false }))
      .toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/TWILIO_AUTH_TOKEN.*SWITCHBOARD_INSECURE=1/s) }));
  });

  it('starts with a loud warning when SWITCHBOARD_INSECURE=1 says so', () => {
    const warnings = checkWebhookSecurity({ publicUrl: 'https://voice.example.com', twilioAuthToken: null, insecure: true });
    expect(warnings).toEqual([expect.stringMatching(/signatures are NOT checked/)]);
  });

  it('says nothing on loopback, or with a token on https', () => {
    expect(checkWebhookSecurity({ publicUrl: 'http://localhost:3000', twilioAuthToken: null, insecure: false })).toEqual([]);
    expect(checkWebhookSecurity({ publicUrl: 'https://voice.example.com', twilioAuthToken: 'tok', insecure: false })).toEqual([]);
    expect(checkWebhookSecurity({ publicUrl: 'http://voice.example.com', twilioAuthToken: 'tok', insecure: false })).toEqual([expect.stringMatching(/not https/)]);
  });

  it('reads SWITCHBOARD_INSECURE from the environment (off unless set)', () => {
    expect(loadConfig({ env: {} }).server.insecure).toBe(false);
    expect(loadConfig({ env: { SWITCHBOARD_INSECURE: '1' } }).server.insecure).toBe(true);
    expect(loadConfig({ env: { SWITCHBOARD_INSECURE: '0' } }).server.insecure).toBe(false);
    expect(() => loadConfig({ env: { SWITCHBOARD_INSECURE: 'maybe' } })).toThrow(/SWITCHBOARD_INSECURE/);
  });
});
