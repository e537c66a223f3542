/** HTTP error answers: JSON `{ error: { code, message } }` with a status chosen from the code. */
import type { ErrorRequestHandler, Response } from 'express';
import { AppError } from '../shared/index.js';
import { createLogger } from '../observability/index.js';

const log = createLogger('server');

export const HTTP_ERROR = {
  notFound: 'NOT_FOUND',
  badRequest: 'BAD_REQUEST',
  unauthorized: 'ADMIN_UNAUTHORIZED',
  forbidden: 'ADMIN_FORBIDDEN',
  adminDisabled: 'ADMIN_DISABLED',
  tooLarge: 'PAYLOAD_TOO_LARGE',
  reloadRejected: 'CATALOG_RELOAD_REJECTED',
  draining: 'SERVER_DRAINING',
  internal: 'INTERNAL',
  /** A fleet reload: some instance the registry lists as alive did not answer in time. */
  fleetReloadIncomplete: 'FLEET_RELOAD_INCOMPLETE',
} as const;

const STATUS: Record<string, number> = {
  [HTTP_ERROR.notFound]: 404,
  [HTTP_ERROR.badRequest]: 400,
  [HTTP_ERROR.unauthorized]: 401,
  [HTTP_ERROR.forbidden]: 403,
  [HTTP_ERROR.adminDisabled]: 403,
  [HTTP_ERROR.tooLarge]: 413,
  [HTTP_ERROR.reloadRejected]: 422,
  [HTTP_ERROR.draining]: 503,
  [HTTP_ERROR.fleetReloadIncomplete]: 504,
};

export function sendError(res: Response, code: string, message: string, extra: Record<string, unknown> = {}): void {
  res.status(STATUS[code] ?? 500).json({ error: { code, message, ...extra } });
}

/** Last express handler: nothing reaches the client as a stack trace. */
export const errorHandler: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  if (res.headersSent) return next(err);
  const e = err as { type?: string; status?: number };
  if (e.type === 'entity.too.large') return sendError(res, HTTP_ERROR.tooLarge, 'request body too large');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return sendError(res, HTTP_ERROR.badRequest, 'malformed request body');
  if (err instanceof AppError) {
    const status = STATUS[err.code] ?? 500;
    if (status >= 500) log.error('request failed', { code: err.code, err });
    return void res.status(status).json({ error: { code: err.code, message: err.message } });
  }
  log.error('request failed', { err });
  sendError(res, HTTP_ERROR.internal, 'internal error');
};
