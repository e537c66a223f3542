/**
 * Twilio's fixed names and meanings: the gateway's Twilio paths, the Media Streams audio format,
 * the call statuses that mean a call is over, and the headers and form fields Twilio (and the
 * simulator standing in for it) sends.
 */
import type { CallStatusMeaning, MediaFormat } from '../carrier.js';
import { PCMU_8K_20MS } from '../media.js';

export const TWILIO = 'twilio';

/** Where Twilio reaches the gateway: the voice and status webhooks and the media stream. */
export const TWILIO_PATHS = {
  voice: '/twilio/voice',
  status: '/twilio/status',
  stream: '/twilio/stream',
} as const;

/** Media Streams: μ-law 8 kHz both ways; Twilio plays what it is sent in 20 ms frames. */
export const TWILIO_MEDIA: MediaFormat = PCMU_8K_20MS;

/** Call statuses Twilio reports that mean the call is over. */
export const TERMINAL_CALL_STATUSES: ReadonlySet<string> = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

const ONGOING: CallStatusMeaning = { ended: false };
const COMPLETED: CallStatusMeaning = { ended: true, outcome: 'completed' };
const FAILED: CallStatusMeaning = { ended: true, outcome: 'failed' };

/** `CallStatus` of a status callback → ended or not, and how. */
export function twilioCallStatus(status: string): CallStatusMeaning {
  if (!TERMINAL_CALL_STATUSES.has(status)) return ONGOING;
  return status === 'completed' ? COMPLETED : FAILED;
}

/** Request signature header on webhooks and the stream upgrade. */
export const SIGNATURE_HEADER = 'X-Twilio-Signature';

/** Error code of a webhook or upgrade refused for its signature (403). */
export const SIGNATURE_INVALID = 'TWILIO_SIGNATURE_INVALID';

/**
 * Voice-webhook form field the simulator sets to name its scenario. The gateway passes it to the
 * runtime's `prepare` and echoes it as the stream's `scenario` parameter (see `STREAM_PARAM`).
 */
export const SCENARIO_FORM_FIELD = 'X-Switchboard-Scenario';
