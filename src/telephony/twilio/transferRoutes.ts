/**
 * The gateway's routes for the person's leg of a warm transfer: Twilio's status callbacks and the
 * briefing's key press. Signed like every Twilio webhook (403 otherwise); the leg token in the
 * query names the transfer.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import type { CarrierCallPort } from '../carrier.js';
import { BAD_REQUEST, formOf, sendWebhookError } from '../webhook.js';
import { twilioSignatureCheck } from './routes.js';
import { TRANSFER_PATHS, type TwilioWarmTransfer } from './warmTransfer.js';

const legQuery = z.object({ leg: z.string().uuid() });
const statusForm = z.object({ CallSid: z.string().min(1).max(64), CallStatus: z.string().min(1).max(32) });
const acceptForm = z.object({ Digits: z.string().max(32).optional() });

export function mountTransferRoutes(router: Router, opts: { publicUrl: string; authToken: string | null }, port: CarrierCallPort, transfer: TwilioWarmTransfer): void {
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 });

  router.post(TRANSFER_PATHS.status, form, twilioSignatureCheck(opts.authToken, opts.publicUrl, 'transfer_status', port), (req, res) => {
    const query = legQuery.safeParse(req.query);
    const body = statusForm.safeParse(formOf(req));
    if (!query.success || !body.success) {
      port.count('transfer_status', 'bad_request');
      return sendWebhookError(res, 400, BAD_REQUEST, 'leg (uuid), CallSid and CallStatus are required');
    }
    const known = transfer.legStatus(query.data.leg, body.data.CallStatus);
    port.count('transfer_status', known ? 'forwarded' : 'unknown_leg');
    res.status(204).end();
  });

  router.post(TRANSFER_PATHS.accept, form, twilioSignatureCheck(opts.authToken, opts.publicUrl, 'transfer_accept', port), (req, res) => {
    const query = legQuery.safeParse(req.query);
    const body = acceptForm.safeParse(formOf(req));
    if (!query.success || !body.success) {
      port.count('transfer_accept', 'bad_request');
      return sendWebhookError(res, 400, BAD_REQUEST, 'leg (uuid) is required');
    }
    port.count('transfer_accept', 'answered');
    res.type('text/xml').send(transfer.accept(query.data.leg, body.data.Digits));
  });
}
