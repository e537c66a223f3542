/**
 * `POST /v1/responses`: the Responses API peer. The request header
 * `x-switchboard-scenario: <vertical>/<scenario>` names the script to play (a request without
 * it gets the rule-based brain). Streaming requests get server-sent events as the service
 * streams them (`event:` and `data:` lines, no `[DONE]`); others get the response as JSON.
 * Responses are kept in memory (when `store` is not false) so `previous_response_id` works.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../../observability/index.js';
import type { Scenario, ScenarioFault, ScenarioLibrary } from '../../../scenarios/index.js';
import { ResponseBuilder } from './output.js';
import { INVALID_JSON, apiError, parseResponsesRequest, type ApiError, type FunctionToolParam, type InputItem } from './request.js';
import { replyFor } from './script.js';

export const RESPONSES_PATH = '/v1/responses';
export const SCENARIO_HEADER = 'x-switchboard-scenario';
/**
 * Names the call a request belongs to (the cascade engine sends it). A scenario's `fault` step
 * then happens once per call: the retry after the failover gets the step after it.
 */
export const CALL_HEADER = 'x-switchboard-call';
const FIRED_FAULTS = 10_000;

const MAX_BODY_BYTES = 32 * 1024 * 1024;
const STORED_RESPONSES = 2000;

export interface ResponsesPeerOptions {
  library: ScenarioLibrary;
  /** Played when a request names no scenario (otherwise the rule-based brain answers). */
  defaultScenario?: Scenario;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`; otherwise any non-empty key. */
  apiKey?: string;
  now: () => Date;
  logger: Logger;
}

const NO_KEY = apiError(401,
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");

function wrongKey(key: string): ApiError {
  const shown = key.length > 8 ? `${key.slice(0, 3)}*****${key.slice(-4)}` : '*****';
  return apiError(401, `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`, null, 'invalid_api_key');
}

function requestId(): string {
  return `req_${randomBytes(16).toString('hex')}`;
}

export class ResponsesPeer {
  private readonly stored = new Map<string, InputItem[]>();
  private readonly fired = new Set<string>();
  readonly counts = { requests: 0, streamed: 0, rejected: 0, faults: 0 };

  constructor(private readonly opts: ResponsesPeerOptions) {}

  /** Answers one request to RESPONSES_PATH. Never throws. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    this.counts.requests += 1;
    const id = requestId();
    if (req.method !== 'POST') return this.fail(res, id, apiError(404, `Invalid URL (${req.method ?? 'GET'} ${RESPONSES_PATH})`));
    const auth = req.headers.authorization;
    const key = typeof auth === 'string' && /^Bearer\s+\S/i.test(auth) ? auth.replace(/^Bearer\s+/i, '').trim() : undefined;
    if (!key) return this.fail(res, id, NO_KEY);
    if (this.opts.apiKey !== undefined && key !== this.opts.apiKey) return this.fail(res, id, wrongKey(key));
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', (err) => this.opts.logger.warn('responses request stream failed', { err }));
    req.on('end', () => {
      if (tooLarge) return this.fail(res, id, apiError(413, `Request body too large: the limit is ${MAX_BODY_BYTES} bytes.`));
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return this.fail(res, id, INVALID_JSON);
      }
      try {
        this.respond(req, res, id, body);
      } catch (err) {
        this.opts.logger.error('responses peer failed', { err });
        this.fail(res, id, apiError(500, 'The server had an error while processing your request. Sorry about that!', null, null, 'server_error'));
      }
    });
  }

  private fail(res: ServerResponse, id: string, error: ApiError): void {
    this.counts.rejected += 1;
    if (res.headersSent) return void res.end();
    res.writeHead(error.status, { 'content-type': 'application/json', 'x-request-id': id });
    res.end(JSON.stringify(error.body));
  }

  private respond(req: IncomingMessage, res: ServerResponse, id: string, body: unknown): void {
    const parsed = parseResponsesRequest(body);
    if (!parsed.ok) return this.fail(res, id, parsed.error);
    const request = parsed.request;
    const header = req.headers[SCENARIO_HEADER];
    const scenarioId = Array.isArray(header) ? header[0] : header;
    const scenario = scenarioId ? this.opts.library.get(scenarioId) : this.opts.defaultScenario;
    if (scenarioId && !scenario) return this.fail(res, id, apiError(400, `Unknown scenario '${scenarioId}' in the ${SCENARIO_HEADER} header.`, null, 'unknown_scenario'));
    let input: InputItem[] = typeof request.input === 'string'
      ? [{ type: 'message', role: 'user', content: request.input }]
      : [...(request.input ?? [])];
    if (request.previous_response_id) {
      const previous = this.stored.get(request.previous_response_id);
      if (!previous) {
        return this.fail(res, id, apiError(400, `Previous response with id '${request.previous_response_id}' not found.`, 'previous_response_id', 'previous_response_not_found'));
      }
      input = [...previous, ...input];
    }
    const tools = (request.tools ?? []).filter((t): t is FunctionToolParam => t.type === 'function');
    const callHeader = req.headers[CALL_HEADER];
    const callKey = Array.isArray(callHeader) ? callHeader[0] : callHeader;
    const fireFault = callKey ? (turn: number, step: number): boolean => {
      const key = `${callKey}|${scenarioId ?? ''}|${turn}|${step}`;
      if (this.fired.has(key)) return false;
      this.fired.add(key);
      if (this.fired.size > FIRED_FAULTS) this.fired.delete(this.fired.values().next().value!);
      return true;
    } : undefined;
    let reply = replyFor({ scenario, input, instructions: request.instructions, tools, now: this.opts.now(), ...(fireFault ? { fireFault } : {}) });
    if (reply.fault) return this.fault(req, res, id, reply.fault, request.stream === true);
    if (request.tool_choice === 'none' && reply.toolCall) reply = { say: reply.say ?? 'Okay.' };
    const builder = new ResponseBuilder(request, JSON.stringify(input).length + (request.instructions?.length ?? 0));
    const events = builder.events(reply);
    if (request.store !== false) this.remember(builder.id, [...input, ...(builder.output as unknown as InputItem[])]);
    if (request.stream) {
      this.counts.streamed += 1;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': id });
      for (const e of events) res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': id });
    res.end(JSON.stringify(builder.resource('completed', builder.output)));
  }

  /** A scenario's fault step, as the service shows it over HTTP. */
  private fault(req: IncomingMessage, res: ServerResponse, id: string, fault: ScenarioFault, stream: boolean): void {
    this.counts.faults += 1;
    switch (fault.kind) {
      case 'rate_limit': {
        const waitMs = fault.retryAfterMs ?? 1000;
        this.counts.rejected += 1;
        res.writeHead(429, { 'content-type': 'application/json', 'x-request-id': id, 'retry-after-ms': String(waitMs), 'retry-after': String(Math.ceil(waitMs / 1000)) });
        res.end(JSON.stringify(apiError(429, `Rate limit reached for requests. Please try again in ${(waitMs / 1000).toFixed(3)}s.`, null, 'rate_limit_exceeded', 'requests').body));
        return;
      }
      case 'stall':
        // Never answered: the client gives up (its timeout, or the call's stall watchdog).
        req.socket.setTimeout(0);
        return;
      case 'drop':
        if (stream) res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': id });
        res.socket?.destroy();
        return;
      default:
        // server_error, response_failed, session_expired: an HTTP request fails with a 500.
        return this.fail(res, id, apiError(500, 'The server had an error while processing your request. Sorry about that!', null, null, 'server_error'));
    }
  }

  private remember(responseId: string, items: InputItem[]): void {
    this.stored.set(responseId, items);
    if (this.stored.size > STORED_RESPONSES) this.stored.delete(this.stored.keys().next().value!);
  }
}
