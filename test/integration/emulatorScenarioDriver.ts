/**
 * Plays a scenario's caller side against the real Agents SDK session (which talks to the
 * emulator playing the model side), the way the call simulator will over Twilio: wait for the
 * agent to finish (or barge in), pause, speak the next turn as audio. Reports what happened as
 * an `ObservedCall` for `evaluateScenario`.
 */
import type { RealtimeAgent } from '@openai/agents/realtime';
import type { ObservedCall, Scenario } from '../../src/scenarios/index.js';
import type { MemoryToolInvocationRecorder } from '../../src/toolkit/index.js';
import { connectSdk, itemText, type SdkCall, type WireFormat } from './emulatorSdkHarness.js';

export interface ScenarioRun {
  observed: ObservedCall;
  call: SdkCall;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runScenarioOverSdk(options: {
  url: string;
  scenario: Scenario;
  agent: RealtimeAgent<Record<string, unknown>>;
  format: WireFormat;
  context: Record<string, unknown>;
  recorder: MemoryToolInvocationRecorder;
  /** Filled by the fake call control when end_call hangs up. */
  hangUps: { reason?: string }[];
  quietMs?: number;
}): Promise<ScenarioRun> {
  const { scenario } = options;
  const quietMs = options.quietMs ?? 500;
  const call = await connectSdk(`${options.url}?scenario=${encodeURIComponent(scenario.id)}`, options.agent, options.format, options.context);
  const handoffs: string[] = [];
  let toolsRunning = 0;
  let lastActivity = Date.now();
  call.session.on('agent_handoff', (_ctx, _from, to) => handoffs.push(to.name));
  call.session.on('agent_tool_start', () => { toolsRunning += 1; lastActivity = Date.now(); });
  call.session.on('agent_tool_end', () => { toolsRunning -= 1; lastActivity = Date.now(); });
  call.session.on('transport_event', () => { lastActivity = Date.now(); });

  const inFlight = (): number => call.events.filter((e) => e.type === 'response.created').length - call.events.filter((e) => e.type === 'response.done').length;
  /** A response that ended in a function call is followed by another once the output is back. */
  const awaitingFollowUp = (): boolean => {
    let lastDone = -1;
    call.events.forEach((e, i) => { if (e.type === 'response.done') lastDone = i; });
    if (lastDone < 0) return false;
    const output = ((call.events[lastDone]!.response as { output?: { type?: string }[] }).output ?? []);
    const status = (call.events[lastDone]!.response as { status?: string }).status;
    return status === 'completed' && output.some((o) => o.type === 'function_call')
      && !call.events.slice(lastDone + 1).some((e) => e.type === 'response.created');
  };
  /** The agent has nothing more to say: no response, no tool, no follow-up due, and quiet for a while. */
  const waitIdle = async (timeoutMs = 20_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (inFlight() === 0 && toolsRunning === 0 && !awaitingFollowUp() && Date.now() - lastActivity >= quietMs) return;
      await sleep(50);
    }
    throw new Error(`scenario ${scenario.id}: the agent never went quiet`);
  };

  if (scenario.opening.length > 0) {
    // The runtime asks for the greeting; the caller waits for it to start before anything else.
    call.transport.sendEvent({ type: 'response.create' });
    await call.waitEvent('response.created');
  }
  let turnStart = call.events.length;
  for (const turn of scenario.turns) {
    if (options.hangUps.length > 0) break;
    if (turn.bargeIn) {
      // Talk over the agent: `afterMs` after its reply starts.
      await call.waitEvent('response.output_audio.delta', () => true, turnStart, 20_000);
      await sleep(turn.bargeIn.afterMs);
    } else {
      await waitIdle();
      await call.waitPlayback();
      await sleep(turn.pauseMs);
    }
    turnStart = call.events.length;
    await call.say(turn.caller);
    await call.waitEvent('input_audio_buffer.committed', () => true, turnStart);
  }
  await waitIdle();
  let end: ObservedCall['end'];
  if (options.hangUps.length > 0) {
    end = { by: 'agent', ...(options.hangUps[0]!.reason ? { reason: options.hangUps[0]!.reason } : {}) };
  } else {
    await sleep(Math.min(scenario.hangUpAfterMs, 1000));
    end = options.hangUps.length > 0 ? { by: 'agent', ...(options.hangUps[0]!.reason ? { reason: options.hangUps[0]!.reason } : {}) } : { by: 'caller' };
  }

  const truncated = new Set(call.events.filter((e) => e.type === 'conversation.item.truncated').map((e) => e.item_id as string));
  const observed: ObservedCall = {
    toolCalls: options.recorder.list().map((i) => ({
      name: i.toolName,
      args: typeof i.arguments === 'string' ? JSON.parse(i.arguments) : i.arguments,
      ok: i.status === 'ok',
    })),
    handoffs,
    agentUtterances: call.history().filter((i) => i.type === 'message' && i.role === 'assistant').map(itemText).filter((t) => t.length > 0),
    interruptions: truncated.size,
    end,
  };
  return { observed, call };
}
