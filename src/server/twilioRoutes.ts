/**
 * Twilio webhooks: `POST /twilio/voice` answers an incoming call with `<Connect><Stream>` (or an
 * apology for a number no vertical claims) and prepares the call at once; `POST /twilio/status`
 * forwards call status callbacks to the handler, once each.
 */
import express, { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import { webhooksTotal } from '../observability/metrics.js';
import type { Logger } from '../observability/logger.js';
import { apologyTwiml, connectStreamTwiml } from '../telephony/twiml.js';
import { validateTwilioSignature } from '../telephony/signature.js';
import { SCENARIO_FORM_FIELD, STREAM_PARAM } from '../telephony/types.js';
import { HTTP_ERROR, sendError } from './errors.js';
import { StatusDeduper } from './statusDedup.js';
import { publicBase, STREAM_PATH, toWebSocketUrl } from './urls.js';
import type { GatewayOptions } from './types.js';

export const BUSY_APOLOGY = "We're sorry, we can't take your call right now. Please try again later. Goodbye.";
const SCENARIO = /^[A-Za-z0-9_./-]{1,120}$/;

const voiceSchema = z.object({
  CallSid: z.string().min(1).max(64),
  To: z.string().max(64).optional(),
  From: z.string().max(64).optional(),
  [SCENARIO_FORM_FIELD]: z.string().regex(SCENARIO).optional(),
});

const statusSchema = z.object({
  CallSid: z.string().min(1).max(64),
  CallStatus: z.string().min(1).max(32),
  CallDuration: z.coerce.number().int().min(0).optional(),
});

type FormBody = Record<string, string | string[] | undefined>;

function formOf(req: Request): FormBody {
  const body: unknown = req.body;
  return body && typeof body === 'object' ? (body as FormBody) : {};
}

/** 403 unless the request carries Twilio's signature for our public URL and its form params. */
export function twilioSignatureCheck(authToken: string | null | undefined, publicUrl: string, route: string): RequestHandler {
  const base = publicBase(publicUrl);
  return (req, res, next) => {
    if (!authToken) return next();
    const signature = req.get('x-twilio-signature');
    if (!validateTwilioSignature(authToken, signature, base + req.originalUrl, formOf(req))) {
      webhooksTotal.inc({ route, outcome: 'bad_signature' });
      return sendError(res, HTTP_ERROR.signature, signature ? 'X-Twilio-Signature does not match' : 'X-Twilio-Signature is missing');
    }
    next();
  };
}

const xml = (body: string) => ({ type: 'text/xml', body });

export function twilioRouter(opts: GatewayOptions, log: Logger, isDraining: () => boolean): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 });
  const streamUrl = toWebSocketUrl(opts.publicUrl) + STREAM_PATH;
  const dedup = new StatusDeduper();

  router.post('/twilio/voice', form, twilioSignatureCheck(opts.twilioAuthToken, opts.publicUrl, 'voice'), (req, res) => {
    const parsed = voiceSchema.safeParse(formOf(req));
    if (!parsed.success) {
      webhooksTotal.inc({ route: 'voice', outcome: 'bad_request' });
      const issue = parsed.error.issues[0];
      return sendError(res, HTTP_ERROR.badRequest, `${issue?.path.join('.') ?? 'body'}: ${issue?.message ?? 'invalid'}`);
    }
    const { CallSid: callSid, To: to, From: from } = parsed.data;
    const scenario = parsed.data[SCENARIO_FORM_FIELD];
    const answer = (outcome: string, twiml: string) => {
      webhooksTotal.inc({ route: 'voice', outcome });
      const { type, body } = xml(twiml);
      res.type(type).send(body);
    };
    if (isDraining()) return answer('draining', apologyTwiml(BUSY_APOLOGY));
    const vertical = to ? opts.catalog.byNumber(to) : undefined;
    if (!vertical) {
      log.info('call to a number no vertical claims', { callSid, to: to ?? '' });
      return answer('unknown_number', apologyTwiml());
    }
    try {
      // Not awaited: the model connection opens while Twilio fetches our TwiML and dials the stream.
      const pending = opts.handler.prepare({ callSid, vertical, ...(from ? { from } : {}), ...(to ? { to } : {}), ...(scenario ? { scenario } : {}) });
      if (pending) pending.catch((err: unknown) => log.warn('call preparation failed', { callSid, vertical: vertical.id, err }));
    } catch (err) {
      log.warn('call refused at preparation', { callSid, vertical: vertical.id, err });
      return answer('refused', apologyTwiml(BUSY_APOLOGY));
    }
    const parameters: Record<string, string> = {
      [STREAM_PARAM.callSid]: callSid,
      [STREAM_PARAM.vertical]: vertical.id,
      [STREAM_PARAM.version]: vertical.version,
    };
    if (scenario) parameters[STREAM_PARAM.scenario] = scenario;
    log.info('call answered', { callSid, vertical: vertical.id, version: vertical.version });
    answer('connected', connectStreamTwiml({ url: streamUrl, parameters }));
  });

  router.post('/twilio/status', form, twilioSignatureCheck(opts.twilioAuthToken, opts.publicUrl, 'status'), async (req, res) => {
    const parsed = statusSchema.safeParse(formOf(req));
    if (!parsed.success) {
      webhooksTotal.inc({ route: 'status', outcome: 'bad_request' });
      const issue = parsed.error.issues[0];
      return sendError(res, HTTP_ERROR.badRequest, `${issue?.path.join('.') ?? 'body'}: ${issue?.message ?? 'invalid'}`);
    }
    const { CallSid: callSid, CallStatus: callStatus, CallDuration: durationSec } = parsed.data;
    const ran = await dedup.run(`${callSid}:${callStatus}`, async () => {
      await opts.handler.statusCallback({ callSid, callStatus, ...(durationSec !== undefined ? { durationSec } : {}) });
    });
    webhooksTotal.inc({ route: 'status', outcome: ran ? 'forwarded' : 'duplicate' });
    res.status(204).end();
  });

  return router;
}
