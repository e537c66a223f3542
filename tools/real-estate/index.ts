/** The real-estate tool family (`re_*`): Harborview Realty's listings, tours, leads, offers and repairs. */
import type { AnyToolDefinition } from '../../src/toolkit/index.js';
import { leadTools } from './leads.js';
import { listingTools } from './listings.js';
import { officeTools } from './office.js';
import { serviceTools } from './service.js';
import { tourTools } from './tours.js';

export const realEstateTools: AnyToolDefinition[] = [
  ...officeTools, ...listingTools, ...tourTools, ...leadTools, ...serviceTools,
] as unknown as AnyToolDefinition[];
