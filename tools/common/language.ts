/** The caller asks for another language ("can we speak English?"): the call switches voice, instructions and lines. */
import { z } from 'zod';
import { defineTool, ToolError } from '../../src/toolkit/index.js';

export const switchLanguage = defineTool({
  name: 'switch_language',
  description:
    'Switches the call to another language when the caller asks for it (for example "can we speak Spanish?"). '
    + 'After it returns, continue the conversation in that language.',
  input: z.object({
    language: z.string().trim().min(2).max(40).describe('the language wanted: a code like "es" or "en-US", or its English name like "Spanish"'),
  }),
  output: z.object({ switched: z.boolean(), language: z.string() }),
  idempotent: true,
  timeoutMs: 10_000,
  async execute({ language }, ctx) {
    const service = ctx.services.language;
    if (!service) throw new ToolError('NO_LIVE_CALL', 'I can only change the language during a live call.');
    const outcome = await service.switchTo(language);
    if (outcome.reason === 'unsupported') {
      throw new ToolError('LANGUAGE_NOT_SUPPORTED', `This line does not offer that language. Say so politely and offer the ones it does: ${service.supported().join(', ')}.`);
    }
    if (outcome.reason === 'failed') throw new ToolError('LANGUAGE_SWITCH_FAILED', 'The language could not be changed just now. Carry on in the current language.');
    return { switched: outcome.switched, language: outcome.language };
  },
});
