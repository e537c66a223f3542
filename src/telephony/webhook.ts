/**
 * Small helpers for carrier webhook routes: the gateway's JSON error shape (so a carrier's 400
 * and 403 answers read like every other gateway error) and the urlencoded form body.
 */
import type { Request, Response } from 'express';

export type FormBody = Record<string, string | string[] | undefined>;

/** `{ error: { code, message } }` with `status`. */
export function sendWebhookError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** The parsed form body of a request (empty when there is none). */
export function formOf(req: Request): FormBody {
  const body: unknown = req.body;
  return body && typeof body === 'object' ? (body as FormBody) : {};
}

/** Code of a malformed webhook body (400), as the gateway's own errors name it. */
export const BAD_REQUEST = 'BAD_REQUEST';
