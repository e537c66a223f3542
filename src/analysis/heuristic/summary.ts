/**
 * An extractive summary: who called, what they wanted (their first substantive sentence, quoted),
 * what was done (tools that succeeded or failed, handoffs) and how the call ended. Phone-number-like
 * digit runs are masked: summaries are shown by the CLI.
 */
import type { Manifest } from '../../manifest/index.js';
import { HOUSEKEEPING_TOOLS, type CallFacts } from '../facts.js';
import type { CallBundle } from '../types.js';
import { clip, maskPhoneNumbers } from './text.js';

const NAME_KEYS = ['caller_name', 'customer_name', 'client_name', 'patient_name', 'full_name', 'name', 'first_name'];

export function formatDurationMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return 'an unknown time';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
}

function callerName(args: Map<string, unknown>): string | undefined {
  for (const key of NAME_KEYS) {
    const v = args.get(key);
    if (typeof v === 'string' && v.trim() && !/\d{3,}/.test(v)) return clip(v.trim(), 60);
  }
  return undefined;
}

/** The caller's first line of four words or more (greetings are shorter), else their first line. */
export function firstRequest(lines: readonly string[]): string | undefined {
  return lines.find((l) => l.split(/\s+/).filter(Boolean).length >= 4) ?? lines[0];
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export interface SummaryInput {
  bundle: CallBundle;
  manifest: Pick<Manifest, 'name'>;
  facts: CallFacts;
  intent: string;
  args: Map<string, unknown>;
}

export function buildSummary({ bundle, manifest, facts, intent, args }: SummaryInput): string {
  const parts: string[] = [];
  const who = callerName(args);
  const request = firstRequest(facts.callerLines);
  const opener = `${who ?? 'A caller'} called ${manifest.name}`;
  if (request) {
    const quoted = clip(request, 160);
    parts.push(`${opener} and said: "${quoted}"${/[.!?…]$/.test(quoted) ? '' : '.'}`);
  } else {
    parts.push(`${opener}.`);
  }
  parts.push(`Intent: ${intent.replace(/_/g, ' ')}.`);

  // Hanging up is told by the last sentence; it is not something done for the caller.
  const ok = [...facts.toolsSucceeded].filter((t) => !HOUSEKEEPING_TOOLS.has(t));
  const failed = [...facts.toolsUsed].filter((t) => !facts.toolsSucceeded.has(t) && !HOUSEKEEPING_TOOLS.has(t));
  if (ok.length > 0) parts.push(`Done: ${list(ok)}.`);
  if (failed.length > 0) parts.push(`Did not succeed: ${list(failed)}.`);
  if (bundle.handoffs.length > 0) {
    parts.push(`Handed over: ${bundle.handoffs.map((h) => `${h.fromAgent} → ${h.toAgent}`).join(', ')}.`);
  }
  const { status, endReason, durationMs } = bundle.call;
  const how = status === 'failed' ? 'failed' : 'ended';
  parts.push(`The call ${how}${endReason ? ` (${endReason.replace(/_/g, ' ')})` : ''} after ${formatDurationMs(durationMs)}.`);
  return maskPhoneNumbers(parts.join(' '));
}

/** The brief record of a call too short to analyse. */
export function shortSummary(bundle: CallBundle, facts: CallFacts, minCallerTurns: number): string {
  const { status, endReason, durationMs } = bundle.call;
  const turns = `${facts.callerTurnCount} caller turn${facts.callerTurnCount === 1 ? '' : 's'}`;
  return `Short call: ${turns} (fewer than ${minCallerTurns}); it ${status === 'failed' ? 'failed' : 'ended'}` +
    `${endReason ? ` (${endReason.replace(/_/g, ' ')})` : ''} after ${formatDurationMs(durationMs)}.`;
}
