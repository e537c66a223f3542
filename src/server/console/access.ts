/**
 * Who may use the console (pages, APIs, signalling, live events). With ADMIN_TOKEN set: a login
 * form posts the token once and gets a short-lived session cookie (HttpOnly, SameSite=Strict,
 * Path=/console) signed with a key derived from the token, so the token never travels in a URL
 * and changing it ends every session. Without a token: loopback clients only, others get 403.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export const CONSOLE_COOKIE = 'sb_console';
export const CONSOLE_ERROR = {
  unauthorized: 'CONSOLE_UNAUTHORIZED',
  forbidden: 'CONSOLE_FORBIDDEN',
} as const;

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export interface ConsoleAccessOptions {
  /** ADMIN_TOKEN, or null: loopback only. */
  token: string | null;
  /** How long a session cookie lasts. */
  sessionTtlMs: number;
  now?: () => number;
}

export interface ConsoleAccess {
  readonly tokenRequired: boolean;
  /** Lets a request through, or answers 401 (API) / the login page (pages) / 403 (not loopback). */
  guard(loginPage: () => string): RequestHandler;
  /**
   * The same rule for a request express does not see (a WebSocket upgrade): a valid session
   * cookie, or a loopback client when there is no token.
   */
  allows(req: Pick<IncomingMessage, 'headers' | 'socket'>): { ok: true } | { ok: false; status: 401 | 403; code: string; message: string };
  /** Checks a posted token: the Set-Cookie value of a new session, or null. */
  login(token: unknown): string | null;
  logoutCookie(): string;
}

function cookieOf(req: Pick<IncomingMessage, 'headers'>, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const wantsHtml = (req: Request) => req.method === 'GET' && !req.path.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html');

export function consoleAccess(opts: ConsoleAccessOptions): ConsoleAccess {
  const now = opts.now ?? Date.now;
  const token = opts.token;
  // Sessions are signed with a key derived from the token, never with the token itself.
  const key = token ? createHmac('sha256', 'switchboard console session v1').update(token).digest() : null;
  const sign = (expiresAt: number) => createHmac('sha256', key!).update(`session.${expiresAt}`).digest('base64url');

  const validSession = (req: Pick<IncomingMessage, 'headers'>): boolean => {
    const raw = cookieOf(req, CONSOLE_COOKIE);
    if (!raw || key === null) return false;
    const [exp, sig] = raw.split('.');
    const expiresAt = Number(exp);
    if (!Number.isSafeInteger(expiresAt) || expiresAt <= now() || !sig) return false;
    return sameText(sig, sign(expiresAt));
  };

  const deny = (res: Response, status: number, code: string, message: string) => res.status(status).json({ error: { code, message } });

  return {
    tokenRequired: token !== null,
    guard(loginPage) {
      return (req: Request, res: Response, next: NextFunction) => {
        if (token === null) {
          if (LOOPBACK.has(req.socket.remoteAddress ?? '')) return next();
          const message = 'the console answers loopback clients only when ADMIN_TOKEN is not set';
          if (wantsHtml(req)) return void res.status(403).type('text/plain').send(`403 Forbidden: ${message}\n`);
          return void deny(res, 403, CONSOLE_ERROR.forbidden, message);
        }
        if (validSession(req)) return next();
        if (wantsHtml(req)) return void res.status(401).type('html').send(loginPage());
        return void deny(res, 401, CONSOLE_ERROR.unauthorized, 'log in to the console first (POST /console/login with the admin token)');
      };
    },
    allows(req) {
      if (token === null) {
        if (LOOPBACK.has(req.socket.remoteAddress ?? '')) return { ok: true };
        return { ok: false, status: 403, code: CONSOLE_ERROR.forbidden, message: 'the console answers loopback clients only when ADMIN_TOKEN is not set' };
      }
      if (validSession(req)) return { ok: true };
      return { ok: false, status: 401, code: CONSOLE_ERROR.unauthorized, message: 'log in to the console first (POST /console/login with the admin token)' };
    },
    login(given) {
      if (token === null || typeof given !== 'string' || !sameText(given, token)) return null;
      const expiresAt = now() + opts.sessionTtlMs;
      return `${CONSOLE_COOKIE}=${expiresAt}.${sign(expiresAt)}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(opts.sessionTtlMs / 1000)}`;
    },
    logoutCookie() {
      return `${CONSOLE_COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0`;
    },
  };
}
