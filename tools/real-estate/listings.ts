/** Listing search and details, and the comparable-sales valuation a seller hears first. */
import { z } from 'zod';
import { defineTool, ToolError } from '../../src/toolkit/index.js';
import { dollars, money, toCents } from './common.js';
import { findListingsByAddress, getListingById, searchListings, type ListingRow } from './repository.js';
import { comparableSales } from './serviceRepository.js';

const PROPERTY_TYPES = ['house', 'condo', 'townhouse', 'apartment', 'multi_family'] as const;
const MAX_RESULTS = 5;

const listingSummary = z.object({
  listingId: z.number(),
  kind: z.enum(['sale', 'rental']),
  status: z.string(),
  address: z.string(),
  neighborhood: z.string(),
  city: z.string(),
  propertyType: z.string(),
  bedrooms: z.number(),
  bathrooms: z.number(),
  squareFeet: z.number().nullable(),
  price: z.number().describe('Dollars; the monthly rent for rentals'),
  priceText: z.string(),
  headline: z.string(),
  petsAllowed: z.boolean(),
  availableOn: z.string().nullable(),
});

function summarise(l: ListingRow): z.infer<typeof listingSummary> {
  const cents = l.kind === 'sale' ? l.price_cents : l.monthly_rent_cents;
  return {
    listingId: Number(l.id), kind: l.kind, status: l.status,
    address: l.unit ? `${l.address}, unit ${l.unit}` : l.address,
    neighborhood: l.neighborhood, city: l.city, propertyType: l.property_type,
    bedrooms: Number(l.bedrooms), bathrooms: Number(l.bathrooms), squareFeet: l.square_feet == null ? null : Number(l.square_feet),
    price: dollars(cents) ?? 0,
    priceText: l.kind === 'sale' ? (money(cents) ?? '') : `${money(cents) ?? ''} a month`,
    headline: l.headline, petsAllowed: Boolean(l.pets_allowed), availableOn: l.available_on,
  };
}

export const reSearchListings = defineTool({
  name: 're_search_listings',
  description: 'Searches active listings for sale or for rent by area (city, neighborhood or ZIP), price range, bedrooms, property type and pets. Returns at most five, cheapest first, and how many matched. Describe two or three at a time.',
  input: z.object({
    kind: z.enum(['sale', 'rental']).describe('sale for buyers, rental for renters'),
    area: z.string().max(60).optional().describe('City, neighborhood or ZIP code'),
    minPrice: z.number().nonnegative().optional().describe('Dollars (monthly rent for rentals)'),
    maxPrice: z.number().positive().optional().describe('Dollars (monthly rent for rentals)'),
    minBedrooms: z.number().int().min(0).max(10).optional(),
    propertyType: z.enum(PROPERTY_TYPES).optional(),
    petsAllowed: z.boolean().optional().describe('true to show only pet-friendly homes'),
  }),
  output: z.object({ totalMatches: z.number(), listings: z.array(listingSummary) }),
  idempotent: true,
  async execute(input, ctx) {
    if (input.minPrice !== undefined && input.maxPrice !== undefined && input.maxPrice < input.minPrice) {
      throw new ToolError('BAD_PRICE_RANGE', 'The highest price is below the lowest. Ask the caller for their price range again.');
    }
    const { rows, total } = await searchListings(ctx.db, {
      kind: input.kind,
      ...(input.area ? { area: input.area } : {}),
      ...(input.minPrice !== undefined ? { minPriceCents: toCents(input.minPrice) } : {}),
      ...(input.maxPrice !== undefined ? { maxPriceCents: toCents(input.maxPrice) } : {}),
      ...(input.minBedrooms !== undefined ? { minBedrooms: input.minBedrooms } : {}),
      ...(input.propertyType ? { propertyType: input.propertyType } : {}),
      ...(input.petsAllowed ? { petsAllowed: true } : {}),
    }, MAX_RESULTS);
    return { totalMatches: total, listings: rows.map(summarise) };
  },
});

export const reGetListing = defineTool({
  name: 're_get_listing',
  description: 'Full details of one listing, by listing number or by street address: status, price, HOA, parking, year built, features, availability and the listing agent. Use before describing a property.',
  input: z.object({
    listingId: z.number().int().positive().optional().describe('The listing number, when the caller has it'),
    address: z.string().max(120).optional().describe('Street address words, e.g. "4417 Alberta"'),
  }),
  output: listingSummary.extend({
    features: z.string(),
    hoaMonthly: z.number(),
    parking: z.string().nullable(),
    yearBuilt: z.number().nullable(),
    listedOn: z.string(),
    listingAgent: z.string(),
    bookableForTours: z.boolean(),
  }),
  idempotent: true,
  async execute(input, ctx) {
    let listing: ListingRow | undefined;
    if (input.listingId !== undefined) {
      listing = await getListingById(ctx.db, input.listingId);
    } else if (input.address?.trim()) {
      const found = await findListingsByAddress(ctx.db, input.address);
      if (found.length > 1 && found.filter((l) => l.status === 'active').length > 1) {
        throw new ToolError('AMBIGUOUS_ADDRESS', `Several listings match that address (${found.map((l) => `${l.id}: ${summarise(l).address}`).join('; ')}). Ask which one.`);
      }
      listing = found[0];
    } else {
      throw new ToolError('MISSING_LISTING', 'Ask the caller for the listing number or the street address.');
    }
    if (!listing) throw new ToolError('LISTING_NOT_FOUND', 'I could not find that listing. Ask the caller to check the number or the address, or search listings instead.');
    return {
      ...summarise(listing),
      features: listing.features,
      hoaMonthly: dollars(listing.hoa_monthly_cents) ?? 0,
      parking: listing.parking,
      yearBuilt: listing.year_built == null ? null : Number(listing.year_built),
      listedOn: listing.listed_on,
      listingAgent: listing.agent_name,
      bookableForTours: listing.status === 'active',
    };
  },
});

const MIN_COMPARABLES = 3;
/** Valuation range either side of the comparable-based estimate. */
const RANGE_PCT = 7;

export const reHomeValuation = defineTool({
  name: 're_home_valuation',
  description: 'A rough value range for a seller\'s home from recent comparable sales in the same neighborhood (median price per square foot). Needs at least three comparable sales; otherwise offer a free consultation with a listing agent. Always say it is an estimate, not an appraisal.',
  input: z.object({
    neighborhood: z.string().min(2).max(60),
    propertyType: z.enum(PROPERTY_TYPES),
    squareFeet: z.number().int().min(200).max(20000),
    bedrooms: z.number().int().min(0).max(20).optional(),
  }),
  output: z.object({
    estimate: z.number(),
    low: z.number(),
    high: z.number(),
    estimateText: z.string(),
    pricePerSquareFoot: z.number(),
    comparablesUsed: z.number(),
    examples: z.array(z.object({ address: z.string(), soldPrice: z.number(), soldOn: z.string(), squareFeet: z.number(), bedrooms: z.number() })),
    disclaimer: z.string(),
  }),
  idempotent: true,
  async execute(input, ctx) {
    const comps = await comparableSales(ctx.db, input.neighborhood, input.propertyType, ctx.services.now());
    if (comps.length < MIN_COMPARABLES) {
      throw new ToolError('NOT_ENOUGH_SALES', `There are not enough recent ${input.propertyType} sales in ${input.neighborhood} for an estimate. Offer a free consultation with a listing agent instead.`);
    }
    const perSqFt = comps.map((c) => c.sold_price_cents / c.square_feet).sort((a, b) => a - b);
    const mid = Math.floor(perSqFt.length / 2);
    const median = perSqFt.length % 2 ? perSqFt[mid]! : (perSqFt[mid - 1]! + perSqFt[mid]!) / 2;
    const roundTo = (cents: number): number => Math.round(cents / 100 / 5000) * 5000;
    const estimate = roundTo(median * input.squareFeet);
    const low = roundTo(median * input.squareFeet * (1 - RANGE_PCT / 100));
    const high = roundTo(median * input.squareFeet * (1 + RANGE_PCT / 100));
    return {
      estimate, low, high,
      estimateText: `between ${money(low * 100)} and ${money(high * 100)}`,
      pricePerSquareFoot: Math.round(median / 100),
      comparablesUsed: comps.length,
      examples: comps.slice(0, 3).map((c) => ({
        address: c.address, soldPrice: dollars(c.sold_price_cents) ?? 0, soldOn: c.sold_on, squareFeet: c.square_feet, bedrooms: c.bedrooms,
      })),
      disclaimer: 'This is an automated estimate from recent nearby sales, not an appraisal. A listing agent can give a full market analysis.',
    };
  },
});

export const listingTools = [reSearchListings, reGetListing, reHomeValuation];
