/** Helpers of the after-hours tools: the business row, caller numbers, money in words. */
import { z } from 'zod';
import { ToolError, type Queryable } from '../../src/toolkit/index.js';
import { normalizePhone } from '../common/index.js';
import { getBusiness, type Business } from './repository.js';

export const phoneInput = z.string().min(7).max(24)
  .describe('Phone number in E.164 form like +16125550123 (a 10-digit US number is also accepted)');

export const postalCodeInput = z.string().min(5).max(10).describe('5-digit ZIP code');

export const normalisePhone = (raw: string): string => normalizePhone(raw);

export function checkPostalCode(raw: string): string {
  const zip = raw.trim().slice(0, 5);
  if (!/^\d{5}$/.test(zip)) throw new ToolError('INVALID_POSTAL_CODE', 'That ZIP code does not look right. Ask the caller for the five digits again.');
  return zip;
}

export async function requireBusiness(db: Queryable): Promise<Business> {
  const business = await getBusiness(db);
  if (!business) throw new ToolError('NOT_CONFIGURED', 'This line is not set up yet. If anyone is in danger, tell the caller to hang up and call 911.');
  return business;
}

export function money(cents: number): string {
  const value = cents / 100;
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: value % 1 === 0 ? 0 : 2, maximumFractionDigits: 2 })}`;
}

/** "ending in 0123": enough for the caller to recognise their number, nothing more. */
export const lastFour = (phone: string): string => `ending in ${phone.slice(-4)}`;

