/**
 * The webhook delivery processor: a plain async function `(job, token?, signal?)`, the same under
 * a BullMQ worker and under the in-process queue. It builds the body (the event's metadata, plus
 * the content the webhook opted into, read from Postgres now), signs it, and POSTs it with a
 * per-attempt timeout. A 2xx is delivered (recorded, so a replay skips it); anything else, a
 * timeout or a network error throws and the queue retries with exponential backoff. A missing
 * secret or a malformed job throws `UnrecoverableError` (dead-lettered at once, replayable once
 * fixed). Nothing here runs on a call's path or inside the analysis.
 */
import { UnrecoverableError } from 'bullmq';
import { createLogger, webhookDeliveryAttempts, webhookDeliveryMs, type Logger } from '../../observability/index.js';
import type { WebhookEventsRepository } from '../../store/index.js';
import { describeError, formatIssues } from '../../shared/index.js';
import type { PostCallJobLike } from '../processor.js';
import { webhookJobId, webhookJobSchema, type WebhookBody, type WebhookJob, type WebhookOutcome } from './jobs.js';
import { EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './signature.js';

export type WebhookProcessor = (job: PostCallJobLike, token?: string, signal?: AbortSignal) => Promise<WebhookOutcome>;

export interface WebhookDeliveryDeps {
  events: Pick<WebhookEventsRepository, 'recordDelivery' | 'callNumbers' | 'callTranscript'>;
  /** The call's analysis summary and fields (for webhooks that include `summary`), or null. */
  analysisOf?(vertical: string, callId: string): Promise<{ summary: string; fields: Record<string, unknown> } | null>;
  /** Where secrets are read; process.env by default. */
  env?: Readonly<Record<string, string | undefined>>;
  fetch?: typeof fetch;
  logger?: Logger;
}

/** The host of a URL, for logs and reasons (a URL's path or query may hold a token). */
export const urlHost = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
};

export async function webhookBody(job: WebhookJob, deps: Pick<WebhookDeliveryDeps, 'events' | 'analysisOf'>): Promise<WebhookBody> {
  const data: Record<string, unknown> = { ...job.data };
  if (job.include.includes('phoneNumbers')) {
    const numbers = await deps.events.callNumbers(job.callId);
    data.phoneNumbers = numbers ?? { from: null, to: null };
  }
  if (job.include.includes('transcript') && (job.type === 'call.ended' || job.type === 'call.analyzed')) {
    data.transcript = await deps.events.callTranscript(job.callId);
  }
  if (job.include.includes('summary') && job.type === 'call.analyzed' && deps.analysisOf) {
    const analysis = await deps.analysisOf(job.vertical, job.callId);
    if (analysis) Object.assign(data, { summary: analysis.summary, fields: analysis.fields });
  }
  return { id: job.eventId, type: job.type, occurredAt: job.occurredAt, vertical: job.vertical, callId: job.callId, data };
}

function countAttempt(job: WebhookJob, outcome: 'delivered' | 'failed', durationMs: number): void {
  webhookDeliveryAttempts.inc({ vertical: job.vertical, event: job.type, outcome });
  webhookDeliveryMs.observe({ vertical: job.vertical, outcome }, durationMs);
}

export function createWebhookProcessor(deps: WebhookDeliveryDeps): WebhookProcessor {
  const log = deps.logger ?? createLogger('webhooks');
  const env = deps.env ?? process.env;
  const doFetch = deps.fetch ?? fetch;

  return async function deliverWebhook(job, _token, signal) {
    const parsed = webhookJobSchema.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(`WEBHOOK_BAD_PAYLOAD: job ${job.id ?? '?'}: ${formatIssues(parsed.error.issues, { root: 'payload', limit: 1 })}`);
    }
    const data = parsed.data;
    const secret = env[data.secretEnv];
    if (!secret) throw new UnrecoverableError(`WEBHOOK_SECRET_MISSING: environment variable ${data.secretEnv} is not set`);
    const body = JSON.stringify(await webhookBody(data, deps));
    const timestampS = Math.floor(Date.now() / 1000);
    const timeout = AbortSignal.timeout(data.timeoutMs);
    const started = performance.now();
    let status: number;
    try {
      const res = await doFetch(data.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Switchboard-Webhooks/1',
          [EVENT_HEADER]: data.type,
          [EVENT_ID_HEADER]: data.eventId,
          [TIMESTAMP_HEADER]: String(timestampS),
          [SIGNATURE_HEADER]: signWebhook(secret, timestampS, body),
        },
        body,
        redirect: 'manual',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
    } catch (err) {
      countAttempt(data, 'failed', performance.now() - started);
      if (timeout.aborted) throw new Error(`WEBHOOK_TIMEOUT: ${urlHost(data.url)} did not answer within ${data.timeoutMs} ms`);
      throw new Error(`WEBHOOK_UNREACHABLE: ${urlHost(data.url)}: ${describeError(err)}`);
    }
    const durationMs = Math.round(performance.now() - started);
    const jobId = webhookJobId(data);
    const attempt = (job.attemptsMade ?? 0) + 1;
    if (status < 200 || status > 299) {
      countAttempt(data, 'failed', durationMs);
      log.info('webhook delivery refused', { jobId, type: data.type, host: urlHost(data.url), status, attempt, durationMs });
      throw new Error(`WEBHOOK_HTTP_${status}: ${urlHost(data.url)} answered ${status}`);
    }
    try {
      await deps.events.recordDelivery({ jobId, eventId: data.eventId, subscription: data.subscription, status: 'delivered', attempts: attempt });
    } catch (err) {
      // Delivered all the same: only a later replay of the event could send it twice.
      log.warn('recording a webhook delivery failed', { jobId, err });
    }
    countAttempt(data, 'delivered', durationMs);
    log.info('webhook delivered', { jobId, type: data.type, host: urlHost(data.url), status, attempt, durationMs });
    return { jobId, status, durationMs };
  };
}
