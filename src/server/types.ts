/**
 * What the gateway needs from the rest of the process. The catalog and the call handler are the
 * real ones in production (src/catalog, src/realtime); tests pass real catalogs and a fake handler.
 */
import type { Catalog } from '../catalog/index.js';
import type { CallHandler } from '../realtime/index.js';
import type { Store } from '../store/index.js';
import type { Logger } from '../observability/index.js';
import type { Carrier } from '../telephony/index.js';
import type { FleetReloadReport } from './fleet/index.js';

export type { CallHandler };

/** The part of the catalog the gateway uses. */
export type GatewayCatalog = Pick<Catalog, 'byNumber' | 'get' | 'list' | 'reload' | 'generation' | 'problems'>;

export interface GatewayOptions {
  catalog: GatewayCatalog;
  handler: CallHandler;
  /**
   * The carriers served (telephony's `createCarriers`): each one's webhooks are mounted and its
   * stream path upgraded; each authenticates its own requests.
   */
  carriers: readonly Carrier[];
  /** ADMIN_TOKEN: bearer for /admin/*; when unset the admin API is disabled. */
  adminToken?: string | null;
  /** For `GET /admin/calls` (recent calls); optional. */
  store?: Pick<Store, 'calls'>;
  /** How long `start` may take after the upgrade. */
  streamStartTimeoutMs?: number;
  /** Largest WebSocket message accepted (bytes); larger closes that socket with 1009. */
  maxStreamMessageBytes?: number;
  /**
   * Admission control: the most live calls this process takes (`server.maxCalls`); beyond it a
   * call gets its vertical's `overflow` answer. Null or absent: no limit.
   */
  maxCalls?: number | null;
  /**
   * This instance's id in a fleet: stream URLs name it so a routing proxy sends each call's stream
   * to the instance that prepared it. Unset: plain stream URLs (one process).
   */
  instanceId?: string;
  /**
   * With Redis: `POST /admin/reload` reloads every gateway and worker of the fleet through this
   * (a signed request on the bus, each instance's outcome collected). Unset: this process only.
   */
  fleetReload?: () => Promise<FleetReloadReport>;
  /** Engine description shown by /healthz (e.g. "emulator", "openai"). */
  engine?: string;
  logger?: Logger;
}
