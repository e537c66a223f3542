/**
 * `npm start -- --workers 2`: two gateway processes behind one port. A call's media stream
 * reaches the worker that answered its webhook (and pre-warmed its model session), so each call
 * has exactly one model session; the embedded database refuses the mode with a clear message.
 */
import { spawn } from 'node:child_process';
import { httpSend } from '../../src/telephony/http.js';
import { newCallSid, openStream, startGatewayProcess, streamParams, streamUrl, voiceWebhook, type GatewayProcess } from './gatewayProcess.js';

const NUMBER = '+15550001111';

let gw: GatewayProcess | undefined;
afterEach(async () => {
  await gw?.cleanup();
  gw = undefined;
});

it('serves each call\'s webhook and stream on the same worker', async () => {
  gw = await startGatewayProcess({ args: ['--workers', '2'] });
  expect(gw.output()).toContain('(2 workers)');
  const sids = Array.from({ length: 6 }, () => newCallSid());
  const workersSeen = new Set<string>();
  for (const sid of sids) {
    const { twiml } = await voiceWebhook(gw.baseUrl, sid, NUMBER);
    const url = new URL(streamUrl(twiml)!);
    const worker = url.searchParams.get('sbw');
    expect(worker).toMatch(/^[12]$/);
    workersSeen.add(worker!);
    const ws = await openStream(gw.baseUrl, sid, streamParams(twiml), url.pathname + url.search);
    let frames = 0;
    ws.on('message', (data) => { if (String(data).includes('"media"')) frames++; });
    await new Promise<void>((resolve, reject) => {
      const t0 = Date.now();
      const poll = setInterval(() => {
        if (frames > 5) { clearInterval(poll); resolve(); }
        else if (Date.now() - t0 > 30_000) { clearInterval(poll); reject(new Error(`no greeting for ${sid}`)); }
      }, 50);
    });
    ws.send(JSON.stringify({ event: 'stop', streamSid: 'MZ0', stop: { callSid: sid } }));
    ws.close();
  }
  // Round-robin spread the webhooks over both workers.
  expect([...workersSeen].sort()).toEqual(['1', '2']);
  await new Promise((r) => setTimeout(r, 1000));
  const out = gw.output();
  for (const sid of sids) {
    // One model session per call: a stream on the wrong worker would connect a second one.
    const connects = out.split('\n').filter((l) => l.includes(sid) && l.includes('"model connected"'));
    expect([sid, connects.length]).toEqual([sid, 1]);
  }
  expect(out).not.toContain('call row already existed');
  // One scrape of the public port sums every worker's registry; `?sbw=<id>` reaches one worker.
  const voice = (text: string) => Number(/switchboard_webhooks_total\{route="voice",outcome="connected"\} (\d+)/.exec(text)?.[1] ?? 0);
  const scrape = async (path: string) => (await httpSend({ url: `${gw!.baseUrl}${path}`, headers: { connection: 'close' } })).text;
  expect(voice(await scrape('/metrics'))).toBe(sids.length);
  const perWorker = [voice(await scrape('/metrics?sbw=1')), voice(await scrape('/metrics?sbw=2'))];
  expect(perWorker[0]! + perWorker[1]!).toBe(sids.length);
  expect(Math.min(...perWorker)).toBeGreaterThan(0);
  // The primary timed each connection it sent to the worker it names: six streams and the two scrapes above.
  expect(Number(/switchboard_worker_handoff_ms_count\{kind="named"\} (\d+)/.exec(await scrape('/metrics'))?.[1])).toBe(sids.length + 2);
  expect(out).not.toContain('media stream for an unknown call');

  gw.signalGroup('SIGTERM');
  const { code } = await gw.exited(60_000);
  expect(code).toBe(0);
  expect(gw.output().match(/gateway closed/g)?.length).toBe(2);
  const rows = await gw.query<{ n: string }>("SELECT count(*) AS n FROM calls WHERE end_reason = 'caller_hangup'");
  expect(Number(rows[0]!.n)).toBe(sids.length);
}, 240_000);

it('refuses --workers on the embedded PGlite database, with a clear message', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', SWITCHBOARD_DATA_DIR: '/tmp/switchboard-workers-refused' };
  for (const k of ['DATABASE_URL', 'NODE_OPTIONS', 'JEST_WORKER_ID']) delete env[k];
  const child = spawn('npm', ['start', '--silent', '--', '--workers', '2'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(2);
  expect(err).toContain('--workers needs Postgres (set DATABASE_URL): the embedded PGlite database serves one process only');
}, 60_000);
