/**
 * Places one simulated call against a running gateway exactly as Twilio would: the signed voice
 * webhook, then the Media Streams WebSocket (signed over the Stream URL from the TwiML), the
 * caller's turns as μ-law speech, barge-ins where the scenario says, the hang-up, and the call
 * status callback.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import WebSocket from 'ws';
import { PCMU8K, type SpeechSynthesizer } from '../audio/index.js';
import type { Scenario } from '../scenarios/index.js';
import { httpSend, type HttpResponse } from '../telephony/index.js';
import { readTwimlAnswer, SCENARIO_FORM_FIELD, TWILIO_PATHS, twilioSignatureHeaders } from '../telephony/index.js';
import { AppError } from '../shared/index.js';
import { SimulatedPhone } from './phone.js';

export interface SimulateCallOptions {
  /** Where the gateway listens (http://localhost:3000). */
  gatewayUrl: string;
  /** Where the media stream connects, when not to gatewayUrl (another instance of a fleet, a proxy). */
  streamGatewayUrl?: string;
  /** Picks where the stream connects from the TwiML's stream URL (a fleet test sending it elsewhere). */
  streamTarget?: (streamUrl: string) => string | undefined;
  /** The URL Twilio would sign (the gateway's PUBLIC_URL); defaults to gatewayUrl. */
  publicUrl?: string;
  /** Signs webhooks and the stream upgrade when set (the gateway's TWILIO_AUTH_TOKEN). */
  authToken?: string | null;
  accountSid?: string;
  /** The dialled number; defaults to scenario.caller.to. */
  to: string;
  from?: string;
  /** Frame clock speed: 1 is real time, 4 is --fast. */
  speed?: number;
  synth: SpeechSynthesizer;
  /** After the agent's audio stops arriving, how long (call time) before the caller speaks. */
  quietMs?: number;
  /**
   * The same in wall-clock time: a pause between the agent's sentences (a tool call, the model
   * thinking) does not get faster with --fast, so the caller never waits less than this.
   */
  quietWallMs?: number;
  /** How long (call time) the caller waits for any answer before going on. */
  answerTimeoutMs?: number;
  /** Called for each timeline event as it happens (live printing). */
  onEvent?: (e: TimelineEvent) => void;
  /**
   * How many agent utterances the call has recorded so far (from the store). With it, a scripted
   * scenario's caller waits for every line the script gives the agent before speaking again,
   * instead of judging by silence alone (a slow tool call is silence too).
   */
  agentUtterances?: (callSid: string) => Promise<number>;
}

export type TimelineEvent =
  | { atMs: number; kind: 'answered'; vertical: string; version: string }
  | { atMs: number; kind: 'caller'; text: string; durationMs: number; bargeIn: boolean }
  | { atMs: number; kind: 'agent'; durationMs: number }
  | { atMs: number; kind: 'clear'; droppedMs: number; afterCallerSpeechMs: number | null }
  | { atMs: number; kind: 'no_answer'; waitedMs: number }
  | { atMs: number; kind: 'hangup'; by: 'agent' | 'caller'; code?: number; reason?: string }
  | { atMs: number; kind: 'problem'; message: string };

export interface SimulatedCall {
  scenarioId: string;
  callSid: string;
  /** false when the gateway answered with TwiML that hangs up (unknown number, refused). */
  answered: boolean;
  apology: string | null;
  vertical: string | null;
  version: string | null;
  endedBy: 'agent' | 'caller' | 'timeout' | null;
  /** Call time (frame clock) from stream start to the end. */
  durationMs: number;
  wallMs: number;
  timeline: TimelineEvent[];
  framesSent: number;
  framesReceived: number;
  marksAcked: number;
  clears: number;
  /** Protocol problems seen on the gateway's side (wrong frame sizes, unknown events). */
  problems: string[];
}

const hex = (n: number) => randomBytes(n).toString('hex');

async function postForm(gatewayUrl: string, publicUrl: string, path: string, form: Record<string, string>, token: string | null | undefined): Promise<HttpResponse> {
  try {
    return await httpSend({
      method: 'POST',
      url: gatewayUrl + path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...twilioSignatureHeaders(token, publicUrl + path, form) },
      body: new URLSearchParams(form).toString(),
      timeoutMs: 15_000,
    });
  } catch (err) {
    throw new AppError('SIMULATOR_GATEWAY_UNREACHABLE', `cannot reach the gateway at ${gatewayUrl}: ${(err as Error).message}`, { cause: err });
  }
}

/** The Stream URL's path on the gateway we can reach (the public host may be a tunnel). */
function reachableStreamUrl(gatewayUrl: string, streamUrl: string): string {
  const stream = new URL(streamUrl);
  const base = new URL(gatewayUrl);
  base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  base.pathname = stream.pathname;
  base.search = stream.search;
  return base.toString();
}

export async function simulateCall(scenario: Scenario, opts: SimulateCallOptions): Promise<SimulatedCall> {
  const gatewayUrl = opts.gatewayUrl.replace(/\/+$/, '');
  const publicUrl = (opts.publicUrl ?? gatewayUrl).replace(/\/+$/, '');
  const speed = opts.speed ?? 1;
  const quietMs = opts.quietMs ?? 1200;
  const quietWallMs = opts.quietWallMs ?? Math.min(quietMs, 1000);
  const answerTimeoutMs = opts.answerTimeoutMs ?? 15_000;
  const accountSid = opts.accountSid ?? `AC${'0'.repeat(32)}`;
  const callSid = `CA${hex(16)}`;
  const streamSid = `MZ${hex(16)}`;
  const from = opts.from ?? scenario.caller.from ?? '+15555550123';
  const wallStart = performance.now();
  const result: SimulatedCall = {
    scenarioId: scenario.id, callSid, answered: false, apology: null, vertical: null, version: null, endedBy: null,
    durationMs: 0, wallMs: 0, timeline: [], framesSent: 0, framesReceived: 0, marksAcked: 0, clears: 0, problems: [],
  };
  const push = (e: TimelineEvent) => {
    result.timeline.push(e);
    opts.onEvent?.(e);
  };

  const form: Record<string, string> = {
    AccountSid: accountSid, ApiVersion: '2010-04-01', CallSid: callSid, CallStatus: 'ringing', Direction: 'inbound',
    From: from, To: opts.to, Caller: from, Called: opts.to, [SCENARIO_FORM_FIELD]: scenario.id,
  };
  const res = await postForm(gatewayUrl, publicUrl, TWILIO_PATHS.voice, form, opts.authToken);
  const twiml = res.text;
  if (res.status !== 200) throw new AppError('SIMULATOR_WEBHOOK_REFUSED', `the gateway answered the voice webhook with ${res.status}: ${twiml.slice(0, 200)}`);
  const answer = readTwimlAnswer(twiml);
  if (answer.kind === 'hangup') {
    result.apology = answer.say;
    result.wallMs = performance.now() - wallStart;
    return result;
  }
  if (answer.kind !== 'stream') throw new AppError('SIMULATOR_TWIML', `the gateway answered TwiML the simulator cannot follow: ${twiml.slice(0, 200)}`);
  result.answered = true;
  result.vertical = answer.parameters.vertical ?? null;
  result.version = answer.parameters.version ?? null;

  // Synthesize every caller line up front (cached), so speaking never waits on synthesis.
  const clips = await Promise.all(scenario.turns.map((t) => opts.synth.clip(t.caller, PCMU8K, scenario.caller.language)));

  const ws = new WebSocket(reachableStreamUrl(opts.streamTarget?.(answer.url) ?? opts.streamGatewayUrl ?? gatewayUrl, answer.url), { headers: twilioSignatureHeaders(opts.authToken, answer.url), perMessageDeflate: false });
  try {
    await Promise.race([
      once(ws, 'open'),
      once(ws, 'unexpected-response').then(([, r]) => {
        throw new AppError('SIMULATOR_STREAM_REFUSED', `the gateway refused the media stream upgrade (${(r as { statusCode?: number }).statusCode})`);
      }),
    ]);
  } catch (err) {
    ws.terminate();
    if (err instanceof AppError) throw err;
    throw new AppError('SIMULATOR_STREAM_FAILED', `cannot open the media stream: ${(err as Error).message}`, { cause: err });
  }

  let hungUpByCaller = false;
  let lastCallerSpeechStartMs: number | null = null;
  let bargingIn = false;
  const phone = new SimulatedPhone(ws, streamSid, speed, {
    agentStop: (_atMs, durationMs) => push({ atMs: phone.burstStartedAtMs, kind: 'agent', durationMs }),
    clear: (atMs, droppedMs) => {
      // A clear with nothing to drop (speech started while the agent was silent) is routine.
      if (droppedMs > 0 || bargingIn) push({ atMs, kind: 'clear', droppedMs, afterCallerSpeechMs: lastCallerSpeechStartMs === null ? null : atMs - lastCallerSpeechStartMs });
    },
    closed: (atMs, code, reason) => {
      if (!hungUpByCaller) {
        result.endedBy ??= 'agent';
        push({ atMs, kind: 'hangup', by: 'agent', code, reason });
      }
    },
    protocolError: (message) => {
      if (result.problems.length < 20) result.problems.push(message);
    },
  });
  phone.begin({ callSid, accountSid, customParameters: answer.parameters });
  push({ atMs: 0, kind: 'answered', vertical: result.vertical ?? '?', version: result.version ?? '?' });

  const maxMs = scenario.maxDurationMs;
  const over = () => phone.closed || phone.callTimeMs >= maxMs;

  const scripted = scenario.brain === 'scripted' && opts.agentUtterances !== undefined;
  const saysIn = (steps: readonly { say?: string | undefined }[]) => steps.filter((st) => st.say !== undefined).length;
  const utterances = async () => (opts.agentUtterances ? opts.agentUtterances(callSid).catch(() => 0) : 0);
  /** Waits (wall clock, polling) until the call has recorded `target` agent utterances. */
  const utterancesReach = async (target: number): Promise<void> => {
    const deadline = performance.now() + answerTimeoutMs;
    while (!phone.closed && performance.now() < deadline && (await utterances()) < target) {
      await new Promise((r) => setTimeout(r, 150));
    }
  };

  /** The agent answered after `sinceMs` and has gone quiet (or never answered in time). */
  const agentDone = async (sinceMs: number, target?: number): Promise<void> => {
    if (scripted && target !== undefined && target > 0) await utterancesReach(target);
    await phone.until(() => over() || phone.lastMediaAtMs >= sinceMs || phone.callTimeMs - sinceMs >= answerTimeoutMs);
    if (over()) return;
    if (phone.lastMediaAtMs < sinceMs) {
      push({ atMs: phone.callTimeMs, kind: 'no_answer', waitedMs: phone.callTimeMs - sinceMs });
      return;
    }
    // A scripted call knows how many lines to wait for, so a short wall-clock quiet is enough there.
    const wallQuiet = scripted && target !== undefined && target > 0 ? Math.min(quietWallMs, 250) : quietWallMs;
    await phone.until(() => over() || (!phone.agentAudible && phone.callTimeMs - phone.lastMediaAtMs >= quietMs && performance.now() - phone.lastMediaWallMs >= wallQuiet));
  };

  let sinceMs = 0;
  let heardAtTurnEnd = 0;
  // Agent lines the script gives after the caller's latest turn, counted from what was recorded then.
  let target = saysIn(scenario.opening);
  await agentDone(sinceMs, target);
  for (const [i, turn] of scenario.turns.entries()) {
    if (over()) break;
    if (turn.bargeIn) {
      // Talk over the agent's reply once afterMs of it has been heard since the caller's last
      // turn, while it is still talking (counted in audio heard, so pauses in the model's output,
      // or a slow machine delivering it in pieces, do not use the budget up). Gives up only when
      // both the call clock and the wall clock have waited answerTimeoutMs.
      const afterMs = turn.bargeIn.afterMs;
      const heardBefore = heardAtTurnEnd;
      const wallSince = performance.now();
      await phone.until(() => over()
        || (phone.agentAudible && phone.playedTotalMs - heardBefore >= afterMs)
        || (phone.callTimeMs - sinceMs >= answerTimeoutMs && performance.now() - wallSince >= answerTimeoutMs));
    } else {
      if (i > 0) await agentDone(sinceMs, target);
      await phone.pause(turn.pauseMs);
    }
    if (over()) break;
    const clip = clips[i]!;
    lastCallerSpeechStartMs = phone.callTimeMs;
    bargingIn = Boolean(turn.bargeIn);
    push({ atMs: phone.callTimeMs, kind: 'caller', text: turn.caller, durationMs: Math.round(clip.durationMs), bargeIn: Boolean(turn.bargeIn) });
    await phone.say(clip.bytes);
    sinceMs = phone.callTimeMs;
    heardAtTurnEnd = phone.playedTotalMs;
    if (scripted) target = (await utterances()) + saysIn(turn.agent);
  }
  if (!over()) await agentDone(sinceMs, target);
  if (!phone.closed) {
    const until = phone.callTimeMs + scenario.hangUpAfterMs;
    await phone.until(() => over() || phone.callTimeMs >= until);
  }
  if (!phone.closed) {
    hungUpByCaller = true;
    result.endedBy = phone.callTimeMs >= maxMs ? 'timeout' : 'caller';
    push({ atMs: phone.callTimeMs, kind: 'hangup', by: 'caller' });
    const closed = once(ws, 'close');
    phone.hangUp(callSid, accountSid);
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5000).unref())]);
    if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
  }

  result.durationMs = phone.callTimeMs;
  result.framesSent = phone.framesSent;
  result.framesReceived = phone.framesReceived;
  result.marksAcked = phone.marksAcked;
  result.clears = phone.clears;

  // Twilio reports the end of the call to the status callback.
  const status = await postForm(gatewayUrl, publicUrl, TWILIO_PATHS.status, {
    AccountSid: accountSid, ApiVersion: '2010-04-01', CallSid: callSid, CallStatus: 'completed',
    CallDuration: String(Math.max(1, Math.round(result.durationMs / 1000))), Direction: 'inbound', From: from, To: opts.to,
  }, opts.authToken);
  if (status.status >= 400) result.problems.push(`status callback answered ${status.status}`);
  result.wallMs = performance.now() - wallStart;
  return result;
}
