/** Live-call control every vertical may give its agents: hand the caller to a person, or hang up. */
import { z } from 'zod';
import { defineTool, ToolError, type ToolContext } from '../../src/toolkit/index.js';

function callControl(ctx: ToolContext): NonNullable<ToolContext['services']['call']> {
  const call = ctx.services.call;
  if (!call) {
    throw new ToolError('NO_LIVE_CALL', 'I can only do that during a live phone call.');
  }
  return call;
}

export const transferToHuman = defineTool({
  name: 'transfer_to_human',
  description:
    "Transfers the caller to a person at the business. Use it when the caller asks for a person, when you cannot help, or when they are upset. Tell the caller you are connecting them before calling it. " +
    'A warm transfer briefs the person first; if they do not take the call the caller stays with you: then apologise and offer to take a message (take_message).',
  input: z.object({
    reason: z.string().trim().min(1).max(300).describe("why the caller needs a person and what was already done, in a sentence, for the staff member's briefing"),
    announce: z.string().trim().min(1).max(300).optional().describe('what to say to the caller just before the transfer'),
    mode: z.enum(['cold', 'warm']).optional().describe("cold puts the caller straight through; warm briefs the person first (default: the business's setting)"),
  }),
  output: z.object({
    transferred: z.boolean(),
    mode: z.enum(['cold', 'warm']),
    failure: z.string().optional(),
    say: z.string().optional(),
  }),
  idempotent: false,
  // A warm transfer waits for the person: ring time (at most 60 s), the briefing, and the caller's return.
  timeoutMs: 150_000,
  // The number is configuration (manifest fallback.humanNumber via services.humanNumber), never a
  // model argument: a caller must not be able to talk the agent into dialling a number of their choice.
  async execute({ reason, announce, mode }, ctx) {
    const call = callControl(ctx);
    const target = ctx.services.humanNumber;
    if (!target) {
      throw new ToolError('NO_HUMAN_AVAILABLE', "There's no one available to take the call right now. Offer to take a message or help another way.");
    }
    let result;
    try {
      result = await call.transfer(target, { reason, ...(announce ? { announce } : {}), ...(mode ? { mode } : {}) });
    } catch (err) {
      ctx.logger.warn('transfer failed', { code: err instanceof Error && 'code' in err ? String(err.code) : 'UNKNOWN' });
      throw new ToolError('TRANSFER_FAILED', 'The transfer did not go through. Apologise, and offer to take a message (take_message) or to help another way.', { cause: err });
    }
    if (!result || result.transferred) return { transferred: true, mode: result?.mode ?? 'cold' };
    return {
      transferred: false, mode: result.mode, failure: result.failure,
      say: FAILURE_SAY[result.failure] ?? FAILURE_SAY.failed,
    };
  },
});

/** What the agent tells a caller who is back from a warm transfer that did not connect. */
const FAILURE_SAY: Record<string, string> = {
  no_answer: "I'm sorry, nobody picked up. Would you like me to take a message so they can call you back?",
  busy: "I'm sorry, the line is busy right now. Would you like me to take a message so they can call you back?",
  declined: "I'm sorry, they can't take the call right now. Would you like me to take a message so they can call you back?",
  timeout: "I'm sorry, I couldn't reach anyone. Would you like me to take a message so they can call you back?",
  failed: "I'm sorry, I couldn't connect you. Would you like me to take a message so they can call you back?",
};

export const endCall = defineTool({
  name: 'end_call',
  description:
    'Ends the phone call politely. Use it only when the caller is done (they said goodbye or confirmed they need nothing else).',
  input: z.object({
    goodbye: z.string().trim().min(1).max(300).optional().describe('the last thing to say before hanging up'),
    reason: z.string().trim().min(1).max(100).optional().describe('why the call is ending, e.g. caller_done'),
  }),
  output: z.object({ ended: z.literal(true) }),
  idempotent: false,
  timeoutMs: 15_000,
  async execute({ goodbye, reason }, ctx) {
    await callControl(ctx).hangUp({ ...(goodbye ? { goodbye } : {}), reason: reason ?? 'agent_ended' });
    return { ended: true as const };
  },
});
