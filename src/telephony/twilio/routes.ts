/**
 * Twilio webhooks: `POST /twilio/voice` answers an incoming call with `<Connect><Stream>` (or an
 * apology when the gateway will not take it) after the gateway admitted and prepared the call;
 * `POST /twilio/status` forwards call status callbacks, normalised, once each. Every request
 * carries Twilio's signature over our public URL and its form params when a token is set.
 */
import express, { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Admission, CarrierCallPort, OverflowAnswer } from '../carrier.js';
import { STREAM_PARAM } from '../types.js';
import { publicBase, streamUrlFor } from '../urls.js';
import { BAD_REQUEST, formOf, sendWebhookError } from '../webhook.js';
import { SCENARIO_FORM_FIELD, SIGNATURE_INVALID, TWILIO, TWILIO_PATHS, twilioCallStatus } from './protocol.js';
import { validateTwilioSignature } from './signature.js';
import { apologyTwiml, BUSY_APOLOGY, connectStreamTwiml, dialTwiml, redirectTwiml, rejectBusyTwiml } from './twiml.js';

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

export interface TwilioWebhookOptions {
  publicUrl: string;
  /** Checks signatures when set. */
  authToken: string | null;
  /** wss URL of our media stream, as Twilio will dial (and sign) it. */
  streamUrl: string;
}

/** 403 unless the request carries Twilio's signature for our public URL and its form params. */
export function twilioSignatureCheck(authToken: string | null | undefined, publicUrl: string, route: string, port: Pick<CarrierCallPort, 'count'>): RequestHandler {
  const base = publicBase(publicUrl);
  return (req, res, next) => {
    if (!authToken) return next();
    const signature = req.get('x-twilio-signature');
    if (!validateTwilioSignature(authToken, signature, base + req.originalUrl, formOf(req))) {
      port.count(route, 'bad_signature');
      return sendWebhookError(res, 403, SIGNATURE_INVALID, signature ? 'X-Twilio-Signature does not match' : 'X-Twilio-Signature is missing');
    }
    next();
  };
}

function describeIssue(err: z.ZodError): string {
  const issue = err.issues[0];
  return `${issue?.path.join('.') ?? 'body'}: ${issue?.message ?? 'invalid'}`;
}

const OUTCOME: Record<Admission['kind'], string> = {
  connect: 'connected',
  draining: 'draining',
  unknown_number: 'unknown_number',
  refused: 'refused',
  overflow: 'overflow',
};

/** A vertical's overflow policy as TwiML. */
export function overflowTwiml(answer: OverflowAnswer): string {
  switch (answer.policy) {
    case 'busy_message':
      return apologyTwiml(answer.say);
    case 'reject':
      return rejectBusyTwiml();
    case 'redirect':
      if (answer.to) return dialTwiml(answer.to, answer.say ? { say: answer.say } : {});
      if (answer.url) return redirectTwiml(answer.url, answer.say ? { say: answer.say } : {});
      return apologyTwiml(BUSY_APOLOGY);
  }
}

export function twilioWebhooks(opts: TwilioWebhookOptions, port: CarrierCallPort): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 });

  router.post(TWILIO_PATHS.voice, form, twilioSignatureCheck(opts.authToken, opts.publicUrl, 'voice', port), (req, res) => {
    const parsed = voiceSchema.safeParse(formOf(req));
    if (!parsed.success) {
      port.count('voice', 'bad_request');
      return sendWebhookError(res, 400, BAD_REQUEST, describeIssue(parsed.error));
    }
    const { CallSid: callSid, To: to, From: from } = parsed.data;
    const scenario = parsed.data[SCENARIO_FORM_FIELD];
    const admission = port.admit({ carrier: TWILIO, callSid, ...(to ? { to } : {}), ...(from ? { from } : {}), ...(scenario ? { scenario } : {}) });
    let twiml: string;
    switch (admission.kind) {
      case 'connect': {
        const parameters: Record<string, string> = {
          [STREAM_PARAM.callSid]: callSid,
          [STREAM_PARAM.vertical]: admission.verticalId,
          [STREAM_PARAM.version]: admission.version,
        };
        if (scenario) parameters[STREAM_PARAM.scenario] = scenario;
        twiml = connectStreamTwiml({ url: streamUrlFor(opts.streamUrl, admission.instance), parameters });
        break;
      }
      case 'unknown_number':
        twiml = apologyTwiml();
        break;
      case 'draining':
      case 'refused':
        twiml = apologyTwiml(BUSY_APOLOGY);
        break;
      case 'overflow':
        twiml = overflowTwiml(admission.answer);
        break;
    }
    // Overflow counts by its reason (`draining` as before, or `at_capacity`).
    port.count('voice', admission.kind === 'overflow' ? admission.reason : OUTCOME[admission.kind]);
    res.type('text/xml').send(twiml);
  });

  router.post(TWILIO_PATHS.status, form, twilioSignatureCheck(opts.authToken, opts.publicUrl, 'status', port), async (req, res) => {
    const parsed = statusSchema.safeParse(formOf(req));
    if (!parsed.success) {
      port.count('status', 'bad_request');
      return sendWebhookError(res, 400, BAD_REQUEST, describeIssue(parsed.error));
    }
    const { CallSid: callSid, CallStatus: status, CallDuration: durationSec } = parsed.data;
    const forwarded = await port.statusChanged({
      carrier: TWILIO, callSid, status, ...twilioCallStatus(status), ...(durationSec !== undefined ? { durationSec } : {}),
    });
    port.count('status', forwarded ? 'forwarded' : 'duplicate');
    res.status(204).end();
  });

  return router;
}
