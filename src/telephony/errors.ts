/**
 * Codes for bad carrier input. A parse or protocol error is reported on the connection's
 * `error` event and the message is dropped; the call goes on.
 */
export const CARRIER_ERROR = {
  badJson: 'CARRIER_BAD_JSON',
  unknownEvent: 'CARRIER_UNKNOWN_EVENT',
  badBase64: 'CARRIER_BAD_BASE64',
  frameTooLarge: 'CARRIER_FRAME_TOO_LARGE',
  missingField: 'CARRIER_MISSING_FIELD',
  binaryMessage: 'CARRIER_BINARY_MESSAGE',
  beforeStart: 'CARRIER_EVENT_BEFORE_START',
  duplicateStart: 'CARRIER_DUPLICATE_START',
  startTimeout: 'CARRIER_START_TIMEOUT',
  closedBeforeStart: 'CARRIER_CLOSED_BEFORE_START',
} as const;

export type CarrierErrorCode = (typeof CARRIER_ERROR)[keyof typeof CARRIER_ERROR];

/** A Twilio frame is 160 bytes of μ-law; anything past this (decoded) is refused. */
export const MAX_FRAME_BYTES = 4096;
/** Base64 length of MAX_FRAME_BYTES. */
export const MAX_FRAME_BASE64 = Math.ceil(MAX_FRAME_BYTES / 3) * 4;
