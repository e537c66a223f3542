import { ToolError } from '../../src/toolkit/index.js';

/**
 * A caller-given phone number as E.164. Ten digits are taken as a North American number
 * (+1); anything else must carry its country code.
 */
export function normalizePhone(input: string, defaultCountryCode = '1'): string {
  const trimmed = input.trim();
  const digits = trimmed.replace(/\D/g, '');
  let e164: string;
  if (trimmed.startsWith('+')) e164 = `+${digits}`;
  else if (trimmed.startsWith('00')) e164 = `+${digits.slice(2)}`;
  else if (digits.length === 10) e164 = `+${defaultCountryCode}${digits}`;
  else if (digits.length === 11 && digits.startsWith(defaultCountryCode)) e164 = `+${digits}`;
  else e164 = `+${digits}`;
  if (!/^\+[1-9]\d{7,14}$/.test(e164)) {
    throw new ToolError('INVALID_PHONE', "That phone number doesn't look complete. Could you say it again, digit by digit?");
  }
  return e164;
}
