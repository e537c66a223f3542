/**
 * A small HTTP client over node:http/https for the edge's outbound requests (Twilio REST, the
 * simulator, CLI clients of the gateway). Unlike global fetch on Node 20 it leaves no timer
 * behind after the last request, so short-lived processes and test workers exit at once.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AppError } from '../shared/index.js';

export const HTTP_CLIENT_ERROR = {
  timeout: 'HTTP_TIMEOUT',
  aborted: 'HTTP_ABORTED',
  network: 'HTTP_NETWORK',
  tooLarge: 'HTTP_RESPONSE_TOO_LARGE',
} as const;

export interface HttpRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Whole request, connect to last byte. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Largest response body read (default 1 MiB). */
  maxBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export function httpSend(req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return reject(new AppError(HTTP_CLIENT_ERROR.network, `not a URL: ${req.url}`));
    }
    if (req.signal?.aborted) return reject(new AppError(HTTP_CLIENT_ERROR.aborted, 'request aborted'));
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const maxBytes = req.maxBytes ?? 1024 * 1024;
    let settled = false;
    const finish = (err: AppError | null, res?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(res!);
    };
    const r = send(url, { method: req.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          finish(new AppError(HTTP_CLIENT_ERROR.tooLarge, `response larger than ${maxBytes} bytes`));
          r.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => finish(null, { status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => finish(new AppError(HTTP_CLIENT_ERROR.network, err.message, { cause: err, retryable: true })));
    });
    const timeoutMs = req.timeoutMs ?? 10_000;
    const timer = setTimeout(() => {
      finish(new AppError(HTTP_CLIENT_ERROR.timeout, `no answer from ${url.host} within ${timeoutMs} ms`, { retryable: true }));
      r.destroy();
    }, timeoutMs);
    const onAbort = () => {
      finish(new AppError(HTTP_CLIENT_ERROR.aborted, 'request aborted'));
      r.destroy();
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    r.on('error', (err) => finish(new AppError(HTTP_CLIENT_ERROR.network, err.message, { cause: err, retryable: true })));
    r.end(req.body);
  });
}
