/**
 * The webhook queue's contract. One job delivers one event to one webhook. Its id
 * (`wh-<event id>-<subscription>`) makes a re-publish the same job; the subscription is a hash of
 * the URL, stable across reloads. A job carries the event's metadata, the URL and the *name* of
 * the secret's environment variable: never the secret, a transcript or a phone number.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CALL_EVENT_TYPES, VERTICAL_ID, WEBHOOK_INCLUDES } from '../../manifest/index.js';

export const WEBHOOK_QUEUE = 'webhooks';
export const WEBHOOK_JOB_NAME = 'deliver-webhook';
export const WEBHOOK_JOB_PREFIX = 'wh-';

/** Exponential: the n-th retry waits backoffMs * 2^(n-1) (1 s, 2 s, 4 s … by default). */
export const DEFAULT_WEBHOOK_BACKOFF_MS = 1_000;

export const webhookJobSchema = z.strictObject({
  eventId: z.uuid(),
  type: z.enum(CALL_EVENT_TYPES),
  callId: z.uuid(),
  vertical: z.string().regex(VERTICAL_ID),
  occurredAt: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()),
  subscription: z.string().regex(/^[0-9a-f]{12}$/),
  url: z.url(),
  secretEnv: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  include: z.array(z.enum(WEBHOOK_INCLUDES)),
  timeoutMs: z.number().int().min(100).max(60_000),
  maxAttempts: z.number().int().min(1).max(25),
});
export type WebhookJob = z.infer<typeof webhookJobSchema>;

/** A webhook's stable key: its URL's hash. */
export const subscriptionKey = (url: string): string => createHash('sha256').update(url).digest('hex').slice(0, 12);

export const webhookJobId = (job: Pick<WebhookJob, 'eventId' | 'subscription'>): string =>
  `${WEBHOOK_JOB_PREFIX}${job.eventId}-${job.subscription}`;

export const isWebhookJobId = (id: string): boolean => id.startsWith(WEBHOOK_JOB_PREFIX);

/** What a delivery returns (kept on the job as its result). */
export interface WebhookOutcome {
  jobId: string;
  status: number;
  durationMs: number;
}

/** The JSON body a webhook receives. */
export interface WebhookBody {
  id: string;
  type: WebhookJob['type'];
  occurredAt: string;
  vertical: string;
  callId: string;
  data: Record<string, unknown>;
}
