/** Helpers of the sales tools: the company row, caller numbers, money as the voice reads it. */
import { z } from 'zod';
import { ToolError, type Queryable } from '../../src/toolkit/index.js';
import { normalizePhone } from '../common/index.js';
import { getCompany, type Company } from './repository.js';

export const phoneInput = z.string().min(7).max(24)
  .describe('Phone number in E.164 form like +17205550123 (a 10-digit US number is also accepted)');

export const normalisePhone = (raw: string): string => normalizePhone(raw);

export async function requireCompany(db: Queryable): Promise<Company> {
  const company = await getCompany(db);
  if (!company) throw new ToolError('NOT_CONFIGURED', 'Sales information is not set up yet. Offer to have a sales rep call back.');
  return company;
}

/** "$1,234" or "$1,234.50". */
export function money(cents: number): string {
  const value = cents / 100;
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: Number.isInteger(value) ? 0 : 2, maximumFractionDigits: 2 })}`;
}

/** Words too common to say anything about a question or an objection. */
const STOP_WORDS = new Set([
  'the', 'an', 'to', 'do', 'does', 'it', 'we', 'us', 'our', 'is', 'are', 'not', 'no', 'now', 'too', 'much', 'other', 'use',
  'already', 'about', 'with', 'for', 'of', 'and', 'or', 'my', 'me', 'you', 'your', 'this', 'that', 'so', 'just', 'like', 'can',
  'have', 'has', 'be', 'on', 'in', 'at', 'what', 'how', 'there', 'any', 'will', 'would', 'could',
]);

/** Meaningful lower-case words of a text, without a trailing plural "s" (for keyword matching). */
export function words(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1 && !STOP_WORDS.has(w))
    .map((w) => (w.length > 3 && w.endsWith('s') ? w.slice(0, -1) : w));
}
