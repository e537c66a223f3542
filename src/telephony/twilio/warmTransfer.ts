/**
 * Warm transfer on Twilio, after Twilio's own reference: the caller's call is redirected (Calls
 * API, `Twiml`) into a `<Conference>` that starts only when the person joins, so until then the
 * caller hears the hold message and hold music; the person is dialled through the Calls API
 * (`Timeout` = ring time, status callbacks for every step) with TwiML that speaks the briefing
 * inside a one-key `<Gather>`; pressing the key answers with the same conference
 * (startConferenceOnEnter), which bridges the two. No answer, busy, failed, no key, or a hang-up
 * ends the person's leg and the runtime brings the caller back (`resume`: a fresh
 * `<Connect><Stream>` with the call's own stream parameters).
 *
 * Legs are keyed by a random token in the callback URLs; callbacks for a leg this process does not
 * know (another gateway's, or one already over) are acknowledged and ignored.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../shared/index.js';
import type { Logger } from '../../observability/index.js';
import type { DialHumanRequest, HumanLegEvent, HumanLegFailure, RecordingControl, WarmTransferControl } from '../types.js';
import { publicBase } from '../urls.js';
import { TWILIO_ERROR, type TwilioHttp } from './restHttp.js';
import { ACCEPT_DIGIT, briefingTwiml, connectStreamTwiml, holdInConferenceTwiml, joinConferenceTwiml, sayAndHangUpTwiml } from './twiml.js';

export const TRANSFER_PATHS = {
  /** Status callbacks of the person's leg (`?leg=<token>`). */
  status: '/twilio/transfer/status',
  /** The briefing's `<Gather>` action (`?leg=<token>`): the key the person pressed. */
  accept: '/twilio/transfer/accept',
} as const;

/** Twilio's "call is not in progress" (cancelling a leg that already ended is not an error). */
const CALL_NOT_IN_PROGRESS = 21220;

interface Leg {
  room: string;
  legSid?: string;
  answered: boolean;
  accepted: boolean;
  onEvent(e: HumanLegEvent): void;
}

/** CallStatus of a leg that ended before the person took the call. */
const FAILURE_OF: Record<string, HumanLegFailure> = { busy: 'busy', 'no-answer': 'no_answer', failed: 'failed', canceled: 'canceled' };

export class TwilioWarmTransfer implements WarmTransferControl {
  private readonly legs = new Map<string, Leg>();

  constructor(private readonly http: TwilioHttp, private readonly opts: { publicUrl: string; streamUrl: string; log: Logger }) {}

  async hold(callSid: string, room: string, opts: { say?: string; waitUrl?: string }): Promise<void> {
    await this.updateCall(callSid, { Twiml: holdInConferenceTwiml(room, opts) });
  }

  async dialHuman(req: DialHumanRequest): Promise<{ legSid: string; cancel(): Promise<void> }> {
    const token = randomUUID();
    const leg: Leg = { room: req.room, answered: false, accepted: false, onEvent: req.onEvent };
    this.legs.set(token, leg);
    const base = publicBase(this.opts.publicUrl);
    try {
      const res = await this.http.request({
        method: 'POST', path: '/Calls.json',
        form: {
          To: req.to, From: req.from, Timeout: String(req.ringTimeoutSec),
          Twiml: briefingTwiml(req.briefing, `${base}${TRANSFER_PATHS.accept}?leg=${token}`),
          StatusCallback: `${base}${TRANSFER_PATHS.status}?leg=${token}`, StatusCallbackMethod: 'POST',
          StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        },
      });
      const legSid = typeof res.sid === 'string' ? res.sid : '';
      if (!legSid) throw new AppError(TWILIO_ERROR.rejected, 'Twilio accepted the call but returned no sid');
      leg.legSid = legSid;
      return { legSid, cancel: () => this.cancel(token) };
    } catch (err) {
      this.legs.delete(token);
      throw err;
    }
  }

  async resume(callSid: string, parameters: Record<string, string>): Promise<void> {
    await this.updateCall(callSid, { Twiml: connectStreamTwiml({ url: this.opts.streamUrl, parameters }) });
  }

  /** A status callback of a person's leg. False when the leg is not (or no longer) known here. */
  legStatus(token: string, status: string): boolean {
    const leg = this.legs.get(token);
    if (!leg) return false;
    if (status === 'ringing') leg.onEvent({ type: 'ringing' });
    else if (status === 'in-progress' || status === 'answered') {
      if (!leg.answered) leg.onEvent({ type: 'answered' });
      leg.answered = true;
    } else if (status === 'completed') {
      this.legs.delete(token);
      // Answered and hung up (or let the briefing run out) without taking the call.
      if (!leg.accepted) leg.onEvent({ type: 'ended', failure: leg.answered ? 'declined' : 'no_answer' });
    } else if (FAILURE_OF[status]) {
      this.legs.delete(token);
      if (!leg.accepted) leg.onEvent({ type: 'ended', failure: FAILURE_OF[status] });
    }
    return true;
  }

  /** The key the person pressed after the briefing: the TwiML to answer Twilio with. */
  accept(token: string, digits: string | undefined): string {
    const leg = this.legs.get(token);
    if (!leg || leg.accepted) return sayAndHangUpTwiml('The caller is no longer waiting. Goodbye.');
    if (digits !== ACCEPT_DIGIT) {
      this.legs.delete(token);
      leg.onEvent({ type: 'ended', failure: 'declined' });
      return sayAndHangUpTwiml('The caller will be offered to leave a message. Goodbye.');
    }
    leg.accepted = true;
    leg.onEvent({ type: 'accepted' });
    return joinConferenceTwiml(leg.room);
  }

  /** Stops a leg still ringing or being briefed (the caller left, or the wait ran out). */
  private async cancel(token: string): Promise<void> {
    const leg = this.legs.get(token);
    this.legs.delete(token);
    if (!leg?.legSid || leg.accepted) return;
    try {
      await this.updateCall(leg.legSid, { Status: leg.answered ? 'completed' : 'canceled' });
    } catch (err) {
      if (err instanceof AppError && err.details?.twilioCode === CALL_NOT_IN_PROGRESS) return;
      this.opts.log.warn('cancelling the transfer leg failed', { code: err instanceof AppError ? err.code : 'UNKNOWN' });
    }
  }

  private async updateCall(callSid: string, form: Record<string, string>): Promise<void> {
    await this.http.request({ method: 'POST', path: `/Calls/${encodeURIComponent(callSid)}.json`, form });
  }
}

/** Dual-channel recording through the call's Recordings resource. */
export class TwilioRecording implements RecordingControl {
  constructor(private readonly http: TwilioHttp) {}

  async start(callSid: string): Promise<{ sid: string; url: string }> {
    const res = await this.http.request({
      method: 'POST', path: `/Calls/${encodeURIComponent(callSid)}/Recordings.json`,
      form: { RecordingChannels: 'dual', RecordingTrack: 'both' },
    });
    const sid = typeof res.sid === 'string' ? res.sid : '';
    if (!sid) throw new AppError(TWILIO_ERROR.rejected, 'Twilio accepted the recording but returned no sid');
    // The media URL (Twilio serves .wav or .mp3 at this address); `uri` is the JSON resource.
    return { sid, url: `${this.http.accountBase}/Recordings/${sid}` };
  }

  async stop(callSid: string, recordingSid: string): Promise<void> {
    await this.http.request({
      method: 'POST', path: `/Calls/${encodeURIComponent(callSid)}/Recordings/${encodeURIComponent(recordingSid)}.json`,
      form: { Status: 'stopped' },
    });
  }
}
