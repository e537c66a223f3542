/**
 * What the person hears before a warm transfer connects them: who is calling about what, in the
 * caller's words, and what the agent already did. Deterministic (built from the call's own
 * records: the replay log of transcript items and tool results), so it works offline and costs
 * no model call; the `reason` the agent gave the transfer tool is the model-written part. It is
 * spoken to the person through the carrier and never logged.
 */
import type { ReplayItem } from '../engines/index.js';

/** The replay log's wording for a finished tool call (sessionEvents.ts). */
const TOOL_RESULT = /^Earlier in this call the tool ([a-z0-9_]+) returned: ([\s\S]*)$/;
/** Tools that are about the call itself, not the caller's business. */
const CALL_TOOLS = new Set(['transfer_to_human', 'end_call', 'take_message', 'stop_recording']);
const MAX_QUOTE_WORDS = 30;
const MAX_DONE = 4;

export interface BriefingInput {
  /** The business line's name (manifest `name`). */
  line: string;
  /** Why the caller needs a person, as the agent put it. */
  reason: string;
  conversation: readonly ReplayItem[];
}

function words(text: string, max: number): string {
  const all = text.trim().split(/\s+/);
  return all.length <= max ? all.join(' ') : `${all.slice(0, max).join(' ')}…`;
}

/** `salon_book_appointment` → `book appointment` (the vertical prefix dropped when there are more words). */
function humanize(tool: string): string {
  const parts = tool.split('_');
  return (parts.length > 2 ? parts.slice(1) : parts).join(' ');
}

function succeeded(result: string): boolean {
  try {
    const v: unknown = JSON.parse(result);
    return typeof v === 'object' && v !== null && !('error' in v);
  } catch {
    return false;
  }
}

/** Tools that finished well, in order, once each. */
export function toolsDone(conversation: readonly ReplayItem[]): string[] {
  const done: string[] = [];
  for (const item of conversation) {
    if (item.role !== 'system') continue;
    const m = TOOL_RESULT.exec(item.text);
    if (!m || CALL_TOOLS.has(m[1]!) || m[1]!.startsWith('transfer_to_') || !succeeded(m[2]!)) continue;
    const name = humanize(m[1]!);
    if (!done.includes(name)) done.push(name);
  }
  return done;
}

export function buildBriefing(input: BriefingInput): string {
  const said = input.conversation.filter((i) => i.role === 'caller' && i.text.trim().split(/\s+/).length >= 3);
  const quote = said.length ? words(said[said.length - 1]!.text, MAX_QUOTE_WORDS) : undefined;
  const done = toolsDone(input.conversation).slice(0, MAX_DONE);
  return [
    `Transfer from the ${input.line} assistant.`,
    `The caller needs: ${words(input.reason, 40).replace(/[.\s]+$/, '')}.`,
    quote ? `In their words: ${quote}` : '',
    done.length ? `Already done on this call: ${done.join(', ')}.` : 'Nothing has been done on the call yet.',
  ].filter(Boolean).join(' ');
}
