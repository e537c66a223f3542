/** Pieces the IT service desk tools share: employee ids, the identity guard, spoken dates. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ToolError, type ToolContext } from '../../src/toolkit/index.js';
import { deskSettings, getEmployee, isVerified, type DeskSettings, type EmployeeRow } from './repository.js';

export const employeeIdInput = z.string().trim().min(1).max(20)
  .describe('Employee ID as the caller says it, e.g. "E10234" (an E followed by five digits).');

/** "e 10234", "10234", "E-10234" → "E10234"; anything else is refused. */
export function normaliseEmployeeId(raw: string): string {
  const compact = raw.toUpperCase().replace(/[\s-]/g, '');
  const id = /^\d{5}$/.test(compact) ? `E${compact}` : compact;
  if (!/^E\d{5}$/.test(id)) {
    throw new ToolError('INVALID_EMPLOYEE_ID', 'Employee IDs are the letter E and five digits. Please ask the caller to read it again.');
  }
  return id;
}

/** sha256(salt + ':' + pin), as stored in employees.pin_hash. */
export function pinHash(salt: string, pin: string): string {
  return createHash('sha256').update(`${salt}:${pin}`).digest('hex');
}

export function pinMatches(employee: Pick<EmployeeRow, 'pin_salt' | 'pin_hash'>, pin: string): boolean {
  if (!employee.pin_salt || !employee.pin_hash) return false;
  const a = Buffer.from(pinHash(employee.pin_salt, pin), 'hex');
  const b = Buffer.from(employee.pin_hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The verified, active employee; refuses unless this call verified them with it_verify_employee. */
export async function requireVerifiedEmployee(ctx: ToolContext, rawId: string): Promise<EmployeeRow> {
  const id = normaliseEmployeeId(rawId);
  if (!(await isVerified(ctx.db, ctx.callId, id))) {
    throw new ToolError('IDENTITY_NOT_VERIFIED', 'I need to verify the employee ID and helpdesk PIN with it_verify_employee first.');
  }
  const employee = await getEmployee(ctx.db, id);
  if (!employee || employee.employment_status === 'terminated') {
    throw new ToolError('EMPLOYEE_INACTIVE', "This account can't be serviced by the service desk. The caller should contact HR.");
  }
  return employee;
}

export async function settings(ctx: ToolContext): Promise<DeskSettings> {
  const s = await deskSettings(ctx.db);
  if (!s) throw new ToolError('DESK_NOT_CONFIGURED', 'The service desk is not set up yet; please escalate to tier 2.');
  return s;
}

export { spokenDateTime } from '../common/time.js';

export function spokenDate(date: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'long', day: 'numeric', year: 'numeric' }).format(new Date(`${date}T00:00:00Z`));
}

export function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

export function phoneHint(phone: string): string {
  return `ending in ${phone.slice(-4)}`;
}

export function asDate(v: unknown): Date {
  return v instanceof Date ? v : new Date(String(v));
}
