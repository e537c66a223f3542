/**
 * `GET /healthz` (status, verticals and versions, active calls), `GET /livez` (the process
 * serves: 200 until it exits, draining included), `GET /readyz` (send it new calls: 503 while
 * draining, so an orchestrator or proxy stops routing here without killing live calls) and
 * `GET /metrics` (Prometheus).
 * Health is unauthenticated: it names no phone number (which numbers ring which agent is the
 * operator's business: `switchboard numbers list`).
 */
import { Router } from 'express';
import { metricsRegistry } from '../observability/index.js';
import type { GatewayOptions } from './types.js';

export function healthRouter(opts: GatewayOptions, isDraining: () => boolean): Router {
  const router = Router();
  const startedAtMs = Date.now();
  router.get('/healthz', (_req, res) => {
    const stats = opts.handler.stats();
    const draining = isDraining();
    res.status(draining ? 503 : 200).json({
      status: draining ? 'draining' : 'ok',
      uptimeMs: Date.now() - startedAtMs,
      engine: opts.engine ?? null,
      generation: opts.catalog.generation,
      verticals: opts.catalog.list().map((v) => ({ id: v.id, version: v.version })),
      activeCalls: stats.active,
      activeByVertical: stats.byVertical,
      signatureCheck: opts.carriers.every((c) => c.signatureCheck),
      carriers: opts.carriers.map((c) => ({ name: c.name, signatureCheck: c.signatureCheck })),
    });
  });
  router.get('/livez', (_req, res) => {
    res.json({ status: 'live', draining: isDraining() });
  });
  router.get('/readyz', (_req, res) => {
    const draining = isDraining();
    const { active } = opts.handler.stats();
    const maxCalls = opts.maxCalls ?? null;
    res.status(draining ? 503 : 200).json({
      status: draining ? 'draining' : 'ready',
      activeCalls: active,
      maxCalls,
      // Full is still ready: overflow calls get the vertical's answer, and it clears as calls end.
      atCapacity: maxCalls !== null && active >= maxCalls,
    });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
  return router;
}
