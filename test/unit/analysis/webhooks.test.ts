/**
 * Webhooks without the network: the manifest block (file:line problems, secrets from the
 * environment), event patterns, the relay's fan-out by subscription, and signatures.
 */
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobsForEvent, signWebhook, verifyWebhook, webhookJobId } from '../../../src/analysis/index.js';
import { eventMatches, formatProblem, loadManifest, webhooksSchema, type Manifest } from '../../../src/manifest/index.js';
import type { CallEventRecord } from '../../../src/store/index.js';
import { fixtureCase, fixtureRegistry } from '../../fixtures/manifests/registry.js';

describe('manifest webhooks', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-webhooks-'));
    cpSync(fixtureCase('valid').root, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const load = (yaml: string, env: Record<string, string> | null) => {
    const file = join(dir, 'verticals', 'salon', 'vertical.yaml');
    appendFileSync(file, yaml);
    return loadManifest(file, { registry: fixtureRegistry, agentsDir: join(dir, 'agents'), cwd: dir, secretsEnv: env });
  };

  const block = `webhooks:
  - url: https://hooks.example.com/switchboard
    events: [call.started, call.ended, transfer.*]
    secret: env:SALON_WEBHOOK_SECRET
  - url: https://crm.example.com/calls
    events: ["*"]
    secret: env:CRM_SECRET
    include: [summary]
`;

  it('loads webhooks whose secrets are set, with defaults', () => {
    const result = load(block, { SALON_WEBHOOK_SECRET: 's1', CRM_SECRET: 's2' });
    expect(result.problems.map(formatProblem)).toEqual([]);
    expect(result.vertical!.manifest.webhooks[0]).toEqual({
      url: 'https://hooks.example.com/switchboard', events: ['call.started', 'call.ended', 'transfer.*'],
      secret: 'env:SALON_WEBHOOK_SECRET', include: [], timeoutMs: 5000, maxAttempts: 8,
    });
  });

  it('warns at file:line when a secret variable is not set, and still loads', () => {
    const result = load(block, { CRM_SECRET: 's2' });
    expect(result.problems.map(formatProblem)).toEqual([
      'verticals/salon/vertical.yaml:53 webhooks[0].secret: warning: environment variable SALON_WEBHOOK_SECRET is not set: deliveries to this webhook fail until it is',
    ]);
    expect(result.vertical).toBeDefined();
  });

  it('refuses a literal secret, an unknown event and a non-http URL, each at its line', () => {
    const result = load(`webhooks:
  - url: ftp://hooks.example.com
    events: [call.ended, call.answered, transfer.*]
    secret: hunter2
`, null);
    expect(result.vertical).toBeUndefined();
    expect(result.problems.map(formatProblem)).toEqual([
      'verticals/salon/vertical.yaml:51 webhooks[0].url: "ftp://hooks.example.com" must be an http(s) URL',
      expect.stringMatching(/^verticals\/salon\/vertical\.yaml:52 webhooks\[0\]\.events\[1\]: unknown event "call\.answered"/),
      'verticals/salon/vertical.yaml:53 webhooks[0].secret: must name an environment variable (env:NAME): the secret itself never goes in the manifest',
    ]);
    expect(result.problems.map(formatProblem).join('\n')).not.toContain('hunter2');
  });
});

describe('event patterns and fan-out', () => {
  it('matches exact names, families and everything', () => {
    expect(eventMatches('call.ended', 'call.ended')).toBe(true);
    expect(eventMatches('call.ended', 'call.started')).toBe(false);
    expect(eventMatches('transfer.*', 'transfer.bridged')).toBe(true);
    expect(eventMatches('transfer.*', 'call.ended')).toBe(false);
    expect(eventMatches('*', 'call.analyzed')).toBe(true);
  });

  const event = (type: CallEventRecord['type']): CallEventRecord => ({
    eventId: '6f1c8e4e-2a8b-4b8e-9f3e-2f1d0c9b8a77', type, callId: '0b4a5c6d-7e8f-4a0b-8c1d-2e3f4a5b6c7d', vertical: 'salon',
    occurredAt: new Date('2026-01-01T00:00:00Z'), data: { endReason: 'caller_hangup' }, attempts: 0,
  });
  const catalog = (webhooks: unknown) => ({
    get: (id: string) => (id === 'salon' ? { manifest: { id, webhooks: webhooksSchema.parse(webhooks) } as unknown as Manifest, version: 'v1' } : undefined),
  });
  const hooks = [
    { url: 'https://a.example.com/h', events: ['call.ended'], secret: 'env:A' },
    { url: 'https://b.example.com/h', events: ['transfer.*', 'call.started'], secret: 'env:B', maxAttempts: 3 },
    { url: 'https://c.example.com/h', events: ['*'], secret: 'env:C', include: ['transcript'] },
  ];

  it('makes one job per webhook that hears the event, naming the secret variable, never its value', () => {
    const jobs = jobsForEvent(event('transfer.started'), catalog(hooks));
    expect(jobs.map((j) => j.url)).toEqual(['https://b.example.com/h', 'https://c.example.com/h']);
    expect(jobs[0]).toMatchObject({ secretEnv: 'B', maxAttempts: 3, include: [], type: 'transfer.started', occurredAt: '2026-01-01T00:00:00.000Z' });
    expect(jobs[1]!.include).toEqual(['transcript']);
    expect(new Set(jobs.map(webhookJobId)).size).toBe(2);
    expect(jobs.map(webhookJobId)[0]).toMatch(/^wh-6f1c8e4e-2a8b-4b8e-9f3e-2f1d0c9b8a77-[0-9a-f]{12}$/);
  });

  it('makes none for a vertical that is not loaded or an event nobody hears', () => {
    expect(jobsForEvent({ ...event('call.ended'), vertical: 'gone' }, catalog(hooks))).toEqual([]);
    expect(jobsForEvent(event('call.analyzed'), catalog(hooks.slice(0, 2)))).toEqual([]);
  });
});

describe('signatures', () => {
  const body = '{"id":"e1","type":"call.ended"}';
  const now = 1_767_225_600;

  it('signs timestamp.body with HMAC-SHA256 as v1=hex', () => {
    // echo -n '1767225600.{"id":"e1","type":"call.ended"}' | openssl dgst -sha256 -hmac s3cret
    expect(signWebhook('s3cret', now, body)).toBe('v1=1565efdac5e3a69479be3c51db9815a7c34eddbf8f1a2f87e2776b62327bd758');
    expect(verifyWebhook('s3cret', body, String(now), signWebhook('s3cret', now, body), now)).toBe(true);
  });

  it('refuses another secret, a changed body, a changed timestamp and an old one', () => {
    const sig = signWebhook('s3cret', now, body);
    expect(verifyWebhook('other', body, String(now), sig, now)).toBe(false);
    expect(verifyWebhook('s3cret', body.replace('ended', 'started'), String(now), sig, now)).toBe(false);
    expect(verifyWebhook('s3cret', body, String(now + 1), sig, now)).toBe(false);
    expect(verifyWebhook('s3cret', body, String(now), sig, now + 301)).toBe(false);
    expect(verifyWebhook('s3cret', body, 'soon', sig, now)).toBe(false);
  });
});
