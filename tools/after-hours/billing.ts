/** Billing questions: an invoice's balance for its customer, and a payment link by SMS. */
import { z } from 'zod';
import { defineTool, ToolError, type Queryable } from '../../src/toolkit/index.js';
import { checkPostalCode, lastFour, money, normalisePhone, phoneInput, postalCodeInput, requireBusiness } from './common.js';

interface InvoiceRow {
  number: number; description: string; issued_on: string; due_on: string; amount_cents: number; balance_cents: number;
  status: string; overdue: boolean; postal_code: string;
}

/** The invoice when the ZIP code of its service address matches; otherwise one refusal for both cases. */
async function verifiedInvoice(db: Queryable, invoiceNumber: number, postalCodeRaw: string, now: Date): Promise<InvoiceRow> {
  const zip = checkPostalCode(postalCodeRaw);
  const { rows } = await db.query<InvoiceRow>(
    `SELECT i.number, i.description, to_char(i.issued_on, 'FMMonth FMDD') AS issued_on, to_char(i.due_on, 'FMMonth FMDD, YYYY') AS due_on,
            i.amount_cents, i.balance_cents, i.status, c.postal_code,
            (i.status = 'open' AND i.balance_cents > 0 AND i.due_on < ($3::timestamptz AT TIME ZONE b.timezone)::date) AS overdue
       FROM invoices i JOIN customers c ON c.id = i.customer_id, business b
      WHERE b.id AND i.number = $1 AND c.postal_code = $2`,
    [invoiceNumber, zip, now.toISOString()],
  );
  const row = rows[0];
  if (!row) {
    throw new ToolError('INVOICE_NOT_FOUND', 'I could not find that invoice with that ZIP code. Ask the caller to check the invoice number and the ZIP code of the service address.');
  }
  return { ...row, amount_cents: Number(row.amount_cents), balance_cents: Number(row.balance_cents), number: Number(row.number) };
}

const invoiceInput = {
  invoiceNumber: z.number().int().positive().describe('Invoice number, five digits'),
  postalCode: postalCodeInput.describe('ZIP code of the service address on the invoice'),
};

export const ahLookupInvoice = defineTool({
  name: 'ah_lookup_invoice',
  description: 'Looks up an invoice for the caller: what it was for, the amount, the balance, the due date and whether it is overdue or disputed. Needs the invoice number and the ZIP code of the service address.',
  input: z.object(invoiceInput),
  output: z.object({
    invoiceNumber: z.number(),
    description: z.string(),
    issuedOn: z.string(),
    dueOn: z.string(),
    amountText: z.string(),
    balanceText: z.string(),
    balance: z.number(),
    status: z.enum(['open', 'paid', 'disputed', 'void']),
    overdue: z.boolean(),
  }),
  idempotent: true,
  async execute(input, ctx) {
    const inv = await verifiedInvoice(ctx.db, input.invoiceNumber, input.postalCode, ctx.services.now());
    return {
      invoiceNumber: inv.number, description: inv.description, issuedOn: inv.issued_on, dueOn: inv.due_on,
      amountText: money(inv.amount_cents), balanceText: money(inv.balance_cents), balance: inv.balance_cents / 100,
      status: inv.status as 'open' | 'paid' | 'disputed' | 'void', overdue: Boolean(inv.overdue),
    };
  },
});

export const ahSendPaymentLink = defineTool({
  name: 'ah_send_payment_link',
  description: 'Texts the caller a secure link to pay an invoice with a balance. Needs the invoice number, the ZIP code of the service address and the mobile number to text; read the number back first.',
  input: z.object({ ...invoiceInput, phone: phoneInput.describe('Mobile number to text the link to') }),
  output: z.object({ sent: z.literal(true), to: z.string(), balanceText: z.string() }),
  idempotent: false,
  async execute(input, ctx) {
    const business = await requireBusiness(ctx.db);
    const phone = normalisePhone(input.phone);
    const inv = await verifiedInvoice(ctx.db, input.invoiceNumber, input.postalCode, ctx.services.now());
    if (inv.status === 'disputed') {
      throw new ToolError('INVOICE_DISPUTED', 'That invoice is under review with our billing team, so no payment is due until they call. Offer to take a message for billing.');
    }
    if (inv.status !== 'open' || inv.balance_cents <= 0) {
      throw new ToolError('NOTHING_DUE', 'There is nothing to pay on that invoice.');
    }
    const sms = ctx.services.sms;
    if (!sms) throw new ToolError('SMS_UNAVAILABLE', `Texting is not available right now. The caller can pay online at ${business.paymentUrl} with the invoice number.`);
    const url = `https://${business.paymentUrl}/i/${inv.number}`;
    let providerId: string;
    try {
      providerId = (await sms.send(phone, `${business.name}: pay invoice ${inv.number} (balance ${money(inv.balance_cents)}) securely at ${url}`, ctx.signal)).id;
    } catch (err) {
      ctx.logger.warn('payment link SMS failed', { err });
      throw new ToolError('SMS_FAILED', `The text did not go through. The caller can pay online at ${business.paymentUrl} with the invoice number.`, { retryable: true });
    }
    await ctx.db.query(
      'INSERT INTO payment_link_requests (call_id, invoice_number, phone, provider_id) VALUES ($1, $2, $3, $4)',
      [ctx.callId, inv.number, phone, providerId],
    );
    return { sent: true as const, to: lastFour(phone), balanceText: money(inv.balance_cents) };
  },
});

export const billingTools = [ahLookupInvoice, ahSendPaymentLink];
