/**
 * WebRTC signalling for the console's softphone: the page posts its offer (ICE gathered, no
 * trickle) and the vertical it calls; the gateway prepares the call, answers with its SDP and
 * hands the browser's connection to the call handler, as a Twilio stream upgrade does. A bad
 * offer is refused before anything is prepared; a call prepared and never connected ends by the
 * runtime's no-stream timer, finalised as failed.
 */
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { callsOverflowTotal, type Logger } from '../../observability/index.js';
import { AppError, describeError } from '../../shared/index.js';
import { STREAM_PARAM } from '../../telephony/index.js';
import { checkOffer, isBrowserCallSid, newBrowserCallSid, WEBRTC, WEBRTC_ERROR, type WebRtcCarrier } from '../../telephony/index.js';
import type { CallHandler, GatewayCatalog } from '../types.js';

export const SIGNALLING_ERROR = {
  badRequest: 'CONSOLE_BAD_REQUEST',
  unknownVertical: 'CONSOLE_UNKNOWN_VERTICAL',
  unknownCall: 'CONSOLE_UNKNOWN_CALL',
  refused: 'CONSOLE_CALL_REFUSED',
  draining: 'SERVER_DRAINING',
  /** At `server.maxCalls`: the same admission control as phone calls. */
  atCapacity: 'SERVER_AT_CAPACITY',
} as const;

const offerBody = z.object({ vertical: z.string().min(1).max(100), sdp: z.string() });

const STATUS: Record<string, number> = {
  [WEBRTC_ERROR.badOffer]: 400,
  [WEBRTC_ERROR.noPcmu]: 400,
  [WEBRTC_ERROR.busy]: 503,
  [SIGNALLING_ERROR.badRequest]: 400,
  [SIGNALLING_ERROR.unknownVertical]: 404,
  [SIGNALLING_ERROR.unknownCall]: 404,
  [SIGNALLING_ERROR.refused]: 503,
  [SIGNALLING_ERROR.draining]: 503,
  [SIGNALLING_ERROR.atCapacity]: 503,
};

function fail(res: Response, code: string, message: string): void {
  res.status(STATUS[code] ?? 500).json({ error: { code, message } });
}

export interface SignallingOptions {
  carrier: WebRtcCarrier;
  catalog: GatewayCatalog;
  handler: CallHandler;
  isDraining: () => boolean;
  atCapacity?: () => boolean;
  log: Logger;
}

export function signallingRouter(opts: SignallingOptions): Router {
  const router = Router();
  const { carrier, log } = opts;

  router.post('/api/calls', express.json({ limit: '96kb' }), async (req: Request, res: Response) => {
    const parsed = offerBody.safeParse(req.body);
    if (!parsed.success) return fail(res, SIGNALLING_ERROR.badRequest, 'expected {"vertical": "<id>", "sdp": "<offer>"}');
    if (opts.isDraining()) return fail(res, SIGNALLING_ERROR.draining, 'the gateway is shutting down');
    const vertical = opts.catalog.get(parsed.data.vertical);
    if (!vertical) return fail(res, SIGNALLING_ERROR.unknownVertical, `no vertical "${parsed.data.vertical}"`);
    if (opts.atCapacity?.()) {
      callsOverflowTotal.inc({ vertical: vertical.id, reason: 'at_capacity', policy: 'reject' });
      log.info('browser call not taken: at capacity', { vertical: vertical.id });
      return fail(res, SIGNALLING_ERROR.atCapacity, 'all lines are busy: the gateway carries as many calls as it takes (server.maxCalls)');
    }
    const check = checkOffer(parsed.data.sdp);
    if (!check.ok) return fail(res, check.code, check.message);

    const callSid = newBrowserCallSid();
    try {
      const to = vertical.numbers[0];
      const pending = opts.handler.prepare({ carrier: WEBRTC, callSid, vertical, ...(to ? { to } : {}) });
      if (pending) pending.catch((err: unknown) => log.warn('browser call preparation failed', { callSid, err: describeError(err) }));
    } catch (err) {
      log.warn('browser call refused at preparation', { callSid, err: describeError(err) });
      return fail(res, SIGNALLING_ERROR.refused, 'the gateway cannot take a call now');
    }
    try {
      const params = { [STREAM_PARAM.callSid]: callSid, [STREAM_PARAM.vertical]: vertical.id, [STREAM_PARAM.version]: vertical.version };
      const { answerSdp, connection } = await carrier.answer({ callSid, params, offerSdp: parsed.data.sdp });
      opts.handler.attach(connection);
      log.info('browser call answered', { callSid, vertical: vertical.id, version: vertical.version });
      res.status(201).json({ callSid, vertical: vertical.id, sdp: answerSdp });
    } catch (err) {
      log.warn('browser call not answered', { callSid, err: describeError(err) });
      if (err instanceof AppError) return fail(res, err.code, err.message);
      fail(res, WEBRTC_ERROR.badOffer, 'the offer could not be negotiated');
    }
  });

  router.delete('/api/calls/:sid', (req: Request, res: Response) => {
    const sid = String(req.params.sid);
    if (!isBrowserCallSid(sid) || !carrier.control(sid, '{"type":"hangup"}')) return fail(res, SIGNALLING_ERROR.unknownCall, 'no live browser call with that id');
    res.status(204).end();
  });

  router.post('/api/calls/:sid/control', express.text({ type: () => true, limit: '2kb' }), (req: Request, res: Response) => {
    const sid = String(req.params.sid);
    const body = typeof req.body === 'string' ? req.body : '';
    try {
      if (!isBrowserCallSid(sid) || !carrier.control(sid, body)) return fail(res, SIGNALLING_ERROR.unknownCall, 'no live browser call with that id');
    } catch (err) {
      return fail(res, SIGNALLING_ERROR.badRequest, err instanceof AppError ? err.message : 'bad control message');
    }
    res.status(204).end();
  });

  return router;
}
