import type { AnyToolDefinition } from '../../src/toolkit/index.js';
import { endCall, transferToHuman } from './call.js';
import { stopRecording, takeMessage } from './message.js';
import { switchLanguage } from './language.js';

export { endCall, switchLanguage, transferToHuman, stopRecording, takeMessage };
export { normalizePhone } from './phone.js';
export { isoDate, isoDateTime, isRealDate, localDate, priceText, spokenDateTime } from './time.js';

/** Tools every vertical may use. */
export const commonTools: AnyToolDefinition[] = [transferToHuman, endCall, takeMessage, stopRecording, switchLanguage];
