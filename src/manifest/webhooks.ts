/**
 * Post-call webhooks of a vertical: which URLs hear which call events, signed with which secret.
 * The secret is never written in the manifest: `secret: env:NAME` names the environment variable
 * that holds it. The event names and the subscription matcher live here so the store (which
 * writes events), realtime and analysis (which emit them) and the delivery all agree.
 */
import { z } from 'zod';
import type { PathProblem } from './issues.js';
import { asList, asMap, asText, textItems } from './raw.js';

/** Every event a webhook can subscribe to. transfer.answered/bridged/failed come from the warm transfer. */
export const CALL_EVENT_TYPES = [
  'call.started', 'call.ended', 'call.analyzed',
  'transfer.started', 'transfer.answered', 'transfer.bridged', 'transfer.failed',
] as const;
export type CallEventType = (typeof CALL_EVENT_TYPES)[number];

/** Content a webhook receives only when it asks for it (metadata is always sent). */
export const WEBHOOK_INCLUDES = ['phoneNumbers', 'transcript', 'summary'] as const;
export type WebhookInclude = (typeof WEBHOOK_INCLUDES)[number];

const EVENT_PATTERN = /^(\*|[a-z]+\.\*|[a-z]+\.[a-z_]+)$/;
export const SECRET_REF = /^env:([A-Z][A-Z0-9_]*)$/;

/** `*` matches every event, `transfer.*` every transfer event, anything else itself. */
export function eventMatches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

export const webhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  events: z.array(z.string().regex(EVENT_PATTERN, 'must be an event like call.ended, a family like transfer.*, or *')).min(1),
  /** `env:NAME`: the environment variable holding the HMAC-SHA256 signing secret. */
  // A refinement, not a regex: a refused value is never echoed (it may be a pasted secret).
  secret: z.string().refine((v) => SECRET_REF.test(v), 'must name an environment variable (env:NAME): the secret itself never goes in the manifest'),
  /** Opt-in content: caller/called numbers, the transcript, the analysis summary and fields. */
  include: z.array(z.enum(WEBHOOK_INCLUDES)).default([]),
  /** One delivery attempt gives up after this long. */
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
  /** Attempts before the delivery is dead-lettered (`switchboard jobs failed`). */
  maxAttempts: z.number().int().min(1).max(25).default(8),
});
export type WebhookSpec = z.infer<typeof webhookSchema>;

export const webhooksSchema = z.array(webhookSchema).default([]);

/** The environment variable a `secret: env:NAME` names. */
export function secretEnvName(secret: string): string {
  return SECRET_REF.exec(secret)?.[1] ?? secret;
}

/** The webhooks of a manifest that hear `type`. */
export function webhooksFor(webhooks: readonly WebhookSpec[] | undefined, type: string): WebhookSpec[] {
  return (webhooks ?? []).filter((w) => w.events.some((p) => eventMatches(p, type)));
}

/** Whether any webhook of the manifest hears `type` (nothing is written for events nobody hears). */
export function subscribes(webhooks: readonly WebhookSpec[] | undefined, type: string): boolean {
  return webhooksFor(webhooks, type).length > 0;
}

/**
 * Patterns that match no known event (a typo never delivers anything) and secrets whose variable
 * is not set in `env` (a warning: calls are served, the deliveries dead-letter until it is set).
 */
export function checkWebhooks(data: Record<string, unknown>, env: Readonly<Record<string, string | undefined>> | undefined, problems: PathProblem[]): void {
  asList(data.webhooks).forEach((raw, i) => {
    const hook = asMap(raw);
    if (!hook) return;
    for (const [pattern, k] of textItems(hook.events)) {
      if (EVENT_PATTERN.test(pattern) && !CALL_EVENT_TYPES.some((t) => eventMatches(pattern, t))) {
        problems.push({ path: ['webhooks', i, 'events', k], severity: 'error', message: `unknown event "${pattern}" (known: ${CALL_EVENT_TYPES.join(', ')})` });
      }
    }
    const secret = asText(hook.secret);
    const name = secret === undefined ? undefined : SECRET_REF.exec(secret)?.[1];
    if (env && name !== undefined && !env[name]) {
      problems.push({ path: ['webhooks', i, 'secret'], severity: 'warning', message: `environment variable ${name} is not set: deliveries to this webhook fail until it is` });
    }
  });
}
