/** The facts of a finished call that the rules read: who said what, which tools ran, who took over. */
import { normaliseText } from './heuristic/text.js';
import { callerTurns, type CallBundle } from './types.js';

/** Tools that manage the call itself rather than serve the caller: not a sign of intent, not work done. */
export const HOUSEKEEPING_TOOLS: ReadonlySet<string> = new Set(['end_call']);

export interface CallFacts {
  callerLines: string[];
  callerTurnCount: number;
  /** Every caller line normalised into one searchable string. */
  callerText: string;
  /** Tools the model actually called (any outcome except refused arguments). */
  toolsUsed: Set<string>;
  /** Tools that finished `ok`. */
  toolsSucceeded: Set<string>;
  /** Agents the call was handed to. */
  handoffTargets: Set<string>;
}

export function callFacts(bundle: CallBundle): CallFacts {
  const callerLines = callerTurns(bundle).map((t) => t.text.trim());
  const toolsUsed = new Set<string>();
  const toolsSucceeded = new Set<string>();
  for (const t of bundle.tools) {
    if (t.status !== 'invalid_arguments') toolsUsed.add(t.toolName);
    if (t.status === 'ok') toolsSucceeded.add(t.toolName);
  }
  return {
    callerLines,
    callerTurnCount: callerLines.length,
    callerText: normaliseText(callerLines.join(' \n ')),
    toolsUsed,
    toolsSucceeded,
    handoffTargets: new Set(bundle.handoffs.map((h) => h.toAgent)),
  };
}
