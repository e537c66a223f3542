/**
 * The `CarrierCallPort` the gateway gives every carrier's webhooks: a dialled number is routed
 * through the catalog and the call prepared by the call handler; status reports reach the
 * handler once per (carrier, call, status); webhook outcomes are counted.
 */
import { startWebhookSpan, webhooksTotal } from '../observability/index.js';
import type { Logger } from '../observability/index.js';
import type { Admission, CallStatusReport, CarrierCallPort, InboundCall } from '../telephony/index.js';
import { StatusDeduper } from './statusDedup.js';
import type { GatewayOptions } from './types.js';

const DRAINING: Admission = { kind: 'draining' };
const UNKNOWN_NUMBER: Admission = { kind: 'unknown_number' };
const REFUSED: Admission = { kind: 'refused' };

export function createCarrierPort(opts: Pick<GatewayOptions, 'catalog' | 'handler' | 'instanceId'>, log: Logger, isDraining: () => boolean): CarrierCallPort {
  const dedup = new StatusDeduper();
  return {
    log,
    admit(call: InboundCall): Admission {
      if (isDraining()) return DRAINING;
      const { carrier, callSid, to, from, scenario } = call;
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
