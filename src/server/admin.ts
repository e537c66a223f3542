/**
 * The admin API: `POST /admin/reload` swaps in freshly compiled verticals (live calls keep the
 * versions they pinned), `GET /admin/calls` shows live and recent calls. Guarded by
 * `Authorization: Bearer <ADMIN_TOKEN>`; with no token configured the admin API is disabled for
 * everyone. (There is deliberately no loopback exception: behind a reverse proxy on the same host
 * every request arrives from loopback, and "loopback only" would become "anyone".)
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { formatProblem } from '../manifest/index.js';
import type { Logger } from '../observability/index.js';
import { HTTP_ERROR, sendError } from './errors.js';
import type { GatewayOptions } from './types.js';

function sameSecret(a: string, b: string): boolean {
  // Hash first so lengths match and the compare is constant-time whatever was sent.
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function adminGuard(adminToken: string | null | undefined): RequestHandler {
  return (req, res, next) => {
    if (!adminToken) return sendError(res, HTTP_ERROR.adminDisabled, 'the admin API is disabled: start the gateway with ADMIN_TOKEN set (at least 16 characters)');
    const header = req.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!token || !sameSecret(token, adminToken)) return sendError(res, HTTP_ERROR.unauthorized, 'a valid "Authorization: Bearer <ADMIN_TOKEN>" is required');
    next();
  };
}

export function adminRouter(opts: GatewayOptions, log: Logger): Router {
  const router = Router();
  router.use('/admin', adminGuard(opts.adminToken));

  router.post('/admin/reload', async (_req, res) => {
    if (opts.fleetReload) {
      const report = await opts.fleetReload();
      const body = { requestId: report.requestId, instances: report.instances, missing: report.missing };
      if (report.ok) return void res.json({ ok: true, ...body });
      const rejected = report.instances.filter((i) => !i.ok);
      log.warn('fleet reload not complete', { rejected: rejected.length, missing: report.missing.length });
      if (rejected.length > 0) {
        return sendError(res, HTTP_ERROR.reloadRejected, `${rejected.length} instance(s) kept their running verticals: ${rejected[0]!.problems[0] ?? rejected[0]!.code ?? 'rejected'}`, {
          ...body, problems: rejected.flatMap((i) => i.problems).slice(0, 50).map((text) => ({ severity: 'error', text })),
        });
      }
      return sendError(res, HTTP_ERROR.fleetReloadIncomplete, `no answer from ${report.missing.join(', ') || 'any instance'}`, body);
    }
    const result = await opts.catalog.reload();
    const problems = result.problems.map((p) => ({ severity: p.severity, text: formatProblem(p) }));
    if (!result.ok) {
      log.warn('admin reload rejected', { errors: problems.filter((p) => p.severity === 'error').length });
      return sendError(res, HTTP_ERROR.reloadRejected, 'manifests have errors; the running verticals stay in service', {
        generation: result.generation,
        problems,
      });
    }
    const { event } = result;
    res.json({
      ok: true,
      generation: event.generation,
      verticals: opts.catalog.list().map((v) => ({ id: v.id, version: v.version })),
      added: event.added,
      removed: event.removed,
      changed: event.changed,
      unchanged: event.unchanged,
      problems,
    });
  });

  router.get('/admin/calls', async (req, res) => {
    const stats = opts.handler.stats();
    const limit = Math.min(Math.max(Number(req.query.limit ?? 20) || 20, 1), 200);
    const recent = opts.store ? await opts.store.calls.list({ limit }) : [];
    res.json({
      active: stats.active,
      byVertical: stats.byVertical,
      recent: recent.map((c) => ({
        id: c.id,
        callSid: c.callSid,
        vertical: c.vertical,
        version: c.manifestVersion,
        engine: c.engine,
        status: c.status,
        startedAt: c.startedAt.toISOString(),
        endedAt: c.endedAt?.toISOString() ?? null,
        endReason: c.endReason,
        durationMs: c.durationMs,
      })),
    });
  });

  return router;
}
