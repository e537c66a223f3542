/**
 * Also `POST /v1/audio/speech` (text to speech, what `client.audio.speech.create` calls): it checks
 * the body as the service would (model, voice, input of at most 4096 characters, a known
 * response_format) and answers `pcm` (24 kHz 16-bit mono) with a tone whose pitch is the voice's
 * and whose length follows the text, so a test can tell which voice spoke what.
 *
 * A local fake of the OpenAI HTTP API's Chat Completions endpoint (`POST /v1/chat/completions`,
 * what `client.chat.completions.parse` calls), for the post-call analyser. It checks each request
 * the way the real API would care about (bearer key, model, a strict `json_schema` response
 * format, and what the test expects: the schema, the transcript in the input) and answers a 400
 * `invalid_request_error` when a check fails. Otherwise it answers with the next scripted reply:
 * canned JSON, a malformed body, schema-violating JSON, or an HTTP error.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';

export type FakeReply =
  /** A well-formed completion whose content is this value as JSON. */
  | { kind: 'json'; content: unknown }
  /** A completion whose content is not JSON at all (cut off mid-object). */
  | { kind: 'malformed' }
  /** An HTTP error status with an OpenAI-style error body. */
  | { kind: 'status'; status: number; message?: string }
  /** The model declines (`message.refusal`). */
  | { kind: 'refusal'; refusal: string };

export interface FakeExpectations {
  model?: string;
  /** The exact JSON Schema expected in response_format.json_schema.schema. */
  schema?: unknown;
  /** Property names expected under `fields` in the schema. */
  fieldNames?: string[];
  /** Strings that must all appear in the messages (e.g. every caller line of the transcript). */
  inputIncludes?: string[];
}

export interface RecordedRequest {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
  /** Empty when every check passed. */
  problems: string[];
}

export interface FakeOpenAiApi {
  /** e.g. http://127.0.0.1:PORT/v1 — pass as the client's baseURL. */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  expect(expectations: FakeExpectations): void;
  /** Replies used in order, one per request; after them `defaultReply`. */
  script(...replies: FakeReply[]): void;
  defaultReply: FakeReply;
  close(): Promise<void>;
}

function messagesText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return messages
    .map((m) => {
      const content = (m as { content?: unknown }).content;
      if (typeof content === 'string') return content;
      if (Array.isArray(content)) return content.map((p) => (p as { text?: unknown }).text ?? '').join('\n');
      return '';
    })
    .join('\n');
}

function check(body: Record<string, unknown>, authorization: string | undefined, exp: FakeExpectations): string[] {
  const problems: string[] = [];
  if (!authorization?.startsWith('Bearer ') || authorization.length <= 'Bearer '.length) problems.push('missing bearer API key');
  if (typeof body.model !== 'string' || body.model.length === 0) problems.push('model is required');
  else if (exp.model && body.model !== exp.model) problems.push(`model ${body.model}, expected ${exp.model}`);
  if (!Array.isArray(body.messages) || body.messages.length === 0) problems.push('messages is required');
  const format = body.response_format as { type?: unknown; json_schema?: { name?: unknown; strict?: unknown; schema?: unknown } } | undefined;
  if (format?.type !== 'json_schema') problems.push('response_format.type must be json_schema');
  else {
    const js = format.json_schema;
    if (typeof js?.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(js.name)) problems.push('response_format.json_schema.name is invalid');
    if (js?.strict !== true) problems.push('response_format.json_schema.strict must be true');
    const schema = js?.schema as { type?: unknown; additionalProperties?: unknown; properties?: Record<string, unknown> } | undefined;
    if (schema?.type !== 'object' || schema.additionalProperties !== false) problems.push('strict schemas need a closed object at the root');
    if (exp.schema !== undefined && !isDeepStrictEqual(schema, exp.schema)) problems.push('response_format.json_schema.schema differs from the expected schema');
    if (exp.fieldNames) {
      const fields = schema?.properties?.fields as { properties?: Record<string, unknown>; required?: unknown } | undefined;
      const names = Object.keys(fields?.properties ?? {}).sort();
      if (!isDeepStrictEqual(names, [...exp.fieldNames].sort())) problems.push(`schema fields [${names.join(', ')}], expected [${exp.fieldNames.join(', ')}]`);
    }
  }
  const text = messagesText(body);
  for (const needle of exp.inputIncludes ?? []) if (!text.includes(needle)) problems.push(`input lacks ${JSON.stringify(needle)}`);
  return problems;
}

let completionSeq = 0;

function completion(model: string, content: string | null, refusal: string | null): Record<string, unknown> {
  completionSeq++;
  return {
    id: `chatcmpl-fake-${completionSeq}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-request-id': `req_fake_${completionSeq}` });
  res.end(text);
}

const errorBody = (message: string, type: string, code: string | null) => ({ error: { message, type, param: null, code } });

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const SPEECH_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'];
/** Milliseconds of fake speech per character of input. */
export const FAKE_SPEECH_MS_PER_CHAR = 40;

/** The tone's pitch for a voice name (stable, distinct per voice). */
export function fakeVoiceHz(voice: string): number {
  let h = 0;
  for (const c of voice) h = (h * 31 + c.charCodeAt(0)) % 1000;
  return 200 + h;
}

function speech(res: ServerResponse, body: Record<string, unknown>, authorization: string | undefined, requests: RecordedRequest[]): void {
  const problems: string[] = [];
  if (!authorization?.startsWith('Bearer ') || authorization.length <= 'Bearer '.length) problems.push('missing bearer API key');
  if (typeof body.model !== 'string' || body.model.length === 0) problems.push('model is required');
  if (typeof body.voice !== 'string' || body.voice.length === 0) problems.push('voice is required');
  if (typeof body.input !== 'string' || body.input.length === 0 || body.input.length > 4096) problems.push('input must be 1 to 4096 characters');
  const format = body.response_format ?? 'mp3';
  if (typeof format !== 'string' || !SPEECH_FORMATS.includes(format)) problems.push(`response_format must be one of ${SPEECH_FORMATS.join(', ')}`);
  else if (format !== 'pcm') problems.push('the fake speaks pcm only');
  requests.push({ path: '/v1/audio/speech', authorization, body, problems });
  if (problems.length > 0) {
    send(res, 400, errorBody(`fake OpenAI check failed: ${problems.join('; ')}`, 'invalid_request_error', 'fake_check_failed'));
    return;
  }
  const samples = Math.round((String(body.input).length * FAKE_SPEECH_MS_PER_CHAR * 24_000) / 1000);
  const hz = fakeVoiceHz(String(body.voice));
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 24_000)), i * 2);
  res.writeHead(200, { 'content-type': 'audio/pcm', 'content-length': pcm.length });
  res.end(pcm);
}

export async function startFakeOpenAiApi(): Promise<FakeOpenAiApi> {
  const requests: RecordedRequest[] = [];
  let expectations: FakeExpectations = {};
  const scripted: FakeReply[] = [];

  const api = {
    requests,
    defaultReply: { kind: 'status', status: 500, message: 'no reply scripted' } as FakeReply,
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '').split('?')[0]!;
      if (req.method === 'POST' && path === '/v1/audio/speech') {
        let speechBody: Record<string, unknown>;
        try {
          speechBody = JSON.parse(await readBody(req)) as Record<string, unknown>;
        } catch {
          send(res, 400, errorBody('We could not parse the JSON body of your request.', 'invalid_request_error', null));
          return;
        }
        speech(res, speechBody, req.headers.authorization, requests);
        return;
      }
      if (req.method !== 'POST' || path !== '/v1/chat/completions') {
        send(res, 404, errorBody(`Unknown request URL: ${req.method} ${path}`, 'invalid_request_error', 'unknown_url'));
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      } catch {
        send(res, 400, errorBody('We could not parse the JSON body of your request.', 'invalid_request_error', null));
        return;
      }
      const authorization = req.headers.authorization;
      const problems = check(body, authorization, expectations);
      requests.push({ path, authorization, body, problems });
      if (problems.length > 0) {
        send(res, 400, errorBody(`fake OpenAI check failed: ${problems.join('; ')}`, 'invalid_request_error', 'fake_check_failed'));
        return;
      }
      const reply = scripted.shift() ?? api.defaultReply;
      const model = String(body.model);
      switch (reply.kind) {
        case 'json':
          send(res, 200, completion(model, JSON.stringify(reply.content), null));
          return;
        case 'malformed':
          send(res, 200, completion(model, '{"summary": "The caller wanted to book a hairc', null));
          return;
        case 'refusal':
          send(res, 200, completion(model, null, reply.refusal));
          return;
        case 'status':
          send(res, reply.status, errorBody(reply.message ?? `status ${reply.status}`, reply.status >= 500 ? 'server_error' : 'invalid_request_error', null));
      }
    })().catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, errorBody(String(err), 'server_error', null));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return Object.assign(api, {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    expect(next: FakeExpectations) { expectations = next; },
    script(...replies: FakeReply[]) { scripted.push(...replies); },
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    }),
  });
}
