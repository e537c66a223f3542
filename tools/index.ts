/**
 * The tool registry: every tool family, by name. A name defined twice fails at start-up.
 * Adding a family: import its array and append it to the list below.
 */
import { createRegistry, type ToolRegistry } from '../src/toolkit/index.js';
import { commonTools } from './common/index.js';
import { salonTools } from './salon/index.js';
import { healthcareTools } from './healthcare/index.js';
import { realEstateTools } from './real-estate/index.js';
import { afterHoursTools } from './after-hours/index.js';
import { salesTools } from './sales/index.js';
import { itHelpdeskTools } from './it-helpdesk/index.js';

export const registry: ToolRegistry = createRegistry([
  ...commonTools,
  ...salonTools,
  ...healthcareTools,
  ...realEstateTools,
  ...afterHoursTools,
  ...salesTools,
  ...itHelpdeskTools,
]);
