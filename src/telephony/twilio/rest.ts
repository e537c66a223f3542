/**
 * Twilio REST call control and SMS: `POST {apiBaseUrl}/2010-04-01/Accounts/{sid}/Calls/{callSid}.json`
 * with `Twiml=...` (hang up, transfer) and `.../Messages.json` (SMS). Basic auth, a timeout per
 * attempt, retries with backoff on 5xx / 429 / network errors, coded errors otherwise.
 */
import { AppError } from '../../shared/index.js';
import { sleepMs } from '../../shared/index.js';
import { createLogger, type Logger } from '../../observability/index.js';
import { dialTwiml, sayAndHangUpTwiml } from './twiml.js';
import { HTTP_CLIENT_ERROR, httpSend } from '../http.js';
import type { CallControl, SmsSender } from '../types.js';

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

/** Twilio's "call is not in progress": hanging up a call that already ended is not an error. */
const CALL_NOT_IN_PROGRESS = 21220;

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
  logger?: Logger;
}

interface TwilioErrorBody {
  code?: number;
  message?: string;
  status?: number;
}

export class TwilioRestClient implements CallControl, SmsSender {
  private readonly base: string;
  private readonly auth: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly log: Logger;

  constructor(private readonly opts: TwilioRestOptions) {
    this.base = `${opts.apiBaseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(opts.accountSid)}`;
    this.auth = 'Basic ' + Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64');
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.retries = opts.retries ?? 2;
    this.retryBaseMs = opts.retryBaseMs ?? 250;
    this.log = opts.logger ?? createLogger('telephony');
  }

  async hangUp(callSid: string, opts: { say?: string } = {}): Promise<void> {
    try {
      await this.updateCall(callSid, sayAndHangUpTwiml(opts.say));
    } catch (err) {
      if (err instanceof AppError && err.details?.twilioCode === CALL_NOT_IN_PROGRESS) return;
      throw err;
    }
  }

  async transfer(callSid: string, to: string, opts: { say?: string; callerId?: string } = {}): Promise<void> {
    const dial: { say?: string; callerId?: string } = {};
    if (opts.say) dial.say = opts.say;
    if (opts.callerId) dial.callerId = opts.callerId;
    await this.updateCall(callSid, dialTwiml(to, dial));
  }

  async send(to: string, from: string, body: string, signal?: AbortSignal): Promise<{ id: string }> {
    const res = await this.post('/Messages.json', { To: to, From: from, Body: body }, signal);
    const sid = typeof res.sid === 'string' ? res.sid : '';
    if (!sid) throw new AppError(TWILIO_ERROR.rejected, 'Twilio accepted the message but returned no sid');
    return { id: sid };
  }

  private async updateCall(callSid: string, twiml: string): Promise<void> {
    await this.post(`/Calls/${encodeURIComponent(callSid)}.json`, { Twiml: twiml });
  }

  private async post(path: string, form: Record<string, string>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const url = this.base + path;
    const body = new URLSearchParams(form).toString();
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw new AppError(TWILIO_ERROR.aborted, 'request aborted');
      let retryable: AppError;
      try {
        const res = await httpSend({
          method: 'POST',
          url,
          headers: { authorization: this.auth, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body,
          timeoutMs: this.timeoutMs,
          ...(signal ? { signal } : {}),
        });
        const json = parseJson(res.text);
        if (res.status >= 200 && res.status < 300) return json;
        const err = toError(res.status, json as TwilioErrorBody);
        if (!err.retryable) throw err;
        retryable = err;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        if (err.code === HTTP_CLIENT_ERROR.aborted) throw new AppError(TWILIO_ERROR.aborted, 'request aborted', { cause: err });
        if (err.code === HTTP_CLIENT_ERROR.timeout) retryable = new AppError(TWILIO_ERROR.timeout, `Twilio did not answer within ${this.timeoutMs} ms`, { retryable: true, cause: err });
        else if (err.code === HTTP_CLIENT_ERROR.network) retryable = new AppError(TWILIO_ERROR.network, `Twilio unreachable: ${err.message}`, { retryable: true, cause: err });
        else if (!err.retryable) throw err;
        else retryable = err;
      }
      if (attempt >= this.retries) throw retryable;
      const waitMs = this.retryBaseMs * 2 ** attempt;
      this.log.warn('twilio request failed, retrying', { code: retryable.code, attempt: attempt + 1, waitMs });
      await sleepMs(waitMs, signal).catch(() => undefined);
    }
  }
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

/**
 * Call control when no Twilio credentials are configured (local runs, the simulator): it logs
 * what it would have done and succeeds. The call session closes the media stream itself after a
 * hang-up or transfer, which is what ends a simulated call.
 */
export class OfflineCallControl implements CallControl, SmsSender {
  readonly requests: Array<{ kind: 'hangup' | 'transfer' | 'sms'; callSid?: string; to?: string }> = [];
  private readonly log = createLogger('telephony');

  async hangUp(callSid: string): Promise<void> {
    this.requests.push({ kind: 'hangup', callSid });
    this.log.info('hang-up requested (no Twilio credentials: nothing sent)', { callSid });
  }
  async transfer(callSid: string, to: string): Promise<void> {
    this.requests.push({ kind: 'transfer', callSid, to });
    this.log.info('transfer requested (no Twilio credentials: nothing sent)', { callSid, to });
  }
  async send(to: string): Promise<{ id: string }> {
    this.requests.push({ kind: 'sms', to });
    this.log.info('SMS requested (no Twilio credentials: nothing sent)', { to });
    return { id: `offline-${this.requests.length}` };
  }
}

export interface TwilioCredentials {
  accountSid: string | null;
  authToken: string | null;
  apiBaseUrl: string;
}

/** The REST client when both account SID and auth token are set, the offline stand-in otherwise. */
export function createCallControl(twilio: TwilioCredentials, options: Partial<Pick<TwilioRestOptions, 'timeoutMs' | 'retries' | 'retryBaseMs'>> = {}): CallControl & SmsSender & { readonly offline: boolean } {
  if (twilio.accountSid && twilio.authToken) {
    const client = new TwilioRestClient({ accountSid: twilio.accountSid, authToken: twilio.authToken, apiBaseUrl: twilio.apiBaseUrl, ...options });
    return Object.assign(client, { offline: false as const });
  }
  return Object.assign(new OfflineCallControl(), { offline: true as const });
}
