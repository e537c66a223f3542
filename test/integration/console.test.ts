/**
 * The console's access rules and read APIs against a real gateway: with ADMIN_TOKEN set every
 * page, API, signalling and live-event endpoint needs the session cookie the login form sets
 * (HttpOnly, SameSite=Strict, short-lived, never the token itself); without a token only
 * loopback clients get in. The verticals API carries what the agent-graph diagram needs.
 */
import http from 'node:http';
import type { Request } from 'express';
import { consoleAccess } from '../../src/server/console/index.js';
import { httpSend } from '../../src/telephony/http.js';
import { startConsoleGateway, type ConsoleGateway } from './consoleGateway.js';

const TOKEN = 'console-test-token-0123456789';
let gw: ConsoleGateway;

beforeAll(async () => {
  gw = await startConsoleGateway({ adminToken: TOKEN });
}, 60_000);
afterAll(async () => {
  await gw?.close();
}, 60_000);

const get = (path: string, headers: Record<string, string> = {}) => httpSend({ method: 'GET', url: `${gw.baseUrl}${path}`, headers });

/** The first bytes of an SSE response (the stream stays open; we close it). */
function firstSse(path: string, cookie: string): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${gw.baseUrl}${path}`, { headers: { cookie } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
        if (text.includes('\n\n')) {
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), text });
          req.destroy();
        }
      });
    });
    req.on('error', (err) => { if (!req.destroyed) reject(err); });
  });
}

async function login(token: string): Promise<{ status: number; cookie: string | undefined }> {
  const res = await httpSend({ method: 'POST', url: `${gw.baseUrl}/console/login`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${encodeURIComponent(token)}` });
  const set = res.headers['set-cookie'];
  return { status: res.status, cookie: Array.isArray(set) ? set[0] : set };
}

describe('console access with ADMIN_TOKEN', () => {
  it('shows the login form instead of a page, and 401 to every API without a session', async () => {
    const page = await get('/console/', { accept: 'text/html' });
    expect(page.status).toBe(401);
    expect(page.text).toContain('<form method="post" action="/console/login">');
    for (const path of ['/console/api/verticals', '/console/api/calls', '/console/api/live', '/console/app.js']) {
      expect((await get(path)).status).toBe(401);
    }
    const offer = await httpSend({ method: 'POST', url: `${gw.baseUrl}/console/api/calls`, headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(offer.status).toBe(401);
    expect(JSON.parse(offer.text).error.code).toBe('CONSOLE_UNAUTHORIZED');
  });

  it('refuses a wrong token and sets a short-lived HttpOnly SameSite=Strict cookie for the right one', async () => {
    expect((await login('wrong')).status).toBe(401);
    const { status, cookie } = await login(TOKEN);
    expect(status).toBe(303);
    expect(cookie).toMatch(/^sb_console=\d+\.[\w-]+; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=1800$/);
    expect(cookie).not.toContain(TOKEN);
  });

  it('serves pages, APIs and live events to a session', async () => {
    const cookie = (await login(TOKEN)).cookie!.split(';')[0]!;
    const page = await get('/console/', { cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script src="/console/app.js" type="module">');
    const { verticals } = JSON.parse((await get('/console/api/verticals', { cookie })).text) as { verticals: Array<{ id: string; entryAgent: string; agents: Array<{ name: string; tools: string[]; handoffs: string[] }> }> };
    const salon = verticals.find((v) => v.id === 'salon')!;
    expect(salon.agents.map((a) => a.name)).toContain(salon.entryAgent);
    expect(salon.agents.some((a) => a.handoffs.length > 0 && a.tools.length >= 0)).toBe(true);
    const live = await firstSse('/console/api/live', cookie);
    expect(live.status).toBe(200);
    expect(live.type).toContain('text/event-stream');
    expect(live.text).toMatch(/^event: calls\ndata: \[/);
    // A forged or expired cookie is no session.
    expect((await get('/console/api/calls', { cookie: 'sb_console=99999999999999.forged' })).status).toBe(401);
  });
});

describe('console access without a token', () => {
  const req = (remoteAddress: string, accept = 'application/json') =>
    ({ socket: { remoteAddress }, headers: { accept }, method: 'GET', path: '/api/calls' }) as unknown as Request;
  const run = (remoteAddress: string) => {
    const access = consoleAccess({ token: null, sessionTtlMs: 60_000 });
    let passed = false;
    let status = 0;
    let body: unknown;
    const res = { status(s: number) { status = s; return this; }, json(b: unknown) { body = b; return this; }, type() { return this; }, send(b: unknown) { body = b; return this; } };
    access.guard(() => 'login')(req(remoteAddress), res as never, () => { passed = true; });
    return { passed, status, body };
  };

  it('lets loopback clients in', () => {
    expect(run('127.0.0.1').passed).toBe(true);
    expect(run('::1').passed).toBe(true);
  });

  it('answers anyone else 403 with a message', () => {
    const r = run('10.1.2.3');
    expect(r.passed).toBe(false);
    expect(r.status).toBe(403);
    expect(JSON.stringify(r.body)).toMatch(/loopback clients only when ADMIN_TOKEN is not set/);
  });
});
