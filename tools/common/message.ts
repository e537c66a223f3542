/** Messages and recording consent, for every vertical that wants them. */
import { z } from 'zod';
import { defineTool, ToolError } from '../../src/toolkit/index.js';

const PHONE = /^\+?[0-9][0-9 ()-]{5,20}$/;

export const takeMessage = defineTool({
  name: 'take_message',
  description:
    'Takes a message for the business when nobody could come to the phone: the caller\'s name, a number to call back (read it back first), and the message. ' +
    'The message is stored and the team is texted at once. Tell the caller it has been passed on.',
  input: z.object({
    callerName: z.string().trim().min(1).max(120).describe("the caller's name"),
    callbackNumber: z.string().trim().regex(PHONE, 'a phone number').optional().describe('where to call back, if not the number they called from'),
    message: z.string().trim().min(1).max(800).describe('the message, in the caller\'s words, short'),
  }),
  output: z.object({ taken: z.literal(true), messageId: z.number(), notified: z.boolean(), say: z.string() }),
  idempotent: false,
  timeoutMs: 15_000,
  async execute(input, ctx) {
    const messages = ctx.services.messages;
    if (!messages) throw new ToolError('NO_LIVE_CALL', 'I can only take a message during a live phone call.');
    const { messageId, notified } = await messages.take(
      { callerName: input.callerName, message: input.message, ...(input.callbackNumber ? { callbackNumber: input.callbackNumber } : {}) },
      ctx.idempotencyKey, ctx.signal,
    );
    return {
      taken: true as const, messageId, notified,
      say: notified ? "I've passed your message on; someone will get back to you." : "I've taken your message; the team will see it and get back to you.",
    };
  },
});

export const stopRecording = defineTool({
  name: 'stop_recording',
  description: "Stops recording this call. Use it at once when the caller objects to being recorded (\"don't record me\", \"stop recording\"), then carry on helping.",
  input: z.object({}),
  output: z.object({ recording: z.literal(false), say: z.string() }),
  idempotent: true,
  timeoutMs: 10_000,
  async execute(_input, ctx) {
    const recording = ctx.services.recording;
    if (!recording) return { recording: false as const, say: "This call isn't being recorded." };
    try {
      const { wasRecording } = await recording.stop();
      return { recording: false as const, say: wasRecording ? "I've stopped the recording." : "This call isn't being recorded." };
    } catch {
      throw new ToolError('RECORDING_STOP_FAILED', "I couldn't stop the recording just now. Apologise, and offer to end the call so they can call back.", { retryable: true });
    }
  },
});
