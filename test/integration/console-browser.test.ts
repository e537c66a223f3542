/**
 * The console in a real browser: Debian's chromium (driven by playwright-core) with a fake
 * microphone playing a WAV, against a real gateway (emulator engine, Postgres, in-process
 * analysis). One call to salon: the greeting's audio reaches the page (remote RTP counted by
 * getStats and heard by an analyser), the caller speaks, hangs up, and the call is in history,
 * finalised and analysed. A screenshot of each page goes to test-output/console/.
 * Only what a browser alone can show is here; the carrier's SDP and pacing are tested in Node
 * (test/unit/telephony/webrtc*.test.ts, test/integration/webrtc.test.ts).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PCM24K, SpeechSynthesizer } from '../../src/audio/index.js';
import { startConsoleGateway, type ConsoleGateway } from './consoleGateway.js';
import { eventually } from './realtimeHarness.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = resolve('test-output', 'console');
const present = existsSync(CHROMIUM);
if (!present) process.stdout.write(`console-browser: no ${CHROMIUM} (apt-get install -y chromium); the browser test is skipped\n`);
const describeWithChromium = present ? describe : describe.skip;

/** A mono 16-bit WAV: the caller's line (espeak-ng when installed, else speech-shaped signal), then silence. */
async function callerWav(file: string): Promise<void> {
  const clip = await new SpeechSynthesizer().clip('Hi, I would like to book a haircut tomorrow at ten please.', PCM24K);
  const silence = Buffer.alloc(24_000 * 2 * 3);
  const pcm = Buffer.concat([Buffer.alloc(24_000), clip.bytes, silence]);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0); header.writeUInt32LE(36 + pcm.length, 4); header.write('WAVE', 8);
  header.write('fmt ', 12); header.writeUInt32LE(16, 16); header.writeUInt16LE(1, 20); header.writeUInt16LE(1, 22);
  header.writeUInt32LE(24_000, 24); header.writeUInt32LE(48_000, 28); header.writeUInt16LE(2, 32); header.writeUInt16LE(16, 34);
  header.write('data', 36); header.writeUInt32LE(pcm.length, 40);
  writeFileSync(file, Buffer.concat([header, pcm]));
}

const TYPED = 'What services do you offer, and how much does a haircut cost?';

describeWithChromium('the console in Chromium', () => {
  let gw: ConsoleGateway;
  let browser: Browser;
  let page: Page;
  const startedAt = Date.now();

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const wav = join(OUT, 'caller.wav');
    await callerWav(wav);
    gw = await startConsoleGateway();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`,
        '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required', '--no-sandbox'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    process.stdout.write(`console-browser: ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
  }, 60_000);

  it('calls salon over WebRTC, hears the greeting, speaks, hangs up, and finds the call in history', async () => {
    await page.goto(`${gw.baseUrl}/console/#verticals`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#vertical-salon svg.graph g.agent');
    await page.screenshot({ path: join(OUT, 'verticals.png'), fullPage: true });

    await page.goto(`${gw.baseUrl}/console/#call`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.selectOption('#call-vertical', 'salon');
    await page.click('#call-start');
    // Page-side code is written as strings: the test's TypeScript has no DOM types.
    await page.waitForFunction(`document.getElementById('call-status')?.textContent?.startsWith('In call')`, undefined, { timeout: 15_000 });
    const callSid = await page.evaluate<string>('window.switchboardConsole.call.callSid');
    expect(callSid).toMatch(/^WR[0-9a-f]{32}$/);

    // The greeting reaches the page: RTP in, and energy on the remote track.
    await page.waitForFunction(`(async () => {
      const s = window.switchboardConsole.call;
      let bytes = 0;
      (await s.pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'audio') bytes = r.bytesReceived ?? 0; });
      return bytes > 8000 && s.peakLevel > 0.01;
    })()`, undefined, { timeout: 15_000, polling: 200 });
    // The caller speaks: the fake microphone's frames reach the gateway's call.
    const conn = gw.webrtc.live.get(callSid)!;
    await eventually(async () => conn.packetsIn > 100, 'microphone frames at the gateway', 10_000);
    await page.waitForSelector('#call-transcript li.assistant', { timeout: 15_000 });

    // A typed turn during the voice call: the agent hands off and calls a tool (seen live on the
    // page) and answers in its voice (the answer is recorded once its audio has played out).
    const bytesBefore = await page.evaluate<number>(`(async () => {
      let bytes = 0;
      (await window.switchboardConsole.call.pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'audio') bytes = r.bytesReceived ?? 0; });
      return bytes;
    })()`);
    // The caller stops talking to type (the fake microphone loops its WAV: speech would barge in
    // and cancel the answer, its tool call with it). A muted track keeps sending silent RTP.
    await page.evaluate(`window.switchboardConsole.call.mic.getAudioTracks()[0].enabled = false`);
    await page.waitForSelector('#call-type-input:not([disabled])');
    await page.fill('#call-type-input', TYPED);
    await page.click('#call-type-send');
    await page.waitForSelector('#call-activity li.handoff', { timeout: 20_000 });
    await page.waitForSelector('#call-activity li.tool', { timeout: 20_000 });
    const activity = await page.textContent('#call-activity');
    expect(activity).toContain('Front Desk → Services and Prices');
    expect(activity).toContain('salon_list_services');
    await page.waitForFunction(`[...document.querySelectorAll('#call-transcript li.caller')].some((li) => li.textContent.includes(${JSON.stringify(TYPED)}))`, undefined, { timeout: 15_000 });
    await page.waitForFunction(`[...document.querySelectorAll('#call-transcript li.assistant .who')].some((w) => w.textContent.includes('Services and Prices'))`, undefined, { timeout: 20_000 });
    const bytesAfter = await page.evaluate<number>(`(async () => {
      let bytes = 0;
      (await window.switchboardConsole.call.pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'audio') bytes = r.bytesReceived ?? 0; });
      return bytes;
    })()`);
    expect(bytesAfter - bytesBefore).toBeGreaterThan(8000);
    expect(await page.inputValue('#call-type-input')).toBe('');
    await page.screenshot({ path: join(OUT, 'call.png'), fullPage: true });

    await page.goto(`${gw.baseUrl}/console/#live`);
    await page.waitForSelector(`#live-detail .detail h3`, { timeout: 10_000 });
    await page.screenshot({ path: join(OUT, 'live.png'), fullPage: true });
    await page.goto(`${gw.baseUrl}/console/#call`);
    // Leaving the page dropped the softphone's peer: hang up through the API the button uses.
    await page.evaluate(`fetch('/console/api/calls/${callSid}', { method: 'DELETE' }).then((r) => r.status)`);

    const row = await eventually(async () => {
      const r = await gw.store.calls.getBySid(callSid);
      return r?.endedAt ? r : undefined;
    }, 'the call finalised', 20_000);
    gw.processing.nudge();
    await eventually(async () => gw.store.analysis.get(gw.store.dbForVertical(gw.catalog.get('salon')!.manifest), row.id), 'the analysis', 20_000);

    await page.goto(`${gw.baseUrl}/console/#history/${row.id}`);
    await page.waitForSelector(`tr[data-call="${callSid}"]`);
    await page.waitForSelector(`#history-detail #call-${row.id} dl.analysis`, { timeout: 10_000 });
    const status = await page.textContent(`#history-detail #call-${row.id} .call-status`);
    expect(status).toMatch(/^(completed|failed)/);
    await page.screenshot({ path: join(OUT, 'history.png'), fullPage: true });
  }, 120_000);

  it('chats with salon: typed turns answered in text, a handoff and a tool seen live, bad input reported, the chat in history with its analysis', async () => {
    await page.goto(`${gw.baseUrl}/console/#chat`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.selectOption('#chat-vertical', 'salon');
    await page.click('#chat-start');
    await page.waitForSelector('#chat-transcript li.assistant', { timeout: 15_000 });
    const callSid = await page.evaluate<string>('window.switchboardConsole.chat.callSid');
    expect(callSid).toMatch(/^CH[0-9a-f]{32}$/);

    await page.fill('#chat-input', TYPED);
    await page.click('#chat-send');
    await page.waitForSelector('#chat-activity li.handoff', { timeout: 15_000 });
    await page.waitForSelector('#chat-activity li.tool[data-status="ok"]', { timeout: 15_000 });
    expect(await page.textContent('#chat-activity')).toContain('salon_list_services');
    await page.waitForFunction(`[...document.querySelectorAll('#chat-transcript li.assistant .who')].some((w) => w.textContent.includes('Services and Prices'))`, undefined, { timeout: 15_000 });
    expect(await page.textContent('#chat-transcript li.caller')).toContain(TYPED);

    // A 1 MB message and a malformed one: a coded error on this page, and the chat goes on.
    await page.evaluate(`window.switchboardConsole.chat.ws.send(JSON.stringify({ type: 'message', text: 'x'.repeat(1024 * 1024) }))`);
    await page.waitForFunction(`document.getElementById('chat-status').textContent.startsWith('CHAT_MESSAGE_TOO_LARGE')`, undefined, { timeout: 10_000 });
    await page.evaluate(`window.switchboardConsole.chat.ws.send('{not json')`);
    await page.waitForFunction(`document.getElementById('chat-status').textContent.startsWith('CHAT_BAD_MESSAGE')`, undefined, { timeout: 10_000 });
    expect(await page.isEnabled('#chat-input')).toBe(true);
    await page.screenshot({ path: join(OUT, 'chat.png'), fullPage: true });

    await page.click('#chat-end');
    await page.waitForFunction(`document.getElementById('chat-status').textContent === 'Chat ended (caller_hangup).'`, undefined, { timeout: 15_000 });
    const row = await eventually(async () => {
      const r = await gw.store.calls.getBySid(callSid);
      return r?.endedAt ? r : undefined;
    }, 'the chat finalised', 20_000);
    expect(row.channel).toBe('chat');
    gw.processing.nudge();
    await eventually(async () => gw.store.analysis.get(gw.store.dbForVertical(gw.catalog.get('salon')!.manifest), row.id), 'the analysis', 20_000);
    await page.goto(`${gw.baseUrl}/console/#history/${row.id}`);
    await page.waitForSelector(`#history-detail #call-${row.id} dl.analysis`, { timeout: 10_000 });
    expect(await page.textContent(`#history-detail #call-${row.id} .call-channel`)).toBe('chat');
    expect(await page.textContent(`tr[data-call="${callSid}"]`)).toContain('chat');
    await page.screenshot({ path: join(OUT, 'chat-history.png'), fullPage: true });
  }, 90_000);
});
