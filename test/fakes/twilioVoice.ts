/**
 * The voice side of the fake Twilio API: calls placed through `POST Calls.json` that ring,
 * answer, are busy or fail as scripted per number, with Twilio's status callbacks (signed with the
 * account's auth token, `StatusCallbackEvent` steps) and, for an answered call, its TwiML run the
 * way Twilio runs a one-key `<Gather>`: the scripted key is POSTed to the action URL and the
 * answer's `<Conference>` is joined. Conferences hold the calls a `<Dial><Conference>` put in
 * them (call updates included) and start when a `startConferenceOnEnter` participant joins;
 * `Recordings.json` starts and stops call recordings.
 */
import { computeTwilioSignature } from '../../src/telephony/index.js';

/** What the dialled person does. `answer` presses the key; `decline` answers and hangs up; `silent` answers and presses nothing. */
export type LegScript = { outcome: 'answer' | 'decline' | 'silent' | 'no-answer' | 'busy' | 'failed'; ringMs?: number; digits?: string };

export interface FakeConference {
  sid: string;
  friendlyName: string;
  status: 'init' | 'in-progress' | 'completed';
  participants: Array<{ callSid: string; hold: boolean; startConferenceOnEnter: boolean }>;
}

export interface FakePlacedCall {
  sid: string;
  to: string;
  from: string;
  status: string;
  /** Every status the call went through, in order. */
  statuses: string[];
}

export interface FakeRecording {
  sid: string;
  callSid: string;
  channels: string;
  status: 'in-progress' | 'stopped';
}

type Json = (status: number, body: unknown) => void;
type Fail = (status: number, code: number, message: string) => void;

const CONFERENCE = /<Conference\b([^>]*)>([^<]*)<\/Conference>/;
const attr = (attrs: string, name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(attrs)?.[1];
const unescape = (s: string): string => s.replace(/&(lt|gt|quot|apos|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] ?? _m);

export class FakeVoiceNetwork {
  readonly calls = new Map<string, FakePlacedCall>();
  readonly conferences = new Map<string, FakeConference>();
  readonly recordings = new Map<string, FakeRecording>();
  /** What each dialled number does (default: answers and takes the call). */
  readonly scripts = new Map<string, LegScript>();
  /** Replaces the origin of callback URLs (the gateway's public URL may not be where it listens); signatures stay over the original URL. */
  callbackBase: string | undefined;
  /** Callback deliveries: url, form, HTTP status of the answer. */
  readonly callbacks: Array<{ url: string; form: Record<string, string>; status: number }> = [];
  private seq = 0;
  private stopped = false;

  constructor(private readonly accountSid: string, private readonly authToken: string) {}

  private sid(prefix: string): string {
    return `${prefix}${String(++this.seq).padStart(32, '0')}`;
  }

  /** The API is closing: placed calls stop where they are (no more callbacks). */
  stop(): void {
    this.stopped = true;
  }

  createCall(form: Record<string, string>, json: Json, fail: Fail): void {
    if (!form.To || !form.From) return fail(400, 21201, "A 'To' and 'From' are required");
    if (!form.Twiml && !form.Url) return fail(400, 21205, 'Url or Twiml is required');
    const call: FakePlacedCall = { sid: this.sid('CA'), to: form.To, from: form.From, status: 'queued', statuses: ['queued'] };
    this.calls.set(call.sid, call);
    json(201, { sid: call.sid, account_sid: this.accountSid, to: call.to, from: call.from, status: call.status });
    void this.run(call, form).catch(() => undefined);
  }

  /** A call update: a `<Dial><Conference>` puts the call in the room; anything else takes it out. */
  updateCall(callSid: string, form: Record<string, string>): void {
    for (const conf of this.conferences.values()) {
      conf.participants = conf.participants.filter((p) => p.callSid !== callSid);
      if (conf.participants.length === 0 && conf.status === 'in-progress') conf.status = 'completed';
    }
    const call = this.calls.get(callSid);
    if (form.Status && call) this.setStatus(call, form.Status === 'canceled' ? 'canceled' : 'completed');
    if (form.Twiml) this.join(callSid, form.Twiml);
  }

  startRecording(callSid: string, form: Record<string, string>, json: Json): void {
    const rec: FakeRecording = { sid: this.sid('RE'), callSid, channels: form.RecordingChannels ?? 'mono', status: 'in-progress' };
    this.recordings.set(rec.sid, rec);
    json(201, {
      sid: rec.sid, call_sid: callSid, account_sid: this.accountSid, status: rec.status, channels: rec.channels === 'dual' ? 2 : 1,
      source: 'StartCallRecordingAPI', uri: `/2010-04-01/Accounts/${this.accountSid}/Calls/${callSid}/Recordings/${rec.sid}.json`,
    });
  }

  updateRecording(callSid: string, recordingSid: string, form: Record<string, string>, json: Json, fail: Fail): void {
    const rec = this.recordings.get(recordingSid);
    if (!rec || rec.callSid !== callSid) return fail(404, 20404, 'The requested resource was not found');
    if (form.Status === 'stopped') rec.status = 'stopped';
    json(200, { sid: rec.sid, call_sid: callSid, status: rec.status });
  }

  listConferences(query: Record<string, string>, json: Json): void {
    const list = [...this.conferences.values()].filter((c) => !query.FriendlyName || c.friendlyName === query.FriendlyName);
    json(200, { conferences: list.map((c) => ({ sid: c.sid, friendly_name: c.friendlyName, status: c.status, account_sid: this.accountSid })) });
  }

  listParticipants(conferenceSid: string, json: Json, fail: Fail): void {
    const conf = [...this.conferences.values()].find((c) => c.sid === conferenceSid);
    if (!conf) return fail(404, 20404, 'The requested resource was not found');
    json(200, { participants: conf.participants.map((p) => ({ call_sid: p.callSid, conference_sid: conf.sid, hold: p.hold, status: 'connected' })) });
  }

  private join(callSid: string, twiml: string): void {
    const m = CONFERENCE.exec(twiml);
    if (!m) return;
    const name = unescape(m[2]!.trim());
    let conf = this.conferences.get(name);
    if (!conf || conf.status === 'completed') {
      conf = { sid: this.sid('CF'), friendlyName: name, status: 'init', participants: [] };
      this.conferences.set(name, conf);
    }
    const starts = attr(m[1]!, 'startConferenceOnEnter') !== 'false';
    conf.participants.push({ callSid, hold: !starts && conf.status !== 'in-progress', startConferenceOnEnter: starts });
    if (starts) {
      conf.status = 'in-progress';
      for (const p of conf.participants) p.hold = false;
    }
  }

  private async run(call: FakePlacedCall, form: Record<string, string>): Promise<void> {
    const script = this.scripts.get(call.to) ?? { outcome: 'answer' };
    const ringMs = script.ringMs ?? 50;
    const status = async (s: string): Promise<void> => {
      if (this.stopped) return;
      this.setStatus(call, s);
      if (form.StatusCallback) await this.post(form.StatusCallback, { CallSid: call.sid, AccountSid: this.accountSid, CallStatus: s, To: call.to, From: call.from });
    };
    await status('initiated');
    await sleep(ringMs / 2);
    await status('ringing');
    await sleep(ringMs);
    if (script.outcome === 'no-answer' || script.outcome === 'busy' || script.outcome === 'failed') return status(script.outcome);
    if (call.status === 'canceled' || call.status === 'completed') return;
    await status('in-progress');
    if (script.outcome === 'decline') return status('completed');
    const gather = /<Gather\b([^>]*)>/.exec(form.Twiml ?? '');
    const action = gather ? unescape(attr(gather[1]!, 'action') ?? '') : '';
    if (!action || script.outcome === 'silent') return status('completed');
    const answer = await this.post(action, { CallSid: call.sid, AccountSid: this.accountSid, Digits: script.digits ?? '1' });
    if (answer && CONFERENCE.test(answer)) this.join(call.sid, answer);
    else await status('completed');
  }

  private setStatus(call: FakePlacedCall, s: string): void {
    call.status = s;
    call.statuses.push(s);
  }

  /** POSTs a signed callback; the body of the answer (TwiML), or undefined when it failed. */
  private async post(url: string, form: Record<string, string>): Promise<string | undefined> {
    if (this.stopped) return undefined;
    const target = this.callbackBase ? url.replace(/^https?:\/\/[^/]+/, this.callbackBase.replace(/\/+$/, '')) : url;
    try {
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': computeTwilioSignature(this.authToken, url, form) },
        body: new URLSearchParams(form).toString(),
      });
      const text = await res.text();
      this.callbacks.push({ url, form, status: res.status });
      return text;
    } catch {
      this.callbacks.push({ url, form, status: 0 });
      return undefined;
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());
