/**
 * The `CarrierCallPort` the gateway gives every carrier's webhooks: a dialled number is routed
 * through the catalog and the call prepared by the call handler; status reports reach the
 * handler once per (carrier, call, status); webhook outcomes are counted.
 */
import { callsOverflowTotal, startWebhookSpan, webhooksTotal } from '../observability/index.js';
import type { Logger } from '../observability/index.js';
import type { Admission, CallStatusReport, CarrierCallPort, InboundCall, OverflowAnswer } from '../telephony/index.js';
import type { OverflowSpec } from '../manifest/index.js';
import { StatusDeduper } from './statusDedup.js';
import type { GatewayOptions } from './types.js';

const DRAINING: Admission = { kind: 'draining' };
const UNKNOWN_NUMBER: Admission = { kind: 'unknown_number' };
const REFUSED: Admission = { kind: 'refused' };

/** Said by the `busy_message` policy when the manifest names no message. */
export const DEFAULT_BUSY_MESSAGE = "We're sorry, all our lines are busy right now. Please try again in a few minutes. Goodbye.";

function overflowAnswer(spec: OverflowSpec | undefined): OverflowAnswer {
  if (!spec || spec.policy === 'busy_message') return { policy: 'busy_message', say: spec?.message ?? DEFAULT_BUSY_MESSAGE };
  if (spec.policy === 'reject') return { policy: 'reject' };
  return { policy: 'redirect', ...(spec.number ? { to: spec.number } : {}), ...(spec.url ? { url: spec.url } : {}), ...(spec.message ? { say: spec.message } : {}) };
}

/** Admission control's count: browser calls and chats are live calls too (the handler counts every carrier's). */
export function atCapacity(opts: Pick<GatewayOptions, 'handler' | 'maxCalls'>): boolean {
  return opts.maxCalls !== undefined && opts.maxCalls !== null && opts.handler.stats().active >= opts.maxCalls;
}

export function createCarrierPort(opts: Pick<GatewayOptions, 'catalog' | 'handler' | 'maxCalls' | 'instanceId'>, log: Logger, isDraining: () => boolean): CarrierCallPort {
  const dedup = new StatusDeduper();
  return {
    log,
    admit(call: InboundCall): Admission {
      const { carrier, callSid, to, from, scenario } = call;
      // Admission control: draining, or at `maxCalls`, answers with the vertical's overflow policy.
      const full = atCapacity(opts);
      if (isDraining() || full) {
        const vertical = to ? opts.catalog.byNumber(to, callSid) : undefined;
        if (!vertical) return isDraining() ? DRAINING : UNKNOWN_NUMBER;
        const reason = isDraining() ? 'draining' : 'at_capacity';
        const answer = overflowAnswer(vertical.manifest.overflow);
        callsOverflowTotal.inc({ vertical: vertical.id, reason, policy: answer.policy });
        log.info('call not taken: overflow', { carrier, callSid, vertical: vertical.id, reason, policy: answer.policy });
        return { kind: 'overflow', reason, answer };
      }
      // The webhook's span (routing, pre-warm) joins the call's trace, derived from the Call SID.
      const span = startWebhookSpan(carrier, 'voice', callSid);
      const vertical = to ? opts.catalog.byNumber(to, callSid) : undefined;
      if (!vertical) {
        log.info('call to a number no vertical claims', { carrier, callSid, to: to ?? '' });
        span.end(UNKNOWN_NUMBER.kind);
        return UNKNOWN_NUMBER;
      }
      span.routed(vertical.id, vertical.version);
      try {
        // Not awaited: the model connection opens while the carrier fetches our answer and dials the stream.
        const pending = opts.handler.prepare({ carrier, callSid, vertical, ...(from ? { from } : {}), ...(to ? { to } : {}), ...(scenario ? { scenario } : {}) });
        if (pending) pending.catch((err: unknown) => log.warn('call preparation failed', { carrier, callSid, vertical: vertical.id, err }));
      } catch (err) {
        log.warn('call refused at preparation', { carrier, callSid, vertical: vertical.id, err });
        span.end(REFUSED.kind);
        return REFUSED;
      }
      span.end('connect');
      log.info('call answered', { carrier, callSid, vertical: vertical.id, version: vertical.version });
      return { kind: 'connect', verticalId: vertical.id, version: vertical.version, ...(opts.instanceId ? { instance: opts.instanceId } : {}) };
    },
    statusChanged(report: CallStatusReport): Promise<boolean> {
      // Carriers retry status callbacks and send one per call event: the handler sees each once.
      return dedup.run(`${report.carrier}:${report.callSid}:${report.status}`, () => opts.handler.statusChanged(report));
    },
    count(route: string, outcome: string): void {
      webhooksTotal.inc({ route, outcome });
    },
  };
}
