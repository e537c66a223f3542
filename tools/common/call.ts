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
    "Transfers the caller to a person at the business. Use it when the caller asks for a person, when you cannot help, or when they are upset. Tell the caller you are connecting them before calling it.",
  input: z.object({
    reason: z.string().trim().min(1).max(300).describe('why the caller needs a person, in a few words, for the staff member'),
    announce: z.string().trim().min(1).max(300).optional().describe('what to say to the caller just before the transfer'),
  }),
  output: z.object({ transferred: z.literal(true) }),
  idempotent: false,
  timeoutMs: 15_000,
  // The number is configuration (manifest fallback.humanNumber via services.humanNumber), never a
  // model argument: a caller must not be able to talk the agent into dialling a number of their choice.
  async execute({ reason, announce }, ctx) {
    const call = callControl(ctx);
    const target = ctx.services.humanNumber;
    if (!target) {
      throw new ToolError('NO_HUMAN_AVAILABLE', "There's no one available to take the call right now. Offer to take a message or help another way.");
    }
    await call.transfer(target, { reason, ...(announce ? { announce } : {}) });
    return { transferred: true as const };
  },
});

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
