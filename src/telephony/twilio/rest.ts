/**
 * Twilio REST call control and SMS: `POST {apiBaseUrl}/2010-04-01/Accounts/{sid}/Calls/{callSid}.json`
 * with `Twiml=...` (hang up, transfer) and `.../Messages.json` (SMS), over restHttp.ts (basic
 * auth, a timeout per attempt, retries with backoff on 5xx / 429 / network errors, coded errors).
 */
import { AppError } from '../../shared/index.js';
import { createLogger } from '../../observability/index.js';
import { dialTwiml, sayAndHangUpTwiml } from './twiml.js';
import { TwilioHttp, TWILIO_ERROR, type TwilioRestOptions } from './restHttp.js';
import type { CallControl, SmsSender } from '../types.js';

export { TWILIO_ERROR, type TwilioRestOptions } from './restHttp.js';

/** Twilio's "call is not in progress": hanging up a call that already ended is not an error. */
const CALL_NOT_IN_PROGRESS = 21220;

export class TwilioRestClient implements CallControl, SmsSender {
  private readonly http: TwilioHttp;

  constructor(opts: TwilioRestOptions) {
    this.http = new TwilioHttp(opts);
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
    const res = await this.http.request({ method: 'POST', path: '/Messages.json', form: { To: to, From: from, Body: body }, ...(signal ? { signal } : {}) });
    const sid = typeof res.sid === 'string' ? res.sid : '';
    if (!sid) throw new AppError(TWILIO_ERROR.rejected, 'Twilio accepted the message but returned no sid');
    return { id: sid };
  }

  private async updateCall(callSid: string, twiml: string): Promise<void> {
    await this.http.request({ method: 'POST', path: `/Calls/${encodeURIComponent(callSid)}.json`, form: { Twiml: twiml } });
  }
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
