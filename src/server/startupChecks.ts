/**
 * Safe defaults checked before the gateway listens. A gateway whose PUBLIC_URL the internet can
 * reach must check Twilio's signatures: without TWILIO_AUTH_TOKEN anyone could post a forged
 * voice webhook (and run up model minutes, or pose as a caller). It refuses to start unless the
 * operator says SWITCHBOARD_INSECURE=1, which starts it with a loud warning.
 */
import { ConfigError } from '../shared/index.js';

export interface WebhookSecurityInput {
  publicUrl: string;
  twilioAuthToken: string | null;
  /** SWITCHBOARD_INSECURE=1 */
  insecure: boolean;
}

/** Whether a URL's host is this machine only (localhost, 127.0.0.0/8, ::1). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * Throws a ConfigError naming the fix when a public gateway would take unsigned webhooks; returns
 * the warnings to print loudly otherwise.
 */
export function checkWebhookSecurity(input: WebhookSecurityInput): string[] {
  const warnings: string[] = [];
  const local = isLoopbackUrl(input.publicUrl);
  if (!local && !input.twilioAuthToken) {
    if (!input.insecure) {
      throw new ConfigError(
        `PUBLIC_URL ${input.publicUrl} is reachable from outside this machine but TWILIO_AUTH_TOKEN is not set, ` +
          'so Twilio webhook and stream signatures could not be checked and anyone could place calls through this gateway. ' +
          'Set TWILIO_AUTH_TOKEN to your Twilio account\'s auth token (Twilio Console → Account → API keys & tokens), ' +
          'or set SWITCHBOARD_INSECURE=1 to start without signature checks (never in production).',
      );
    }
    warnings.push(
      `SWITCHBOARD_INSECURE=1: PUBLIC_URL ${input.publicUrl} is public and TWILIO_AUTH_TOKEN is not set. ` +
        'Twilio signatures are NOT checked: anyone who finds this URL can place calls. Never run like this in production.',
    );
  }
  if (!local && new URL(input.publicUrl).protocol !== 'https:') {
    warnings.push(`PUBLIC_URL ${input.publicUrl} is not https: Twilio should reach the gateway over TLS (and its media stream over wss).`);
  }
  return warnings;
}
