/**
 * The one way Switchboard talks to Twilio's REST API: basic auth with the account SID and auth
 * token, a timeout per attempt, retries with exponential backoff on 5xx / 429 / network errors
 * (a 429's `Retry-After` is honoured, capped), and coded errors otherwise.
 */
import { AppError } from '../../shared/index.js';
import { sleepMs } from '../../shared/index.js';
import { createLogger, type Logger } from '../../observability/index.js';
import { HTTP_CLIENT_ERROR, httpSend, type HttpResponse } from '../http.js';

export const TWILIO_ERROR = {
  auth: 'TWILIO_AUTH_FAILED',
  notFound: 'TWILIO_NOT_FOUND',
  rejected: 'TWILIO_REJECTED',
  unavailable: 'TWILIO_UNAVAILABLE',
  timeout: 'TWILIO_TIMEOUT',
  network: 'TWILIO_NETWORK',
  aborted: 'TWILIO_ABORTED',
  notConfigured: 'TWILIO_NOT_CONFIGURED',
} as const;

export interface TwilioRestOptions {
  accountSid: string;
  authToken: string;
  /** https://api.twilio.com, or a local fake in tests. */
  apiBaseUrl: string;
  /** Per attempt. */
  timeoutMs?: number;
  /** Extra attempts after the first on 5xx, 429 and network errors. */
  retries?: number;
  retryBaseMs?: number;
  /** The longest `Retry-After` waited for (default 30 s); a longer one ends the retries. */
  maxRetryAfterMs?: number;
  logger?: Logger;
}

interface TwilioErrorBody {
  code?: number;
  message?: string;
  status?: number;
}

export interface TwilioRequest {
  method: 'GET' | 'POST';
  /** Under the account (`/Calls/CA1.json`), or absolute from the API root (`/2010-04-01/...`, a `next_page_uri`). */
  path: string;
  /** A list value is sent as the same parameter repeated (Twilio's `StatusCallbackEvent`). */
  form?: Record<string, string | readonly string[]>;
  signal?: AbortSignal;
}

export class TwilioHttp {
  /** `{apiBaseUrl}/2010-04-01/Accounts/{sid}` */
  readonly accountBase: string;
  private readonly root: string;
  private readonly auth: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly log: Logger;

  constructor(opts: TwilioRestOptions) {
    this.root = opts.apiBaseUrl.replace(/\/+$/, '');
    this.accountBase = `${this.root}/2010-04-01/Accounts/${encodeURIComponent(opts.accountSid)}`;
    this.auth = 'Basic ' + Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64');
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.retries = opts.retries ?? 2;
    this.retryBaseMs = opts.retryBaseMs ?? 250;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 30_000;
    this.log = opts.logger ?? createLogger('telephony');
  }

  /** The JSON object Twilio answered with (2xx), else a coded AppError after the retries. */
  async request(req: TwilioRequest): Promise<Record<string, unknown>> {
    const url = req.path.startsWith('/2010-04-01/') ? this.root + req.path : this.accountBase + req.path;
    const body = req.form ? formBody(req.form) : undefined;
    const headers: Record<string, string> = { authorization: this.auth, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const { signal } = req;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw new AppError(TWILIO_ERROR.aborted, 'request aborted');
      let retryable: AppError;
      let retryAfterMs: number | undefined;
      try {
        const res = await httpSend({ method: req.method, url, headers, ...(body !== undefined ? { body } : {}), timeoutMs: this.timeoutMs, ...(signal ? { signal } : {}) });
        const json = parseJson(res.text);
        if (res.status >= 200 && res.status < 300) return json;
        const err = toError(res.status, json as TwilioErrorBody);
        if (!err.retryable) throw err;
        retryable = err;
        retryAfterMs = retryAfterOf(res);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        if (err.code === HTTP_CLIENT_ERROR.aborted) throw new AppError(TWILIO_ERROR.aborted, 'request aborted', { cause: err });
        if (err.code === HTTP_CLIENT_ERROR.timeout) retryable = new AppError(TWILIO_ERROR.timeout, `Twilio did not answer within ${this.timeoutMs} ms`, { retryable: true, cause: err });
        else if (err.code === HTTP_CLIENT_ERROR.network) retryable = new AppError(TWILIO_ERROR.network, `Twilio unreachable: ${err.message}`, { retryable: true, cause: err });
        else if (!err.retryable) throw err;
        else retryable = err;
      }
      if (attempt >= this.retries) throw retryable;
      if (retryAfterMs !== undefined && retryAfterMs > this.maxRetryAfterMs) {
        throw new AppError(retryable.code, `${retryable.message} (Twilio asks to wait ${Math.ceil(retryAfterMs / 1000)} s; try again later)`, { retryable: true, details: retryable.details });
      }
      const waitMs = retryAfterMs ?? this.retryBaseMs * 2 ** attempt;
      this.log.warn('twilio request failed, retrying', { code: retryable.code, attempt: attempt + 1, waitMs });
      await sleepMs(waitMs, signal).catch(() => undefined);
    }
  }
}

/** `Retry-After` in seconds or as an HTTP date, in ms from now; undefined when absent or unreadable. */
export function retryAfterOf(res: Pick<HttpResponse, 'headers'>, nowMs = Date.now()): number | undefined {
  const raw = res.headers['retry-after'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function formBody(form: Record<string, string | readonly string[]>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) {
    if (typeof value === 'string') params.append(name, value);
    else for (const v of value) params.append(name, v);
  }
  return params.toString();
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function toError(status: number, body: TwilioErrorBody): AppError {
  const details = { status, twilioCode: body.code };
  const what = body.message ? `: ${body.message}` : '';
  if (status === 401 || status === 403) return new AppError(TWILIO_ERROR.auth, `Twilio refused the credentials (${status})${what}`, { details });
  if (status === 404) return new AppError(TWILIO_ERROR.notFound, `Twilio resource not found${what}`, { details });
  if (status === 429 || status >= 500) return new AppError(TWILIO_ERROR.unavailable, `Twilio answered ${status}${what}`, { details, retryable: true });
  return new AppError(TWILIO_ERROR.rejected, `Twilio rejected the request (${status})${what}`, { details });
}
