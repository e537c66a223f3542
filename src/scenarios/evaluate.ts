/**
 * Checking a finished call against a scenario's expectations. Whoever drove the call (the
 * emulator conformance suite, the call simulator over Twilio) reports what it observed in an
 * `ObservedCall`; rows are checked against the vertical's database.
 */
import { REDACTED, type Queryable } from '../shared/index.js';
import type { Scenario } from './schema.js';

export interface ObservedCall {
  /** Tool calls in the order they ran (handoffs excluded), with parsed arguments. */
  toolCalls: { name: string; args: unknown; ok?: boolean }[];
  /** Agents handed to, in order. */
  handoffs: string[];
  /** What the agent said, one entry per utterance (as heard: truncated utterances cut). */
  agentUtterances: string[];
  /** Agent utterances cut short by the caller. */
  interruptions: number;
  end?: { by: 'agent' | 'caller'; reason?: string };
  /** The language the call ended in, when the driver knows it. */
  language?: string;
}

export interface ScenarioFailure {
  /** Which expectation: `tools[1]`, `rows[0]`, `end.by`… */
  expectation: string;
  message: string;
}

/**
 * True when every key of `expected` is in `actual` with a matching value (objects compared as
 * subsets). A value the tool audit stored redacted (a field marked `sensitive`) matches any
 * expected scalar: the audit only shows that one was given; rows checks verify what it was.
 */
export function matchesSubset(expected: unknown, actual: unknown): boolean {
  if (actual === REDACTED && expected !== null && expected !== undefined && typeof expected !== 'object') return true;
  if (expected === null || typeof expected !== 'object') {
    if (typeof expected === 'string' && typeof actual === 'string') return expected === actual;
    return Object.is(expected, actual) || (typeof expected === 'number' && typeof actual === 'number' && expected === actual);
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matchesSubset(e, actual[i]));
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
  return Object.entries(expected as Record<string, unknown>).every(([k, v]) => matchesSubset(v, (actual as Record<string, unknown>)[k]));
}

const norm = (s: string): string => s.toLowerCase().replace(/[’']/g, "'").replace(/\s+/g, ' ');

export async function evaluateScenario(scenario: Scenario, observed: ObservedCall, db?: Queryable): Promise<ScenarioFailure[]> {
  const failures: ScenarioFailure[] = [];
  const fail = (expectation: string, message: string): void => void failures.push({ expectation, message });
  const e = scenario.expect;

  let from = 0;
  e.tools.forEach((want, i) => {
    const at = observed.toolCalls.findIndex((c, j) => j >= from && c.name === want.name && (want.args === undefined || matchesSubset(want.args, c.args)));
    if (at < 0) {
      const seen = observed.toolCalls.filter((c) => c.name === want.name).map((c) => JSON.stringify(c.args));
      fail(`tools[${i}]`, seen.length > 0
        ? `${want.name} was called, but not with ${JSON.stringify(want.args)} after the earlier expected calls (saw ${seen.join(', ')})`
        : `${want.name} was not called (calls: ${observed.toolCalls.map((c) => c.name).join(', ') || 'none'})`);
    } else {
      from = at + 1;
    }
  });
  e.notTools.forEach((name, i) => {
    if (observed.toolCalls.some((c) => c.name === name)) fail(`notTools[${i}]`, `${name} was called`);
  });

  let h = 0;
  e.handoffs.forEach((agent, i) => {
    const at = observed.handoffs.indexOf(agent, h);
    if (at < 0) fail(`handoffs[${i}]`, `no handoff to ${agent} (handoffs: ${observed.handoffs.join(' → ') || 'none'})`);
    else h = at + 1;
  });

  const said = norm(observed.agentUtterances.join(' \n '));
  e.agentSays.forEach((phrase, i) => {
    if (!said.includes(norm(phrase))) fail(`agentSays[${i}]`, `the agent never said "${phrase}"`);
  });
  e.agentNotSaid.forEach((phrase, i) => {
    if (said.includes(norm(phrase))) fail(`agentNotSaid[${i}]`, `the record has the agent saying "${phrase}", which the caller never heard`);
  });

  if (e.interruptions !== undefined && observed.interruptions < e.interruptions) {
    fail('interruptions', `expected at least ${e.interruptions} interrupted utterance(s), saw ${observed.interruptions}`);
  }

  if (e.end) {
    if (!observed.end) fail('end', 'the call did not end');
    else {
      if (e.end.by && observed.end.by !== e.end.by) fail('end.by', `ended by the ${observed.end.by}, expected the ${e.end.by}`);
      if (e.end.reason && observed.end.reason !== e.end.reason) fail('end.reason', `ended with reason "${observed.end.reason ?? 'none'}", expected "${e.end.reason}"`);
    }
  }

  if (e.language !== undefined && observed.language !== e.language) {
    fail('language', `the call ended in ${observed.language ?? 'an unrecorded language'}, expected ${e.language}`);
  }

  for (const [i, row] of e.rows.entries()) {
    if (!db) {
      fail(`rows[${i}]`, 'no database to check rows against');
      continue;
    }
    try {
      const result = await db.query(row.sql, row.params);
      const n = result.rows.length;
      if (row.expectRows === undefined ? n < 1 : n !== row.expectRows) {
        fail(`rows[${i}]`, `query returned ${n} row(s), expected ${row.expectRows ?? 'at least 1'}`);
      }
    } catch (err) {
      fail(`rows[${i}]`, `query failed: ${(err as Error).message}`);
    }
  }
  return failures;
}
