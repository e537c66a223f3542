/**
 * A scenario's `expect:` block checked against what happened. The simulator turns its own view
 * of the call (who hung up) and the stored record (tools, handoffs, transcript, end reason) into
 * the scenarios area's `ObservedCall` and lets `evaluateScenario` judge it (the same rules the
 * emulator suite uses); rows are queried in the vertical's schema. Every expectation is listed,
 * passed or failed, plus the simulator's own protocol checks.
 */
import type { Queryable } from '../store/index.js';
import { END_CALL_TOOL, evaluateScenario, type ObservedCall, type Scenario } from '../scenarios/index.js';
import type { SimulatedCall } from './call.js';
import type { StoredCall } from '../store/index.js';

export interface Check {
  ok: boolean;
  what: string;
  detail?: string;
}

function parseArgs(args: unknown): unknown {
  if (typeof args !== 'string') return args;
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

/** The language a stored call ended in: its last recorded switch, else nothing recorded (the default). */
function callLanguage(stored: StoredCall): { language?: string } {
  const lang = stored.call.metadata.language as { current?: unknown } | undefined;
  return typeof lang?.current === 'string' ? { language: lang.current } : {};
}

/** The stored record as the scenario rules see it. */
export function observedFromRecord(sim: SimulatedCall, stored: StoredCall): ObservedCall {
  const observed: ObservedCall = {
    toolCalls: stored.tools.map((t) => ({ name: t.toolName, args: parseArgs(t.arguments), ok: t.status === 'ok' })),
    handoffs: stored.handoffs.map((h) => h.toAgent),
    agentUtterances: stored.transcript.filter((t) => t.role === 'assistant').map((t) => t.text),
    interruptions: stored.transcript.filter((t) => t.role === 'assistant' && t.interrupted).length,
    ...callLanguage(stored),
  };
  if (sim.endedBy) {
    // The reason an agent gave for ending the call is the end_call tool's `reason` argument
    // (what the emulator suite reports too); otherwise the end reason on the call row.
    const endCall = sim.endedBy === 'agent' ? [...stored.tools].reverse().find((t) => t.toolName === END_CALL_TOOL) : undefined;
    const toolReason = (parseArgs(endCall?.arguments) as { reason?: unknown } | undefined)?.reason;
    const reason = typeof toolReason === 'string' ? toolReason : stored.call.endReason;
    observed.end = { by: sim.endedBy === 'agent' ? 'agent' : 'caller', ...(reason ? { reason } : {}) };
  }
  return observed;
}

const short = (v: unknown) => {
  const s = JSON.stringify(v);
  return s.length > 100 ? `${s.slice(0, 97)}...` : s;
};

/** One line per expectation, keyed as evaluateScenario names them. */
function expectationLines(scenario: Scenario): Array<{ key: string; what: string }> {
  const e = scenario.expect;
  const lines: Array<{ key: string; what: string }> = [];
  e.tools.forEach((t, i) => lines.push({ key: `tools[${i}]`, what: `tool ${t.name}${t.args ? ` with ${short(t.args)}` : ''} was called` }));
  e.notTools.forEach((t, i) => lines.push({ key: `notTools[${i}]`, what: `tool ${t} was not called` }));
  e.handoffs.forEach((h, i) => lines.push({ key: `handoffs[${i}]`, what: `handed off to ${h}` }));
  e.agentSays.forEach((p, i) => lines.push({ key: `agentSays[${i}]`, what: `the agent said "${p}"` }));
  e.agentNotSaid.forEach((p, i) => lines.push({ key: `agentNotSaid[${i}]`, what: `the record does not have the agent saying "${p}"` }));
  if (e.interruptions !== undefined) lines.push({ key: 'interruptions', what: `at least ${e.interruptions} agent utterance(s) cut short` });
  if (e.end?.by) lines.push({ key: 'end.by', what: `the ${e.end.by} ended the call` });
  if (e.end?.reason) lines.push({ key: 'end.reason', what: `the call ended with reason ${e.end.reason}` });
  if (e.language) lines.push({ key: 'language', what: `the call ended in ${e.language}` });
  e.rows.forEach((r, i) => lines.push({ key: `rows[${i}]`, what: `${r.expectRows === undefined ? 'rows exist' : `${r.expectRows} row(s)`}: ${r.sql.replace(/\s+/g, ' ').trim()}` }));
  return lines;
}

/**
 * Every check of one simulated call. `stored` undefined means records were not read (then only
 * the simulator's own checks run); null means no row was found.
 */
export async function checkScenario(scenario: Scenario, sim: SimulatedCall, stored: StoredCall | null | undefined, db?: Queryable): Promise<Check[]> {
  const checks: Check[] = [];
  if (!sim.answered) {
    checks.push({ ok: false, what: 'the gateway answered with a media stream', detail: `it hung up${sim.apology ? `: "${sim.apology}"` : ''}` });
    return checks;
  }
  checks.push({ ok: true, what: 'the gateway answered with a media stream' });
  checks.push(sim.problems.length === 0
    ? { ok: true, what: 'the gateway spoke the Media Streams protocol correctly' }
    : { ok: false, what: 'the gateway spoke the Media Streams protocol correctly', detail: sim.problems.slice(0, 3).join('; ') });
  if (stored === undefined) return checks;
  if (stored === null) {
    checks.push({ ok: false, what: 'a call record exists', detail: `no call row for ${sim.callSid}` });
    return checks;
  }
  const final = stored.call.status === 'completed' || stored.call.status === 'failed';
  checks.push({ ok: final, what: 'the call record is finalised', ...(final ? {} : { detail: `status is ${stored.call.status}` }) });

  const failures = await evaluateScenario(scenario, observedFromRecord(sim, stored), db);
  for (const line of expectationLines(scenario)) {
    const failed = failures.filter((f) => f.expectation === line.key || (f.expectation === 'end' && line.key.startsWith('end.')));
    checks.push(failed.length === 0 ? { ok: true, what: line.what } : { ok: false, what: line.what, detail: failed.map((f) => f.message).join('; ') });
  }
  // Anything evaluateScenario reports that no line above covers.
  const covered = new Set(expectationLines(scenario).map((l) => l.key));
  for (const f of failures) {
    if (!covered.has(f.expectation) && !(f.expectation === 'end' && scenario.expect.end)) checks.push({ ok: false, what: f.expectation, detail: f.message });
  }
  return checks;
}
