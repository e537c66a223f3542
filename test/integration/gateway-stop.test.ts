/**
 * Stopping `npm start` right after a burst of incoming calls: every call row is finalised with a
 * reason, and the process reaches "gateway closed" and exits 0. (The bug: tsx's CLI relayed the
 * signal and, when a busy child did not confirm within 30 ms, SIGKILLed it; npm's sh died too.)
 */
import type WebSocket from 'ws';
import { newCallSid, voiceWebhook, openStream, startGatewayProcess, streamParams, type GatewayProcess } from './gatewayProcess.js';

const NUMBER = '+15550001111';
const BURST = 300;

let gw: GatewayProcess | undefined;
afterEach(async () => {
  await gw?.cleanup();
  gw = undefined;
});

it('finalises every call row and exits 0 when SIGTERM reaches npm start right after a burst of calls', async () => {
  gw = await startGatewayProcess({ env: { SWITCHBOARD_DRAIN_TIMEOUT_MS: '2000', SWITCHBOARD_MAX_CALLS: '0' } });
  const { baseUrl } = gw;
  const sids = Array.from({ length: BURST }, () => newCallSid());
  const answers = await Promise.all(sids.map((sid) => voiceWebhook(baseUrl, sid, NUMBER)));
  expect(answers.filter((a) => a.twiml.includes('<Stream')).length).toBe(BURST);
  // Half the calls get their media stream; the other half are still waiting for it.
  const sockets: WebSocket[] = await Promise.all(sids.slice(0, BURST / 2).map((sid, i) => openStream(baseUrl, sid, streamParams(answers[i]!.twiml))));
  // More calls keep arriving while the signal lands: each is either taken (and finalised) or given the overflow answer.
  const late = Promise.all(Array.from({ length: 40 }, () => voiceWebhook(baseUrl, newCallSid(), NUMBER)));
  gw.signalGroup('SIGTERM');
  const lateAnswers = await late;
  const lateTaken = lateAnswers.filter((a) => a.twiml.includes('<Stream')).length;
  for (const a of lateAnswers) expect(a.twiml).toMatch(/<Stream|all our lines are busy/);
  const { code } = await gw.exited(60_000);
  for (const ws of sockets) ws.terminate();
  if (process.env.GW_DUMP) (await import('node:fs')).writeFileSync(process.env.GW_DUMP, gw.output());
  expect({ code, closed: gw.output().includes('gateway closed') }).toEqual({ code: 0, closed: true });
  const open = await gw.query<{ n: string }>("SELECT count(*) AS n FROM calls WHERE ended_at IS NULL OR end_reason IS NULL OR status = 'in_progress'");
  const total = await gw.query<{ n: string }>('SELECT count(*) AS n FROM calls');
  expect({ total: Number(total[0]!.n), open: Number(open[0]!.n) }).toEqual({ total: BURST + lateTaken, open: 0 });
}, 180_000);

it('ends every call at once on a second SIGTERM during the drain, still finalising every row', async () => {
  gw = await startGatewayProcess({ env: { SWITCHBOARD_MAX_CALLS: '0' } });
  const { baseUrl } = gw;
  const sids = Array.from({ length: 60 }, () => newCallSid());
  const answers = await Promise.all(sids.map((sid) => voiceWebhook(baseUrl, sid, NUMBER)));
  const sockets = await Promise.all(sids.slice(0, 30).map((sid, i) => openStream(baseUrl, sid, streamParams(answers[i]!.twiml))));
  gw.signalGroup('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  const t0 = Date.now();
  gw.signalGroup('SIGTERM');
  const { code } = await gw.exited(30_000);
  for (const ws of sockets) ws.terminate();
  expect({ code, closed: gw.output().includes('gateway closed'), now: gw.output().includes('second stop signal') }).toEqual({ code: 0, closed: true, now: true });
  expect(Date.now() - t0).toBeLessThan(20_000);
  const rows = await gw.query<{ end_reason: string | null; n: string }>('SELECT end_reason, count(*) AS n FROM calls GROUP BY end_reason');
  expect(rows.map((r) => [r.end_reason, Number(r.n)])).toEqual([['shutdown', 60]]);
}, 120_000);
