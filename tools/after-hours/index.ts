/** The after-hours tool family (`ah_*`): Beacon Plumbing and Heating's night and weekend line. */
import type { AnyToolDefinition } from '../../src/toolkit/index.js';
import { billingTools } from './billing.js';
import { callbackTools } from './callbacks.js';
import { officeTools } from './office.js';
import { triageTools } from './triage.js';

export { DANGER_SIGNS, emergencyScript } from './triage.js';

export const afterHoursTools: AnyToolDefinition[] = [
  ...triageTools, ...officeTools, ...callbackTools, ...billingTools,
] as unknown as AnyToolDefinition[];
