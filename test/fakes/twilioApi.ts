/**
 * A local HTTP fake of the two Twilio REST endpoints Switchboard uses:
 *   POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json   (form: Twiml | Url | Status)
 *   POST /2010-04-01/Accounts/{AccountSid}/Messages.json          (form: To, From, Body)
 * It checks basic auth like Twilio (401 with error 20003), answers with Twilio-shaped JSON,
 * records every request, and can be told to fail the next requests or to hang.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedTwilioRequest {
  method: string;
  path: string;
  kind: 'call_update' | 'message' | 'unknown';
  accountSid?: string;
  callSid?: string;
  form: Record<string, string>;
  authorized: boolean;
}

export interface FakeTwilioApi {
  readonly url: string;
  readonly requests: RecordedTwilioRequest[];
  /** The next `count` requests answer `status` (e.g. 500, 503, 400) with a Twilio error body. */
  failNext(count: number, status: number, twilioCode?: number): void;
  /** The next `count` requests never answer (until the server closes). */
  hangNext(count: number): void;
  /** Calls that already ended: updating them answers 400 / 21220 like Twilio. */
  endedCalls: Set<string>;
  /** Resolves when a request matching `pred` has arrived. */
  waitFor(pred: (r: RecordedTwilioRequest) => boolean, timeoutMs?: number): Promise<RecordedTwilioRequest>;
  close(): Promise<void>;
}

const CALL_UPDATE = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\/([^/]+)\.json$/;
const MESSAGES = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

export async function startFakeTwilioApi(creds: { accountSid: string; authToken: string }): Promise<FakeTwilioApi> {
  const requests: RecordedTwilioRequest[] = [];
  const failures: Array<{ status: number; code: number }> = [];
  let hangs = 0;
  const hanging: ServerResponse[] = [];
  const waiters: Array<{ pred: (r: RecordedTwilioRequest) => boolean; resolve: (r: RecordedTwilioRequest) => void }> = [];
  const endedCalls = new Set<string>();
  let messageCount = 0;
  const expectedAuth = 'Basic ' + Buffer.from(`${creds.accountSid}:${creds.authToken}`).toString('base64');

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: number, message: string): void =>
    json(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const call = CALL_UPDATE.exec(path);
    const msg = MESSAGES.exec(path);
    const form = Object.fromEntries(new URLSearchParams(raw));
    const record: RecordedTwilioRequest = {
      method: req.method ?? '',
      path,
      kind: call ? 'call_update' : msg ? 'message' : 'unknown',
      form,
      authorized: req.headers.authorization === expectedAuth,
    };
    const accountSid = call?.[1] ?? msg?.[1];
    if (accountSid) record.accountSid = decodeURIComponent(accountSid);
    if (call?.[2]) record.callSid = decodeURIComponent(call[2]);
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
    const failure = failures.shift();
    if (failure) return error(res, failure.status, failure.code, 'Injected failure');
    if (req.method !== 'POST' || record.kind === 'unknown') return error(res, 404, 20404, 'The requested resource was not found');

    if (record.kind === 'call_update') {
      const callSid = record.callSid!;
      if (endedCalls.has(callSid)) return error(res, 400, 21220, 'Call is not in-progress. Cannot redirect.');
      if (!form.Twiml && !form.Url && !form.Status) return error(res, 400, 21205, 'Url, Twiml or Status is required');
      if (form.Twiml?.includes('<Hangup/>') || form.Status === 'completed') endedCalls.add(callSid);
      return json(res, 200, { sid: callSid, account_sid: creds.accountSid, status: form.Status ?? 'in-progress' });
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
    endedCalls,
    failNext(count, status, twilioCode = status >= 500 ? 20500 : 21000) {
      for (let i = 0; i < count; i++) failures.push({ status, code: twilioCode });
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
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
