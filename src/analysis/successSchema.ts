/** The stored shape of a success rubric's outcome (see success.ts). */
import { z } from 'zod';

export const criterionResultSchema = z.strictObject({
  name: z.string().min(1).max(100),
  /** null: not evaluated (a judgement criterion under the offline analyser). */
  passed: z.boolean().nullable(),
  reason: z.string().min(1).max(500),
});
export type CriterionResult = z.infer<typeof criterionResultSchema>;

export const successOutcomeSchema = z.strictObject({
  passed: z.boolean().nullable(),
  criteria: z.array(criterionResultSchema).max(50),
});
export type SuccessOutcome = z.infer<typeof successOutcomeSchema>;
