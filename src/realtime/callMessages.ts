/**
 * `take_message`'s service: the message is stored first (call_messages, once per idempotency
 * key), then the business is told by SMS (the carrier's Messages API) at the vertical's
 * `transfer.messageNumber`, else its fallback human number. A text that fails leaves the message
 * stored with the failure's code; the caller is never told more than "your message is taken".
 * Neither the message nor any number is logged.
 */
import type { Manifest } from '../manifest/index.js';
import type { Logger } from '../observability/index.js';
import { AppError } from '../shared/index.js';
import type { TransfersRepository } from '../store/index.js';
import type { SmsSender } from '../telephony/index.js';
import type { TakenMessage, ToolServices } from '../toolkit/index.js';

/** Longest SMS body sent (Twilio splits longer ones; a message is not a letter). */
const MAX_SMS_CHARS = 1000;

export interface CallMessagesDeps {
  callId(): string;
  rowReady: Promise<void>;
  manifest: Manifest;
  store: Pick<TransfersRepository, 'saveMessage' | 'messageNotified'>;
  sms: SmsSender | undefined;
  /** The number texts go out from (the one the caller dialled). */
  from: string;
  log: Logger;
}

export function smsBody(line: string, m: TakenMessage): string {
  const back = m.callbackNumber ? `, call back on ${m.callbackNumber}` : '';
  const body = `Message taken by the ${line} assistant. From ${m.callerName}${back}: ${m.message}`;
  return body.length <= MAX_SMS_CHARS ? body : `${body.slice(0, MAX_SMS_CHARS - 1)}…`;
}

export function callMessages(d: CallMessagesDeps): NonNullable<ToolServices['messages']> {
  return {
    async take(m, idempotencyKey, signal) {
      await d.rowReady;
      const { message, created } = await d.store.saveMessage({
        callId: d.callId(), vertical: d.manifest.id, idempotencyKey,
        callerName: m.callerName, callbackNumber: m.callbackNumber ?? null, message: m.message,
      });
      if (!created && message.smsStatus !== 'pending') return { messageId: message.id, notified: message.smsStatus === 'sent' };
      const to = d.manifest.transfer.messageNumber ?? d.manifest.fallback.humanNumber;
      if (!to || !d.sms || !d.from) {
        await d.store.messageNotified(message.id, { status: 'no_recipient' });
        d.log.warn('message stored; no number to text it to', { code: 'MESSAGE_NO_RECIPIENT', messageId: message.id });
        return { messageId: message.id, notified: false };
      }
      try {
        const sent = await d.sms.send(to, d.from, smsBody(d.manifest.name, m), signal);
        await d.store.messageNotified(message.id, { status: 'sent', sid: sent.id });
        d.log.info('message stored and texted', { messageId: message.id });
        return { messageId: message.id, notified: true };
      } catch (err) {
        const code = err instanceof AppError ? err.code : 'UNKNOWN';
        await d.store.messageNotified(message.id, { status: 'failed', error: code });
        d.log.error('message stored but the SMS failed', { code, messageId: message.id });
        return { messageId: message.id, notified: false };
      }
    },
  };
}
