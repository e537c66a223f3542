/**
 * What a log line may carry: metadata only. Keys that would carry transcripts, audio or secrets
 * are dropped, dates of birth too; phone numbers and e-mail addresses are masked (so lines can
 * still tell calls apart), whether they come as a field or inside a message.
 */
const DROP_KEYS = new Set([
  'audio', 'payload', 'transcript', 'text', 'delta', 'apiKey', 'authToken', 'password',
  'token', 'secret', 'authorization', 'body',
]);
const PHONE_KEYS = /^(from|to|phone|number|caller|callerNumber|phoneNumber|e164)$/i;
const DOB_KEYS = /^(dob|dateOfBirth|date_of_birth|birthDate|birth_date|birthdate|birthday)$/i;
const EMAIL_KEYS = /^(email|e_mail|emailAddress|email_address)$/i;
/** A phone-number-like run of digits standing on its own: not a run inside a hex id or a Call SID. */
const E164_LIKE = /(?<![A-Za-z0-9])\+?\d[\d\s().-]{7,}\d(?![A-Za-z0-9])/g;
/** Identifiers that correlate lines (trace, span, call): never personal data, never masked. */
const ID_KEYS = /^(trace_id|span_id|traceId|spanId|call_id|callId|callSid|streamSid|job_id|jobId|request_id|requestId)$/;
const EMAIL_LIKE = /[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}/g;
/** A date said to be someone's birth date ("DOB 1984-03-12", "born on 3/12/1984"). */
const DOB_LIKE = /\b(dob|date of birth|birth ?date|born(?: on)?|birthday)\b[\s:=]*\d{1,4}[-/. ]\d{1,2}[-/. ]\d{1,4}/gi;

/** Mask a phone number so logs can still tell calls apart: +1•••••4567. */
export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 4) return '•••';
  return `${value.startsWith('+') ? '+' : ''}${digits.slice(0, 1)}•••••${digits.slice(-4)}`;
}

/** Mask an e-mail address to its domain: •••@example.com. */
export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  return at < 0 ? '•••' : `•••${value.slice(at)}`;
}

/** Free text with phone numbers, e-mail addresses and stated birth dates masked. */
export function redactText(text: string): string {
  return text
    .replace(DOB_LIKE, (_m, word: string) => `${word} [redacted]`)
    .replace(EMAIL_LIKE, (m) => maskEmail(m))
    .replace(E164_LIKE, (m) => maskPhone(m));
}

export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string' && ID_KEYS.test(k)) {
      out[k] = v;
    } else if (DROP_KEYS.has(k) || DOB_KEYS.test(k)) {
      out[k] = '[redacted]';
    } else if (typeof v === 'string' && PHONE_KEYS.test(k)) {
      out[k] = maskPhone(v);
    } else if (typeof v === 'string' && EMAIL_KEYS.test(k)) {
      out[k] = maskEmail(v);
    } else if (typeof v === 'string') {
      out[k] = redactText(v);
    } else if (v instanceof Error) {
      out[k] = { name: v.name, message: redactText(v.message), code: (v as { code?: unknown }).code };
    } else if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
      out[k] = '[redacted]';
    } else if (v && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = redactFields(v as Record<string, unknown>);
    } else {
      out[k] = v;
    }
  }
  return out;
}
