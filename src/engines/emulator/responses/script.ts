/**
 * What the model says in one Responses request, decided from the request alone (the peer keeps
 * no state between requests, as a client that resends its history expects): the caller turn
 * is found by pairing the user messages with the scenario's caller turns (the same rule as the
 * realtime brain), the step within that turn's script by counting the model's responses since
 * the last user message (a message, a function call or a handoff, or a message followed by a
 * call, is one response). When the script has nothing left, the rule-based brain answers.
 */
import type { Scenario } from '../../../scenarios/index.js';
import type { ConversationItem } from '../conversation.js';
import { defaultSession, type SessionResource } from '../sessionConfig.js';
import { RulesBrainSession } from '../brain/rules.js';
import { pairCallerTurn, stepReply } from '../brain/scripted.js';
import type { BrainReply } from '../brain/types.js';
import type { FunctionToolParam, InputItem, MessageInput, FunctionCallInput, FunctionCallOutputInput } from './request.js';

/** An input item reduced to what the brains read. */
export type Turn =
  | { kind: 'user'; text: string }
  | { kind: 'assistant'; text: string }
  | { kind: 'call'; callId: string; name: string; arguments: string }
  | { kind: 'output'; callId: string; output: string };

function textOf(content: MessageInput['content'] | FunctionCallOutputInput['output']): string {
  if (typeof content === 'string') return content;
  return content.map((p) => (typeof p.text === 'string' ? p.text : '')).filter((t) => t !== '').join(' ');
}

/** The conversation turns of the input (system and developer messages, reasoning and the like are not turns). */
export function turnsOf(input: string | readonly InputItem[] | undefined): Turn[] {
  if (input === undefined) return [];
  if (typeof input === 'string') return [{ kind: 'user', text: input }];
  const out: Turn[] = [];
  for (const item of input) {
    if (item.type === 'function_call') {
      const c = item as FunctionCallInput;
      out.push({ kind: 'call', callId: c.call_id, name: c.name, arguments: c.arguments });
    } else if (item.type === 'function_call_output') {
      const o = item as FunctionCallOutputInput;
      out.push({ kind: 'output', callId: o.call_id, output: textOf(o.output) });
    } else if ('role' in item && (item.type === undefined || item.type === 'message')) {
      const m = item as MessageInput;
      if (m.role === 'user') out.push({ kind: 'user', text: textOf(m.content) });
      else if (m.role === 'assistant') out.push({ kind: 'assistant', text: textOf(m.content) });
    }
  }
  return out;
}

/** Where the script stands: the scenario turn (-1: the opening) and the responses already made in it. */
export function scriptPosition(scenario: Scenario, turns: readonly Turn[]): { turn: number; step: number } {
  let turn = -1;
  let users = 0;
  let lastUser = -1;
  turns.forEach((t, i) => {
    if (t.kind !== 'user') return;
    turn = pairCallerTurn(scenario, users++, turn, t.text);
    lastUser = i;
  });
  let step = 0;
  let openMessage = false;
  for (const t of turns.slice(lastUser + 1)) {
    if (t.kind === 'assistant') {
      if (openMessage) step += 1;
      openMessage = true;
    } else if (t.kind === 'call') {
      step += 1;
      openMessage = false;
    }
  }
  if (openMessage) step += 1;
  return { turn, step };
}

export interface ReplyContext {
  scenario: Scenario | undefined;
  input: string | readonly InputItem[] | undefined;
  instructions: string | null | undefined;
  tools: readonly FunctionToolParam[];
  now: Date;
  /**
   * Whether the `fault` step at (turn, step) happens now; false skips it. Absent, every fault
   * step happens (a stateless peer cannot know a retry from a first try; see the handler).
   */
  fireFault?: (turn: number, step: number) => boolean;
}

/** The script's next step, or the rule-based brain's answer. */
export function replyFor(ctx: ReplyContext): BrainReply {
  const turns = turnsOf(ctx.input);
  if (ctx.scenario) {
    const { turn, step } = scriptPosition(ctx.scenario, turns);
    const steps = turn < 0 ? ctx.scenario.opening : ctx.scenario.turns[turn]?.agent ?? [];
    let at = step;
    while (steps[at]?.fault && ctx.fireFault && !ctx.fireFault(turn, at)) at += 1;
    const next = steps[at];
    if (next) return stepReply(next);
  }
  return rulesReply(ctx, turns);
}

function rulesReply(ctx: ReplyContext, turns: readonly Turn[]): BrainReply {
  const brain = new RulesBrainSession(ctx.scenario ? { transcripts: ctx.scenario.turns.map((t) => t.caller) } : {});
  const items: ConversationItem[] = [];
  let lastModelOutput = -1;
  let callerInputs = 0;
  turns.forEach((t, i) => {
    const id = `item_${i}`;
    if (t.kind === 'user') {
      brain.callerInput({ kind: 'text', index: callerInputs++, text: t.text });
      items.push({ id, object: 'realtime.item', type: 'message', role: 'user', content: [{ type: 'input_text', text: t.text }] });
    } else if (t.kind === 'assistant') {
      lastModelOutput = i;
      items.push({ id, object: 'realtime.item', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: t.text }] });
    } else if (t.kind === 'call') {
      lastModelOutput = i;
      items.push({ id, object: 'realtime.item', type: 'function_call', name: t.name, call_id: t.callId, arguments: t.arguments });
    } else {
      items.push({ id, object: 'realtime.item', type: 'function_call_output', call_id: t.callId, output: t.output });
    }
  });
  const session: SessionResource = { ...defaultSession(), instructions: ctx.instructions ?? '', tools: [...ctx.tools] as SessionResource['tools'] };
  return brain.respond({ session, items, newItems: items.slice(lastModelOutput + 1), now: ctx.now });
}
