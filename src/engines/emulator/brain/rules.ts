/**
 * The rule-based brain: a free, offline stand-in for a language model. It picks a handoff or a
 * tool by matching the caller's words against the session's tool and handoff descriptions,
 * fills the arguments it can find, asks for what is missing, and reads tool results back in a
 * short sentence. It says plainly that it is an offline rule-based stand-in.
 */
import type { ConversationItem } from '../conversation.js';
import type { WireFunctionTool } from '../sessionConfig.js';
import type { BrainReply, BrainSession, BrainTurnContext, CallerInput } from './types.js';
import { askFor, extractField, fieldsOf, type FieldSpec } from './extract.js';
import { asksWhatItIs, contentStems, humanize, matchScore, shorten, soundsLikeGoodbye } from './words.js';
import { END_CALL_TOOL } from '../../../scenarios/index.js';

export const HONEST_INTRO = "I'm an offline rule-based stand-in, not a language model";

export interface RulesBrainOptions {
  /** Transcripts for committed speech, by caller input index (e.g. a scenario's caller turns). */
  transcripts?: readonly string[];
}

interface Pending {
  tool: WireFunctionTool;
  args: Record<string, unknown>;
  asking?: string;
}

function functionTools(tools: readonly unknown[]): WireFunctionTool[] {
  return tools.filter((t): t is WireFunctionTool => typeof t === 'object' && t !== null && (t as { type?: unknown }).type === 'function');
}

/** The caller's words in a user message item, or null when it has none. */
export function callerWords(item: ConversationItem): string | null {
  if (item.type !== 'message' || item.role !== 'user') return null;
  const parts = (item.content ?? []).map((c) => (c.type === 'input_text' ? c.text : c.transcript) ?? '').filter((s) => s.length > 0);
  return parts.length > 0 ? parts.join(' ') : null;
}

/** Text a `response.instructions` asks to be said: a quoted phrase, or what follows "say:". */
export function speakableFromInstructions(instructions: string): string | undefined {
  const quoted = [...instructions.matchAll(/"([^"]{2,600})"|“([^”]{2,600})”/g)].map((m) => m[1] ?? m[2] ?? '');
  if (quoted.length > 0) return quoted.reduce((a, b) => (b.length > a.length ? b : a));
  const said = /\b(?:say|greet the caller with|speak|read out)(?: exactly| verbatim)?\s*:\s*(.+)$/is.exec(instructions);
  return said ? said[1]!.trim() : undefined;
}

/** A tool result in one short sentence. */
export function describeResult(toolName: string, output: string): string {
  let data: unknown;
  try {
    data = JSON.parse(output);
  } catch {
    return shorten(output || `${humanize(toolName)} is done.`);
  }
  if (typeof data === 'string') return shorten(data);
  if (typeof data === 'number' || typeof data === 'boolean') return `The answer is ${String(data)}.`;
  if (Array.isArray(data)) {
    if (data.length === 0) return "I couldn't find anything for that.";
    const labels = data.slice(0, 3).map(label).filter(Boolean);
    return shorten(`I found ${data.length} option${data.length === 1 ? '' : 's'}${labels.length ? `: ${labels.join('; ')}` : ''}.`, 220);
  }
  if (data && typeof data === 'object') {
    const o = data as Record<string, unknown>;
    const err = o.error ?? (o.ok === false ? o.message : undefined);
    if (err !== undefined) return shorten(`Sorry, that didn't work: ${typeof err === 'string' ? err : label(err)}.`);
    for (const key of ['message', 'summary', 'answer', 'text', 'result']) {
      if (typeof o[key] === 'string' && o[key]) return shorten(o[key] as string, 220);
    }
    for (const [, v] of Object.entries(o)) {
      if (Array.isArray(v)) return describeResult(toolName, JSON.stringify(v));
    }
    const facts = Object.entries(o).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v)).slice(0, 3)
      .map(([k, v]) => `${k.replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} ${String(v)}`);
    return shorten(facts.length ? `Done. ${facts.join(', ')}.` : `${humanize(toolName)} is done.`, 220);
  }
  return `${humanize(toolName)} is done.`;
}

function label(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'object') return String(v);
  const o = v as Record<string, unknown>;
  for (const key of ['name', 'title', 'label', 'description', 'start', 'starts_at', 'time', 'date', 'id']) {
    if (typeof o[key] === 'string' || typeof o[key] === 'number') return String(o[key]);
  }
  const first = Object.values(o).find((x) => typeof x === 'string' || typeof x === 'number');
  return first === undefined ? '' : String(first);
}

export class RulesBrainSession implements BrainSession {
  private readonly transcripts: readonly string[];
  private readonly words = new Map<number, string>();
  private pending: Pending | undefined;
  private introduced = false;
  private lastCaller: string | null = null;

  constructor(options: RulesBrainOptions = {}) {
    this.transcripts = options.transcripts ?? [];
  }

  callerInput(input: CallerInput): string | null {
    const text = input.kind === 'text' ? input.text : this.transcripts[input.index] ?? null;
    if (text !== null) this.words.set(input.index, text);
    return text;
  }

  respond(ctx: BrainTurnContext): BrainReply {
    let lastUser: ConversationItem | undefined;
    let lastOutput: ConversationItem | undefined;
    for (const item of ctx.newItems) {
      if (item.type === 'message' && item.role === 'user') {
        lastUser = item;
        lastOutput = undefined;
      } else if (item.type === 'function_call_output') {
        lastOutput = item;
      }
    }
    if (lastOutput) return this.afterToolOutput(ctx, lastOutput);
    if (lastUser) {
      const words = callerWords(lastUser);
      if (words === null || words.trim() === '') {
        return { say: this.intro("Sorry, I didn't catch that. Could you say it again?") };
      }
      this.lastCaller = words;
      return this.onCallerWords(ctx, words);
    }
    const instructed = ctx.responseInstructions ? speakableFromInstructions(ctx.responseInstructions) : undefined;
    if (instructed) return { say: instructed };
    if (!this.introduced) {
      this.introduced = true;
      return { say: `Hello, thanks for calling. ${HONEST_INTRO}. How can I help you today?` };
    }
    return { say: 'Is there anything else I can help you with?' };
  }

  private intro(text: string): string {
    if (this.introduced) return text;
    this.introduced = true;
    return `${HONEST_INTRO}. ${text}`;
  }

  private onCallerWords(ctx: BrainTurnContext, words: string): BrainReply {
    const tools = functionTools(ctx.session.tools);
    if (asksWhatItIs(words)) {
      this.introduced = true;
      return { say: `${HONEST_INTRO}: I follow simple rules to pick a tool or a colleague for your request, and I can make mistakes. How can I help?` };
    }
    if (this.pending && tools.some((t) => t.name === this.pending!.tool.name)) {
      return this.fillPending(ctx, words);
    }
    this.pending = undefined;
    const endCall = tools.find((t) => t.name === END_CALL_TOOL);
    if (soundsLikeGoodbye(words)) {
      if (endCall) return this.callOrAsk(ctx, endCall, 'Thank you for calling. Goodbye.', words, { reason: 'The caller said goodbye.' });
      return { say: 'Thank you for calling. Goodbye.' };
    }
    const match = this.bestMatch(tools.filter((t) => t.name !== END_CALL_TOOL), words);
    if (!match) {
      const offers = tools.filter((t) => t.name !== END_CALL_TOOL).slice(0, 4).map((t) => humanize(t.name));
      const menu = offers.length > 0 ? ` I can help with: ${offers.join(', ')}.` : '';
      return { say: this.intro(`I'm not sure I understood.${menu} Could you say that another way?`) };
    }
    if (match.name.startsWith('transfer_to_')) {
      return { say: `Let me transfer you to ${humanize(match.name)}.`, toolCall: { name: match.name, arguments: JSON.stringify(this.fill(ctx, match, words, {}).args) } };
    }
    return this.callOrAsk(ctx, match, 'One moment while I check that.', words, {});
  }

  private bestMatch(tools: WireFunctionTool[], words: string): WireFunctionTool | undefined {
    const stems = contentStems(words);
    let best: WireFunctionTool | undefined;
    let bestScore = 0;
    for (const t of tools) {
      const score = matchScore(stems, t.name, t.description ?? '');
      if (score > bestScore) {
        best = t;
        bestScore = score;
      }
    }
    return best;
  }

  private fill(ctx: BrainTurnContext, tool: WireFunctionTool, words: string, defaults: Record<string, unknown>, asking?: string): { args: Record<string, unknown>; missing: FieldSpec[] } {
    const fields = fieldsOf(tool.parameters);
    const args: Record<string, unknown> = { ...(this.pending?.tool.name === tool.name ? this.pending.args : {}) };
    const missing: FieldSpec[] = [];
    for (const f of fields) {
      if (args[f.name] === undefined) {
        const v = extractField(f, words, ctx.now, f.name === asking);
        if (v !== undefined) args[f.name] = v;
        else if (defaults[f.name] !== undefined) args[f.name] = defaults[f.name];
      }
      if (args[f.name] === undefined) {
        if (f.required) missing.push(f);
        else if (f.nullable) args[f.name] = null;
      }
    }
    return { args, missing };
  }

  private callOrAsk(ctx: BrainTurnContext, tool: WireFunctionTool, sayFirst: string, words: string, defaults: Record<string, unknown>, asking?: string): BrainReply {
    const { args, missing } = this.fill(ctx, tool, words, defaults, asking);
    const first = missing[0];
    if (first) {
      this.pending = { tool, args, asking: first.name };
      return { say: this.intro(askFor(first)) };
    }
    this.pending = undefined;
    return { say: sayFirst, toolCall: { name: tool.name, arguments: JSON.stringify(args) } };
  }

  private fillPending(ctx: BrainTurnContext, words: string): BrainReply {
    const pending = this.pending!;
    return this.callOrAsk(ctx, pending.tool, 'Thank you, one moment.', words, {}, pending.asking);
  }

  private afterToolOutput(ctx: BrainTurnContext, output: ConversationItem): BrainReply {
    const call = ctx.items.find((i) => i.type === 'function_call' && i.call_id === output.call_id);
    const name = call?.name ?? 'the tool';
    const text = typeof output.output === 'string' ? output.output : '';
    if (name.startsWith('transfer_to_')) {
      let agent = humanize(name);
      try {
        const parsed = JSON.parse(text) as { assistant?: unknown };
        if (typeof parsed.assistant === 'string') agent = parsed.assistant;
      } catch {
        // The SDK's transfer message is JSON; anything else keeps the name from the tool.
      }
      this.pending = undefined;
      const hello = `Hello, this is ${agent}. ${HONEST_INTRO}.`;
      // Carry on with what the caller asked for, now with this agent's tools.
      const tools = functionTools(ctx.session.tools).filter((t) => !t.name.startsWith('transfer_to_') && t.name !== END_CALL_TOOL);
      const match = this.lastCaller ? this.bestMatch(tools, this.lastCaller) : undefined;
      if (match && this.lastCaller) {
        const next = this.callOrAsk(ctx, match, 'One moment while I check that.', this.lastCaller, {});
        return { ...next, say: `${hello} ${next.say ?? ''}`.trim() };
      }
      return { say: `${hello} How can I help?` };
    }
    if (name === END_CALL_TOOL) return {};
    return { say: `${describeResult(name, text)} Is there anything else?` };
  }
}

export const rulesBrain = {
  kind: 'rules' as const,
  create: (options: RulesBrainOptions = {}): RulesBrainSession => new RulesBrainSession(options),
};
