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

/**
 * The caller's side of a warm transfer: a sentence, then a conference room that starts only when
 * the person joins (until then the caller hears `waitUrl`, Twilio's hold music by default). The
 * room ends when the caller leaves it.
 */
export function holdInConferenceTwiml(room: string, opts: { say?: string; waitUrl?: string } = {}): string {
  const wait = opts.waitUrl ? ` waitUrl="${escapeXml(opts.waitUrl)}"` : '';
  return response(`${opts.say ? say(opts.say) : ''}<Dial><Conference startConferenceOnEnter="false" endConferenceOnExit="true" beep="false"${wait}>${escapeXml(room)}</Conference></Dial>`);
}

/** The key the person presses after the briefing to take the call. */
export const ACCEPT_DIGIT = '1';

/** The person's side: the briefing, then one key to take the call; no key ends their leg. */
export function briefingTwiml(briefing: string, actionUrl: string, opts: { timeoutSec?: number } = {}): string {
  const prompt = `Press ${ACCEPT_DIGIT} to take the call, or hang up to send the caller back to the assistant.`;
  return response(
    `<Gather numDigits="1" action="${escapeXml(actionUrl)}" method="POST" timeout="${opts.timeoutSec ?? 8}">${say(briefing)}${say(prompt)}</Gather>` +
    `${say('No key was pressed. The caller will be offered to leave a message. Goodbye.')}<Hangup/>`,
  );
}

/** The person accepted: into the caller's room, which starts now (the caller's hold audio stops). */
export function joinConferenceTwiml(room: string): string {
  return response(`${say('Connecting you now.')}<Dial><Conference startConferenceOnEnter="true" endConferenceOnExit="true" beep="false">${escapeXml(room)}</Conference></Dial>`);
}

/** `<Reject reason="busy">`: the caller hears a busy signal; the call is never answered (not billed). */
export function rejectBusyTwiml(): string {
  return response('<Reject reason="busy"/>');
}

/** `<Redirect>`: Twilio fetches its next instructions from `url` (another answering service). */
export function redirectTwiml(url: string, opts: { say?: string } & SayOptions = {}): string {
  return response(`${opts.say ? say(opts.say, opts) : ''}<Redirect method="POST">${escapeXml(url)}</Redirect>`);
}
