/**
 * A local HTTP fake of the Twilio REST endpoints Switchboard uses:
 *   POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json   (form: Twiml | Url | Status)
 *   POST /2010-04-01/Accounts/{AccountSid}/Messages.json          (form: To, From, Body)
 *   GET  /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json?PageSize=&Page=&PageToken=
 *        (pages with `next_page_uri`, null on the last page)
 *   POST /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json
 *        (form: VoiceUrl, VoiceMethod, StatusCallback, StatusCallbackMethod; 404 / 20404 for an unknown sid)
 *   POST /2010-04-01/Accounts/{AccountSid}/Calls.json                    (form: To, From, Twiml|Url, Timeout, StatusCallback, StatusCallbackEvent)
 *   POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings.json   (form: RecordingChannels, RecordingTrack)
 *   POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings/{Sid}.json   (form: Status=stopped)
 *   GET  /2010-04-01/Accounts/{AccountSid}/Conferences.json?FriendlyName=
 *   GET  /2010-04-01/Accounts/{AccountSid}/Conferences/{Sid}/Participants.json
 *        (placed calls ring, answer, are busy or fail as `voice.scripts` says, with signed status
 *        callbacks: see twilioVoice.ts)
 * It checks basic auth like Twilio (401 with error 20003), answers with Twilio-shaped JSON,
 * records every request, and can be told to fail the next requests (a 429 with Retry-After
 * too), to hang, or to serve small pages.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeVoiceNetwork } from './twilioVoice.js';

export { FakeVoiceNetwork, type FakePlacedCall, type FakeConference, type FakeRecording, type LegScript } from './twilioVoice.js';

export interface RecordedTwilioRequest {
  method: string;
  path: string;
  kind: 'call_update' | 'message' | 'numbers_list' | 'number_update' | 'call_create' | 'recording_create' | 'recording_update' | 'conferences' | 'participants' | 'unknown';
  /** The query string's parameters. */
  query: Record<string, string>;
  /** When the request arrived (Date.now()). */
  atMs: number;
  accountSid?: string;
  callSid?: string;
  form: Record<string, string>;
  authorized: boolean;
}

export interface FakeTwilioApi {
  readonly url: string;
  readonly requests: RecordedTwilioRequest[];
  /** The next `count` requests answer `status` (e.g. 500, 503, 400, 429) with a Twilio error body (and `Retry-After` when given). */
  failNext(count: number, status: number, twilioCode?: number, retryAfterS?: number): void;
  /** The next request matching `pred` answers `status` with a Twilio error body (once). */
  failMatching(pred: (r: RecordedTwilioRequest) => boolean, status: number, twilioCode: number): void;
  /** The account's incoming phone numbers, by sid (add, read, change freely). */
  readonly phoneNumbers: Map<string, FakePhoneNumber>;
  /** Adds a number to the account and returns its sid. */
  addNumber(e164: string, over?: Partial<FakePhoneNumber>): string;
  /** Largest page served whatever PageSize asks (default 50), so pagination can be tested with few numbers. */
  maxPageSize: number;
  /** The next `count` requests never answer (until the server closes). */
  hangNext(count: number): void;
  /** Calls that already ended: updating them answers 400 / 21220 like Twilio. */
  endedCalls: Set<string>;
  /** Placed calls, conferences and recordings (and how dialled numbers behave: `voice.scripts`). */
  readonly voice: FakeVoiceNetwork;
  /** Called after every accepted call update (Twiml/Url/Status), e.g. for a test phone to follow a redirect. */
  onCallUpdate(fn: (callSid: string, form: Record<string, string>) => void): void;
  /** Resolves when a request matching `pred` has arrived. */
  waitFor(pred: (r: RecordedTwilioRequest) => boolean, timeoutMs?: number): Promise<RecordedTwilioRequest>;
  close(): Promise<void>;
}

export interface FakePhoneNumber {
  sid: string;
  phone_number: string;
  friendly_name: string;
  voice_url: string | null;
  voice_method: string;
  status_callback: string | null;
  status_callback_method: string;
  voice_application_sid: string | null;
  trunk_sid: string | null;
}

const NUMBERS_LIST = /^\/2010-04-01\/Accounts\/([^/]+)\/IncomingPhoneNumbers\.json$/;
const NUMBER_UPDATE = /^\/2010-04-01\/Accounts\/([^/]+)\/IncomingPhoneNumbers\/([^/]+)\.json$/;
const CALL_UPDATE = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\/([^/]+)\.json$/;
const MESSAGES = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const CALL_CREATE = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\.json$/;
const RECORDING_CREATE = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\/([^/]+)\/Recordings\.json$/;
const RECORDING_UPDATE = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\/([^/]+)\/Recordings\/([^/]+)\.json$/;
const CONFERENCES = /^\/2010-04-01\/Accounts\/([^/]+)\/Conferences\.json$/;
const PARTICIPANTS = /^\/2010-04-01\/Accounts\/([^/]+)\/Conferences\/([^/]+)\/Participants\.json$/;

export async function startFakeTwilioApi(creds: { accountSid: string; authToken: string }): Promise<FakeTwilioApi> {
  const requests: RecordedTwilioRequest[] = [];
  const failures: Array<{ status: number; code: number; retryAfterS?: number }> = [];
  const targetedFailures: Array<{ pred: (r: RecordedTwilioRequest) => boolean; status: number; code: number }> = [];
  const phoneNumbers = new Map<string, FakePhoneNumber>();
  let numberCount = 0;
  const state = { maxPageSize: 50 };
  let hangs = 0;
  const hanging: ServerResponse[] = [];
  const waiters: Array<{ pred: (r: RecordedTwilioRequest) => boolean; resolve: (r: RecordedTwilioRequest) => void }> = [];
  const endedCalls = new Set<string>();
  let messageCount = 0;
  const expectedAuth = 'Basic ' + Buffer.from(`${creds.accountSid}:${creds.authToken}`).toString('base64');
  const voice = new FakeVoiceNetwork(creds.accountSid, creds.authToken);
  const updateListeners: Array<(callSid: string, form: Record<string, string>) => void> = [];

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: number, message: string): void =>
    json(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

  const numbersPage = (res: ServerResponse, accountSid: string, query: Record<string, string>): void => {
    const pageSize = Math.max(1, Math.min(Number(query.PageSize ?? 50) || 50, state.maxPageSize));
    const page = Math.max(0, Number(query.Page ?? 0) || 0);
    const all = [...phoneNumbers.values()].sort((a, b) => a.sid.localeCompare(b.sid));
    // Like Twilio, a page after the first is found by the token (the last sid of the page before).
    const start = query.PageToken ? all.findIndex((n) => n.sid > query.PageToken!.replace(/^PA/, '')) : 0;
    const from = start < 0 ? all.length : start;
    const items = all.slice(from, from + pageSize);
    const base = `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`;
    const last = items[items.length - 1];
    const next = from + pageSize < all.length && last ? `${base}?PageSize=${pageSize}&Page=${page + 1}&PageToken=PA${last.sid}` : null;
    json(res, 200, {
      incoming_phone_numbers: items.map((n) => ({ ...n, account_sid: accountSid, uri: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${n.sid}.json` })),
      page, page_size: pageSize, start: from, end: from + items.length - 1,
      uri: `${base}?PageSize=${pageSize}&Page=${page}`, first_page_uri: `${base}?PageSize=${pageSize}&Page=0`,
      next_page_uri: next, previous_page_uri: page > 0 ? `${base}?PageSize=${pageSize}&Page=${page - 1}` : null,
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const [path = '', search = ''] = (req.url ?? '').split('?');
    const call = CALL_UPDATE.exec(path);
    const msg = MESSAGES.exec(path);
    const list = NUMBERS_LIST.exec(path);
    const update = NUMBER_UPDATE.exec(path);
    const create = CALL_CREATE.exec(path);
    const recCreate = RECORDING_CREATE.exec(path);
    const recUpdate = RECORDING_UPDATE.exec(path);
    const confs = CONFERENCES.exec(path);
    const parts = PARTICIPANTS.exec(path);
    const form = Object.fromEntries(new URLSearchParams(raw));
    const record: RecordedTwilioRequest = {
      method: req.method ?? '',
      path,
      kind: call ? 'call_update' : msg ? 'message' : list ? 'numbers_list' : update ? 'number_update' : create ? 'call_create'
        : recCreate ? 'recording_create' : recUpdate ? 'recording_update' : confs ? 'conferences' : parts ? 'participants' : 'unknown',
      query: Object.fromEntries(new URLSearchParams(search)),
      atMs: Date.now(),
      form,
      authorized: req.headers.authorization === expectedAuth,
    };
    const accountSid = call?.[1] ?? msg?.[1] ?? list?.[1] ?? update?.[1] ?? create?.[1] ?? recCreate?.[1] ?? recUpdate?.[1] ?? confs?.[1] ?? parts?.[1];
    if (accountSid) record.accountSid = decodeURIComponent(accountSid);
    const callSid = call?.[2] ?? recCreate?.[2] ?? recUpdate?.[2];
    if (callSid) record.callSid = decodeURIComponent(callSid);
    requests.push(record);
    for (const w of [...waiters]) {
      if (w.pred(record)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(record);
      }
    }

    if (hangs > 0) {
      hangs--;
      hanging.push(res);
      return;
    }
    if (!record.authorized || record.accountSid !== creds.accountSid) return error(res, 401, 20003, 'Authenticate');
    const targeted = targetedFailures.findIndex((f) => f.pred(record));
    if (targeted >= 0) {
      const [f] = targetedFailures.splice(targeted, 1);
      return error(res, f!.status, f!.code, f!.status === 404 ? 'The requested resource was not found' : 'Injected failure');
    }
    const failure = failures.shift();
    if (failure) {
      if (failure.retryAfterS !== undefined) res.setHeader('retry-after', String(failure.retryAfterS));
      return error(res, failure.status, failure.code, failure.status === 429 ? 'Too Many Requests' : 'Injected failure');
    }
    if (record.kind === 'numbers_list' && req.method === 'GET') return numbersPage(res, creds.accountSid, record.query);
    const send = (status: number, body: unknown): void => json(res, status, body);
    const fail = (status: number, code: number, message: string): void => error(res, status, code, message);
    if (record.kind === 'conferences' && req.method === 'GET') return voice.listConferences(record.query, send);
    if (record.kind === 'participants' && req.method === 'GET') return voice.listParticipants(decodeURIComponent(parts![2]!), send, fail);
    if (req.method !== 'POST' || ['unknown', 'numbers_list', 'conferences', 'participants'].includes(record.kind)) return error(res, 404, 20404, 'The requested resource was not found');
    if (record.kind === 'call_create') return voice.createCall(form, send, fail);
    if (record.kind === 'recording_create') {
      if (endedCalls.has(record.callSid!)) return error(res, 400, 21220, 'Call is not in-progress. Cannot start recording.');
      return voice.startRecording(record.callSid!, form, send);
    }
    if (record.kind === 'recording_update') return voice.updateRecording(record.callSid!, decodeURIComponent(recUpdate![3]!), form, send, fail);

    if (record.kind === 'number_update') {
      const n = phoneNumbers.get(decodeURIComponent(update![2]!));
      if (!n) return error(res, 404, 20404, 'The requested resource was not found');
      if (form.VoiceUrl !== undefined) n.voice_url = form.VoiceUrl;
      if (form.VoiceMethod !== undefined) n.voice_method = form.VoiceMethod;
      if (form.StatusCallback !== undefined) n.status_callback = form.StatusCallback;
      if (form.StatusCallbackMethod !== undefined) n.status_callback_method = form.StatusCallbackMethod;
      return json(res, 200, { ...n, account_sid: creds.accountSid });
    }

    if (record.kind === 'call_update') {
      const callSid = record.callSid!;
      if (endedCalls.has(callSid)) return error(res, 400, 21220, 'Call is not in-progress. Cannot redirect.');
      if (!form.Twiml && !form.Url && !form.Status) return error(res, 400, 21205, 'Url, Twiml or Status is required');
      if (form.Twiml?.includes('<Hangup/>') || form.Status === 'completed' || form.Status === 'canceled') endedCalls.add(callSid);
      voice.updateCall(callSid, form);
      json(res, 200, { sid: callSid, account_sid: creds.accountSid, status: form.Status ?? 'in-progress' });
      for (const fn of updateListeners) fn(callSid, form);
      return;
    }
    if (!form.To || !form.From || !form.Body) return error(res, 400, 21604, "A 'To', 'From' and 'Body' are required");
    messageCount++;
    return json(res, 201, { sid: `SM${String(messageCount).padStart(32, '0')}`, account_sid: creds.accountSid, status: 'queued', to: form.To, from: form.From, body: form.Body });
  };

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => handle(req, res, raw));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    voice,
    onCallUpdate(fn) {
      updateListeners.push(fn);
    },
    endedCalls,
    phoneNumbers,
    get maxPageSize() {
      return state.maxPageSize;
    },
    set maxPageSize(n: number) {
      state.maxPageSize = n;
    },
    addNumber(e164, over = {}) {
      numberCount++;
      const sid = over.sid ?? `PN${String(numberCount).padStart(32, '0')}`;
      phoneNumbers.set(sid, {
        sid, phone_number: e164, friendly_name: e164, voice_url: 'https://demo.twilio.com/welcome/voice/', voice_method: 'POST',
        status_callback: null, status_callback_method: 'POST', voice_application_sid: null, trunk_sid: null, ...over,
      });
      return sid;
    },
    failMatching(pred, status, twilioCode) {
      targetedFailures.push({ pred, status, code: twilioCode });
    },
    failNext(count, status, twilioCode = status === 429 ? 20429 : status >= 500 ? 20500 : 21000, retryAfterS) {
      for (let i = 0; i < count; i++) failures.push({ status, code: twilioCode, ...(retryAfterS !== undefined ? { retryAfterS } : {}) });
    },
    hangNext(count) {
      hangs += count;
    },
    waitFor(pred, timeoutMs = 10_000) {
      const found = requests.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('fake Twilio API: expected request did not arrive')), timeoutMs);
        waiters.push({ pred, resolve: (r) => { clearTimeout(timer); resolve(r); } });
      });
    },
    async close() {
      voice.stop();
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
