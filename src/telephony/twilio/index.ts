/**
 * Twilio, the first carrier: Media Streams over a WebSocket (serializer.ts), TwiML webhooks
 * (routes.ts, twiml.ts), request signatures (signature.ts, upgrade.ts), REST call control and SMS
 * (rest.ts), and its fixed names and media format (protocol.ts). `twilioCarrier` is its
 * registration in ../carriers.ts.
 */
import { z } from 'zod';
import { ConfigError } from '../../shared/index.js';
import type { Carrier, CarrierContext, CarrierModule } from '../carrier.js';
import { toWebSocketUrl } from '../urls.js';
import { TWILIO, TWILIO_MEDIA, TWILIO_PATHS, twilioCallStatus } from './protocol.js';
import { createCallControl, type TwilioRestOptions } from './rest.js';
import { twilioWebhooks } from './routes.js';
import { twilioSerializer } from './serializer.js';
import { twilioStream } from './upgrade.js';
import { TwilioHttp } from './restHttp.js';
import { TwilioRecording, TwilioWarmTransfer } from './warmTransfer.js';
import { mountTransferRoutes } from './transferRoutes.js';
import { createLogger } from '../../observability/index.js';

export * from './protocol.js';
export { twilioSerializer } from './serializer.js';
export * from './twiml.js';
export * from './signature.js';
export * from './rest.js';
export { twilioSignatureCheck, twilioWebhooks, type TwilioWebhookOptions } from './routes.js';
export { readTwimlAnswer, type TwimlAnswer } from './twimlAnswer.js';
export { TRANSFER_PATHS, TwilioRecording, TwilioWarmTransfer } from './warmTransfer.js';

export interface TwilioCarrierOptions {
  /** The public base URL Twilio reaches us on: webhook and stream signatures cover it. */
  publicUrl: string;
  /** TWILIO_AUTH_TOKEN: signs webhooks and stream upgrades; with the account SID, REST auth too. */
  authToken?: string | null;
  /** TWILIO_ACCOUNT_SID: with the token, call control and SMS go to the REST API (else offline). */
  accountSid?: string | null;
  apiBaseUrl?: string;
  /**
   * Whether to check request signatures (default: whenever a token is set). Tests that drive an
   * unsigned phone against a gateway whose call control talks to a fake REST API turn it off.
   */
  checkSignatures?: boolean;
  rest?: Partial<Pick<TwilioRestOptions, 'timeoutMs' | 'retries' | 'retryBaseMs'>>;
  /** Query appended to the stream URL (CarrierContext.streamQuery). Twilio signs the URL with it. */
  streamQuery?: string;
}

export function createTwilioCarrier(opts: TwilioCarrierOptions): Carrier {
  const authToken = opts.authToken ?? null;
  const signingToken = opts.checkSignatures === false ? null : authToken;
  const control = createCallControl(
    { accountSid: opts.accountSid ?? null, authToken, apiBaseUrl: opts.apiBaseUrl ?? 'https://api.twilio.com' },
    opts.rest,
  );
  const streamUrl = toWebSocketUrl(opts.publicUrl) + TWILIO_PATHS.stream + (opts.streamQuery ? `?${opts.streamQuery}` : '');
  // Warm transfer and recording need the REST API: without credentials there are none (the
  // runtime falls back to a cold transfer and records the call as not recorded).
  const http = opts.accountSid && authToken
    ? new TwilioHttp({ accountSid: opts.accountSid, authToken, apiBaseUrl: opts.apiBaseUrl ?? 'https://api.twilio.com', ...opts.rest })
    : undefined;
  const warmTransfer = http ? new TwilioWarmTransfer(http, { publicUrl: opts.publicUrl, streamUrl, log: createLogger('telephony') }) : undefined;
  return {
    name: TWILIO,
    serializer: twilioSerializer,
    stream: twilioStream(opts.publicUrl, signingToken),
    media: TWILIO_MEDIA,
    signatureCheck: signingToken !== null,
    webhooks: (port) => {
      const router = twilioWebhooks({ publicUrl: opts.publicUrl, authToken: signingToken, streamUrl }, port);
      if (warmTransfer) mountTransferRoutes(router, { publicUrl: opts.publicUrl, authToken: signingToken }, port, warmTransfer);
      return router;
    },
    callControl: control,
    sms: control,
    callStatus: twilioCallStatus,
    ...(warmTransfer ? { warmTransfer } : {}),
    ...(http ? { recording: new TwilioRecording(http) } : {}),
  };
}

/** The app config's `twilio` section. */
const settingsSchema = z.object({
  accountSid: z.string().min(1).nullable().optional(),
  authToken: z.string().min(1).nullable().optional(),
  apiBaseUrl: z.string().min(1).optional(),
});

export const twilioCarrier: CarrierModule = {
  name: TWILIO,
  create(ctx: CarrierContext): Carrier {
    const parsed = settingsSchema.safeParse(ctx.settings?.[TWILIO] ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(`twilio.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    const s = parsed.data;
    if (!s.authToken) ctx.log?.warn('TWILIO_AUTH_TOKEN is not set: Twilio webhook and stream signatures are NOT checked');
    return createTwilioCarrier({
      publicUrl: ctx.publicUrl,
      authToken: s.authToken ?? null,
      accountSid: s.accountSid ?? null,
      ...(s.apiBaseUrl ? { apiBaseUrl: s.apiBaseUrl } : {}),
      ...(ctx.streamQuery ? { streamQuery: ctx.streamQuery } : {}),
    });
  },
};
export { TwilioHttp, retryAfterOf, type TwilioRequest } from './restHttp.js';
export { TwilioNumbersClient, planNumberSync, voiceWebhooksFor, type NumberSyncPlan, type TwilioPhoneNumber, type VoiceWebhooks } from './numbers.js';
