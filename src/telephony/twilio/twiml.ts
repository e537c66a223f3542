/** TwiML documents the gateway answers with or sends through the REST API. */

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}

export interface SayOptions {
  voice?: string;
  language?: string;
}

function say(text: string, opts: SayOptions = {}): string {
  const attrs = (opts.voice ? ` voice="${escapeXml(opts.voice)}"` : '') + (opts.language ? ` language="${escapeXml(opts.language)}"` : '');
  return `<Say${attrs}>${escapeXml(text)}</Say>`;
}

const response = (body: string): string => `${XML_HEAD}<Response>${body}</Response>`;

export interface ConnectStreamOptions {
  /** wss URL of the media stream endpoint. */
  url: string;
  /** Arrive in the stream's `start.customParameters`. */
  parameters?: Record<string, string>;
  /** Optional Twilio stream status callback. */
  statusCallback?: string;
}

/** `<Connect><Stream>`: a bidirectional media stream for the rest of the call. */
export function connectStreamTwiml(opts: ConnectStreamOptions): string {
  const params = Object.entries(opts.parameters ?? {})
    .map(([name, value]) => `<Parameter name="${escapeXml(name)}" value="${escapeXml(value)}"/>`)
    .join('');
  const cb = opts.statusCallback ? ` statusCallback="${escapeXml(opts.statusCallback)}"` : '';
  return response(`<Connect><Stream url="${escapeXml(opts.url)}"${cb}>${params}</Stream></Connect>`);
}

/** Says something (optionally) and hangs up. */
export function sayAndHangUpTwiml(text?: string, opts?: SayOptions): string {
  return response(`${text ? say(text, opts) : ''}<Hangup/>`);
}

export const DEFAULT_APOLOGY = "We're sorry, this number is not in service. Goodbye.";
/** For a call the gateway cannot take now (draining, at capacity). */
export const BUSY_APOLOGY = "We're sorry, we can't take your call right now. Please try again later. Goodbye.";

/** For a number no vertical claims, or a gateway that cannot take the call. */
export function apologyTwiml(text: string = DEFAULT_APOLOGY, opts?: SayOptions): string {
  return sayAndHangUpTwiml(text, opts);
}

export interface DialOptions extends SayOptions {
  say?: string;
  callerId?: string;
  timeoutSec?: number;
}

/** Transfers the caller to another number (optionally after a sentence). */
export function dialTwiml(to: string, opts: DialOptions = {}): string {
  const attrs = (opts.callerId ? ` callerId="${escapeXml(opts.callerId)}"` : '') + (opts.timeoutSec ? ` timeout="${opts.timeoutSec}"` : '');
  return response(`${opts.say ? say(opts.say, opts) : ''}<Dial${attrs}><Number>${escapeXml(to)}</Number></Dial>`);
}

/** `<Reject reason="busy">`: the caller hears a busy signal; the call is never answered (not billed). */
export function rejectBusyTwiml(): string {
  return response('<Reject reason="busy"/>');
}

/** `<Redirect>`: Twilio fetches its next instructions from `url` (another answering service). */
export function redirectTwiml(url: string, opts: { say?: string } & SayOptions = {}): string {
  return response(`${opts.say ? say(opts.say, opts) : ''}<Redirect method="POST">${escapeXml(url)}</Redirect>`);
}
