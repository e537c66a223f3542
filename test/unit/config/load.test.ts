import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/shared/errors.js';

const configDir = join(process.cwd(), 'config');

describe('loadConfig', () => {
  it('runs on embedded defaults when nothing is configured', () => {
    const config = loadConfig({ configDir, env: {} });
    expect(config.server.port).toBe(3000);
    expect(config.database.url).toBeNull();
    expect(config.redis.url).toBeNull();
    expect(config.openai.apiKey).toBeNull();
    expect(config.server.publicUrl).toBe('http://localhost:3000');
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it('takes overrides and secrets from the environment', () => {
    const config = loadConfig({
      configDir,
      env: {
        PORT: '8080', DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', REDIS_URL: 'redis://127.0.0.1:6379',
        OPENAI_API_KEY: 'sk-test', TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32), TWILIO_AUTH_TOKEN: 'tok', LOG_LEVEL: 'warn',
        PUBLIC_URL: 'https://voice.example.com',
      },
    });
    expect(config.server.port).toBe(8080);
    expect(config.database.url).toBe('postgres://u@127.0.0.1:5432/db');
    expect(config.openai.apiKey).toBe('sk-test');
    expect(config.twilio.authToken).toBe('tok');
    expect(config.log.level).toBe('warn');
    expect(config.server.publicUrl).toBe('https://voice.example.com');
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT \(server\.port\)/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL \(database\.url\): must be a URL/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL \(log\.level\)/],
    [{ TWILIO_ACCOUNT_SID: 'nope' }, /TWILIO_ACCOUNT_SID \(twilio\.accountSid\): must look like AC/],
    [{ ADMIN_TOKEN: 'short' }, /ADMIN_TOKEN \(admin\.token\): must be at least 16/],
  ])('fails with one line naming the key for %j', (env, message) => {
    let caught: unknown;
    try {
      loadConfig({ configDir, env });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('\n');
  });

  it('refuses secrets written in a config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
    writeFileSync(join(dir, 'default.yaml'), 'openai:\n  apiKey: sk-leaked\n');
    expect(() => loadConfig({ configDir: dir, env: {} })).toThrow(/openai\.apiKey: secrets must come from the environment/);
  });

  it('layers config/<SWITCHBOARD_ENV>.yaml over the defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
    writeFileSync(join(dir, 'default.yaml'), 'server:\n  port: 3000\n  host: 0.0.0.0\n');
    writeFileSync(join(dir, 'staging.yaml'), 'server:\n  port: 4000\n');
    const base = loadConfig({ configDir: configDir, env: {} });
    expect(base.server.port).toBe(3000);
    writeFileSync(join(dir, "default.yaml"), readDefault().replace("port: 3000", "port: 3000"));
    const config = loadConfig({ configDir: dir, env: { SWITCHBOARD_ENV: 'staging' } });
    expect(config.server.port).toBe(4000);
    expect(config.env).toBe('staging');
  });
});

function readDefault(): string {
  return readFileSync(join(configDir, 'default.yaml'), 'utf8');
}
