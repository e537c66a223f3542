/** Finding the caller's lead: by its number, or by the phone number it was recorded with. */
import { z } from 'zod';
import { ToolError, type Queryable } from '../../src/toolkit/index.js';
import { normalisePhone, phoneInput } from './common.js';
import { getLead, getLeadByPhone, type LeadRow } from './repository.js';

export const leadRefInput = {
  leadId: z.number().int().positive().optional().describe('From sales_qualify_lead'),
  phone: phoneInput.optional().describe('The phone number the lead was recorded with (when there is no leadId)'),
};

export async function requireLead(db: Queryable, ref: { leadId?: number | undefined; phone?: string | undefined }): Promise<LeadRow> {
  if (ref.leadId === undefined && !ref.phone) {
    throw new ToolError('MISSING_LEAD', 'Record the caller with sales_qualify_lead first, then pass its leadId or their phone number.');
  }
  const lead = ref.leadId !== undefined ? await getLead(db, ref.leadId) : await getLeadByPhone(db, normalisePhone(ref.phone!));
  if (!lead) throw new ToolError('LEAD_NOT_FOUND', 'There is no lead with that number. Record the caller with sales_qualify_lead first.');
  return lead;
}
