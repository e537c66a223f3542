import { z } from 'zod';
import { defineTool } from '../../src/toolkit/index.js';
import { priceText } from '../common/time.js';
import { listServices, listStylists, salonInfo } from './repository.js';

export const salonGetBusinessInfo = defineTool({
  name: 'salon_get_business_info',
  description:
    "The salon's name, address, opening hours, parking, payment and cancellation policy. Use it for any question about the business itself; never guess these facts.",
  input: z.object({}),
  output: z.object({
    name: z.string(),
    address: z.string().nullable(),
    phone: z.string().nullable(),
    timezone: z.string(),
    openingHours: z.array(z.object({ day: z.string(), opens: z.string(), closes: z.string() })),
    closedDays: z.array(z.string()),
    parking: z.string().nullable(),
    payment: z.string().nullable(),
    cancellationPolicy: z.string().nullable(),
  }),
  idempotent: true,
  timeoutMs: 4000,
  async execute(_input, ctx) {
    const info = await salonInfo(ctx.db);
    const open = new Set(info.openingHours.map((h) => h.day));
    const days = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
    return {
      name: info.name, address: info.address, phone: info.phone, timezone: info.timezone,
      openingHours: info.openingHours.map(({ day, opens, closes }) => ({ day, opens, closes })),
      closedDays: days.filter((d) => !open.has(d)),
      parking: info.parking, payment: info.payment, cancellationPolicy: info.cancellationPolicy,
    };
  },
});

export const salonListServices = defineTool({
  name: 'salon_list_services',
  description:
    'Every service the salon offers with its id, length in minutes, price and which stylists do it. Use the returned serviceId with the booking tools.',
  input: z.object({}),
  output: z.object({
    services: z.array(z.object({
      serviceId: z.string(), name: z.string(), description: z.string(), durationMinutes: z.number().int(),
      priceCents: z.number().int(), price: z.string(), stylists: z.array(z.string()),
    })),
  }),
  idempotent: true,
  timeoutMs: 4000,
  async execute(_input, ctx) {
    const services = await listServices(ctx.db);
    return {
      services: services.map((s) => ({
        serviceId: s.id, name: s.name, description: s.description, durationMinutes: s.durationMin,
        priceCents: s.priceCents, price: priceText(s.priceCents), stylists: s.stylists,
      })),
    };
  },
});

export const salonListStylists = defineTool({
  name: 'salon_list_stylists',
  description:
    'The stylists, what each one does and which days they work. Pass serviceId to get only the stylists who offer that service.',
  input: z.object({
    serviceId: z.string().min(1).optional().describe('only stylists offering this service (a serviceId from salon_list_services)'),
  }),
  output: z.object({
    stylists: z.array(z.object({
      stylistId: z.string(), name: z.string(), bio: z.string(),
      services: z.array(z.object({ serviceId: z.string(), name: z.string() })), workingDays: z.array(z.string()),
    })),
  }),
  idempotent: true,
  timeoutMs: 4000,
  async execute({ serviceId }, ctx) {
    const stylists = await listStylists(ctx.db, serviceId);
    return {
      stylists: stylists.map((s) => ({
        stylistId: s.id, name: s.name, bio: s.bio, workingDays: s.workingDays,
        services: s.services.map((v) => ({ serviceId: v.id, name: v.name })),
      })),
    };
  },
});
