/** The sales tool family (`sales_*`): Fieldline's inbound sales pod. */
import type { AnyToolDefinition } from '../../src/toolkit/index.js';
import { catalogTools } from './catalog.js';
import { demoTools } from './demos.js';
import { leadTools } from './leads.js';
import { quoteTools } from './quotes.js';

export const salesTools: AnyToolDefinition[] = [
  ...leadTools, ...catalogTools, ...quoteTools, ...demoTools,
] as unknown as AnyToolDefinition[];
