/** Identity and account tools: verify an employee, send a password reset link, unlock an account. */
import { randomBytes, createHash } from 'node:crypto';
import { z } from 'zod';
import { defineTool, sensitive, ToolError } from '../../src/toolkit/index.js';
import {
  failedAttempts, getAccount, getEmployee, insertPasswordReset, recordAttempt, recordVerification, resetsSince, unlockAccount,
} from './repository.js';
import { employeeIdInput, normaliseEmployeeId, phoneHint, pinMatches, requireVerifiedEmployee, settings } from './shared.js';

export const MAX_ATTEMPTS_PER_CALL = 3;
/** Across calls: a six-digit PIN must not be guessable by calling back again and again. */
export const MAX_ATTEMPTS_PER_EMPLOYEE_PER_HOUR = 5;

export const itVerifyEmployee = defineTool({
  name: 'it_verify_employee',
  description:
    "Verifies the caller before any account, ticket or device action: their employee ID and their six-digit helpdesk PIN. " +
    'Read the employee ID back before calling. Never say the PIN back. On success the employee counts as verified for the rest of the call. ' +
    'It never says which part was wrong; after repeated misses it locks and you should offer an escalation.',
  input: z.object({
    employeeId: employeeIdInput,
    pin: sensitive(z.string().regex(/^\d{6}$/, 'must be six digits').describe('The six-digit helpdesk PIN, digits only.')),
  }),
  output: z.object({ verified: z.boolean(), employeeId: z.string().optional(), name: z.string().optional(), attemptsRemaining: z.number() }),
  idempotent: false,
  async execute(input, ctx) {
    const id = normaliseEmployeeId(input.employeeId);
    const now = ctx.services.now();
    const misses = await failedAttempts(ctx.db, ctx.callId, id, new Date(now.getTime() - 3600_000));
    if (misses.call >= MAX_ATTEMPTS_PER_CALL || misses.employee >= MAX_ATTEMPTS_PER_EMPLOYEE_PER_HOUR) {
      throw new ToolError('IDENTITY_LOCKED', "Verification is locked for now. Don't try again; offer to open a ticket so tier 2 can verify the caller another way.");
    }
    const employee = await getEmployee(ctx.db, id);
    if (employee && !employee.pin_hash) {
      throw new ToolError('NO_PIN_SET', 'This employee has not set a helpdesk PIN. They can set one in the HR portal under My profile; until then tier 2 must verify them.');
    }
    const ok = employee !== undefined && pinMatches(employee, input.pin);
    await recordAttempt(ctx.db, ctx.callId, id, ok, now);
    if (!ok || !employee) return { verified: false, attemptsRemaining: Math.max(0, MAX_ATTEMPTS_PER_CALL - misses.call - 1) };
    if (employee.employment_status === 'terminated') {
      throw new ToolError('EMPLOYEE_INACTIVE', "This account can't be serviced by the service desk. The caller should contact HR.");
    }
    await recordVerification(ctx.db, ctx.callId, id);
    return { verified: true, employeeId: id, name: employee.full_name, attemptsRemaining: MAX_ATTEMPTS_PER_CALL - misses.call };
  },
});

export const itResetPassword = defineTool({
  name: 'it_reset_password',
  description:
    "Texts a one-time password reset link to the verified employee's mobile number on file (never to a number the caller gives). " +
    'Use it when the caller forgot their network password or it expired and self-service did not work. Passwords are never said aloud.',
  input: z.object({ employeeId: employeeIdInput }),
  output: z.object({ sent: z.literal(true), to: z.string(), validForMinutes: z.number(), accountLocked: z.boolean() }),
  idempotent: false,
  timeoutMs: 10_000,
  async execute(input, ctx) {
    const employee = await requireVerifiedEmployee(ctx, input.employeeId);
    const s = await settings(ctx);
    const account = await getAccount(ctx.db, employee.id, 'directory');
    if (!account) throw new ToolError('NO_ACCOUNT', 'This employee has no network account yet. Offer to open a ticket.');
    if (account.status === 'disabled') {
      throw new ToolError('ACCOUNT_DISABLED', 'This account is on hold and the service desk cannot reset it. Offer an escalation to tier 2.');
    }
    if (account.privileged) {
      throw new ToolError('PRIVILEGED_ACCOUNT', 'Administrator accounts are reset only by tier 2 in person. Offer an escalation to tier 2.');
    }
    const now = ctx.services.now();
    if ((await resetsSince(ctx.db, employee.id, new Date(now.getTime() - 24 * 3600_000))) >= s.maxResetsPerDay) {
      throw new ToolError('RESET_LIMIT', `The reset limit of ${s.maxResetsPerDay} a day has been reached. Offer an escalation to tier 2.`);
    }
    if (!employee.mobile_phone) throw new ToolError('NO_MOBILE_ON_FILE', 'There is no mobile number on file to send the link to. Offer an escalation to tier 2.');
    const sms = ctx.services.sms;
    if (!sms) throw new ToolError('SMS_UNAVAILABLE', "Text messages can't be sent right now. Suggest self-service at passwords.bluefin.example, or escalate.");
    const token = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + s.resetLinkMinutes * 60_000);
    const body = `${s.companyName} IT: your password reset link, valid for ${s.resetLinkMinutes} minutes: ${s.resetLinkBase}${token} ` +
      'If you did not ask for this, call the service desk.';
    const { id: smsId } = await sms.send(employee.mobile_phone, body, ctx.signal);
    await insertPasswordReset(ctx.db, {
      employeeId: employee.id, tokenHash: createHash('sha256').update(token).digest('hex'), sentTo: employee.mobile_phone, smsId,
      createdAt: now, expiresAt, callId: ctx.callId,
    });
    return { sent: true as const, to: phoneHint(employee.mobile_phone), validForMinutes: s.resetLinkMinutes, accountLocked: account.status === 'locked' };
  },
});

export const itUnlockAccount = defineTool({
  name: 'it_unlock_account',
  description:
    "Unlocks the verified employee's account on one system (directory = Windows and single sign-on, email, vpn, erp) after too many failed " +
    'sign-ins. Tell them to update saved passwords on their phone first, or it will lock again (see the knowledge base).',
  input: z.object({
    employeeId: employeeIdInput,
    system: z.enum(['directory', 'email', 'vpn', 'erp']).optional().describe('Which account; default directory (Windows / single sign-on).'),
  }),
  output: z.object({ unlocked: z.boolean(), system: z.string(), status: z.string() }),
  idempotent: false,
  async execute(input, ctx) {
    const employee = await requireVerifiedEmployee(ctx, input.employeeId);
    const system = input.system ?? 'directory';
    const account = await getAccount(ctx.db, employee.id, system);
    if (!account) throw new ToolError('NO_ACCOUNT', `This employee has no ${system} account. Offer to open a ticket if they need one.`);
    if (account.status === 'disabled') {
      throw new ToolError('ACCOUNT_DISABLED', 'This account is on hold and the service desk cannot unlock it. Offer an escalation to tier 2.');
    }
    if (account.status === 'active') return { unlocked: false, system, status: 'active' };
    const unlocked = await unlockAccount(ctx.db, employee.id, system, ctx.callId);
    return { unlocked, system, status: unlocked ? 'active' : account.status };
  },
});
