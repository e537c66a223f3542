import { z } from 'zod';
import { defineTool, ToolError } from '../../src/toolkit/index.js';
import { isoDate, localDate } from '../common/time.js';
import { freeSlots, getService, resolveInstant, salonInfo, stylistExists, stylistOffers } from './repository.js';

const MAX_SLOTS = 12;

export const salonCheckAvailability = defineTool({
  name: 'salon_check_availability',
  description:
    'Free appointment start times for one service on one date, optionally with one stylist. Offer the caller two or three of the returned times, not the whole list.',
  input: z.object({
    serviceId: z.string().min(1).describe('a serviceId from salon_list_services'),
    date: isoDate,
    stylistId: z.string().min(1).optional().describe('a stylistId from salon_list_stylists; leave out for any stylist'),
    afterTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)').optional()
      .describe('only times at or after this local time, HH:MM 24-hour'),
  }),
  output: z.object({
    date: z.string(),
    service: z.string(),
    durationMinutes: z.number().int(),
    slots: z.array(z.object({
      stylistId: z.string(), stylistName: z.string(), startsAt: z.string(), localTime: z.string(), spoken: z.string(),
    })),
    note: z.string().optional(),
  }),
  idempotent: true,
  timeoutMs: 6000,
  async execute({ serviceId, date, stylistId, afterTime }, ctx) {
    const info = await salonInfo(ctx.db);
    const now = ctx.services.now();
    const today = localDate(now, info.timezone);
    if (date < today) {
      throw new ToolError('DATE_IN_PAST', `That date has already passed; today is ${today}. Which upcoming day would suit?`);
    }
    const service = await getService(ctx.db, serviceId);
    if (!service) throw new ToolError('UNKNOWN_SERVICE', "I couldn't find that service. Let me check the list of services.");
    if (stylistId) {
      if (!(await stylistExists(ctx.db, stylistId))) throw new ToolError('UNKNOWN_STYLIST', "I couldn't find that stylist.");
      if (!(await stylistOffers(ctx.db, stylistId, serviceId))) {
        throw new ToolError('STYLIST_DOES_NOT_OFFER', `That stylist doesn't do ${service.name}. ${service.stylists.length ? `It's done by ${service.stylists.join(', ')}.` : ''}`.trim());
      }
    }
    let notBefore = now;
    if (afterTime) {
      const after = await resolveInstant(ctx.db, `${date}T${afterTime}`, info.timezone);
      if (after > notBefore) notBefore = after;
    }
    const slots = await freeSlots(ctx.db, {
      serviceId, date, notBefore, timezone: info.timezone, slotMinutes: info.slotMinutes, limit: MAX_SLOTS,
      ...(stylistId ? { stylistId } : {}),
    });
    return {
      date, service: service.name, durationMinutes: service.durationMin, slots,
      ...(slots.length === 0 ? { note: 'No free times that day. Offer to check another day.' } : {}),
    };
  },
});
