/**
 * The post-call queue's contract. A job carries ids only (never transcripts or phone numbers):
 * the processor reads everything else from Postgres. Its job id is the call id, so publishing
 * the same call twice is one job.
 */
import { z } from 'zod';
import { VERTICAL_ID } from '../manifest/index.js';

export const POST_CALL_QUEUE = 'post-call';
export const POST_CALL_JOB_NAME = 'analyse-call';
/** Redis key prefix of Switchboard's queues (BullMQ's default is `bull`). */
export const DEFAULT_QUEUE_PREFIX = 'switchboard';

export const postCallJobSchema = z.strictObject({
  callId: z.uuid(),
  vertical: z.string().regex(VERTICAL_ID),
  /** W3C trace context of the call's span: the analysis span joins the call's trace. */
  traceparent: z.string().regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/).optional(),
  /** When the relay queued the job (epoch ms): the analysis span runs from here to the stored row. */
  queuedAtMs: z.number().int().min(0).optional(),
});
export type PostCallJob = z.infer<typeof postCallJobSchema>;

export interface RetryPolicy {
  /** Total tries, the first included. */
  attempts: number;
  /** Exponential: the n-th retry waits backoffMs * 2^(n-1). */
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, backoffMs: 2_000 };

export const jobIdFor = (job: Pick<PostCallJob, 'callId'>): string => job.callId;

/** Delay before retry number `attemptsMade` (1-based) under the policy. */
export const backoffDelayMs = (policy: RetryPolicy, attemptsMade: number): number =>
  policy.backoffMs * 2 ** Math.max(0, attemptsMade - 1);

/** What a processor returns (kept on the job as its result). */
export interface PostCallOutcome {
  callId: string;
  vertical: string;
  analyser: string;
  isShort: boolean;
  leadScore: number;
  revision: number;
}

/** A job that gave up, as listed by `switchboard jobs failed`. */
export interface FailedJob {
  id: string;
  callId: string;
  vertical: string | null;
  reason: string;
  attemptsMade: number;
  failedAt: Date | null;
  /** Which queue: `post-call` when absent, `webhooks` for a webhook delivery. */
  queue?: 'post-call' | 'webhooks';
  /** A webhook delivery's event type. */
  event?: string;
}
