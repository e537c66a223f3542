/**
 * Sensitive tool fields on real Postgres: the tool gets the real value, `tool_invocations` keeps
 * `[redacted]` in its place (arguments and results, nested objects and arrays too), and the shipped
 * tools mark dates of birth, card-like numbers, e-mail addresses and PINs.
 */
import { z } from 'zod';
import { createLogger } from '../../src/observability/logger.js';
import {
  defineTool, executeTool, hasSensitiveFields, idempotencyKeyFor, REDACTED, redactSensitive, sensitive, type CallToolEnv,
} from '../../src/toolkit/index.js';
import type { Store } from '../../src/store/index.js';
import { registry } from '../../tools/index.js';
import { newCall, postgresTarget } from './storeSuite.js';

let store: Store;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ store, cleanup } = await postgresTarget.open());
  await store.migrate();
});
afterAll(async () => { await cleanup(); });

const received: unknown[] = [];
const registerTool = defineTool({
  name: 'test_register',
  description: 'Registers someone.',
  input: z.object({
    name: z.string(),
    dateOfBirth: sensitive(z.string().describe('YYYY-MM-DD')),
    email: sensitive(z.email()).optional(),
    cards: z.array(z.object({ last4: z.string(), number: sensitive(z.string().regex(/^\d{16}$/)) })).optional(),
  }),
  output: z.object({ id: z.number(), email: sensitive(z.string()).nullable() }),
  idempotent: false,
  async execute(input) {
    received.push(input);
    return { id: 7, email: input.email ?? null };
  },
});

function env(callId: string): CallToolEnv {
  return {
    callId, vertical: 'salon', db: store.db, logger: createLogger('test'), services: { now: () => new Date() },
    callSignal: new AbortController().signal, recorder: store.toolInvocations, currentAgent: () => 'Front Desk',
  };
}

it('stores sensitive fields redacted in the audit while the tool receives the real values', async () => {
  const call = newCall();
  await store.calls.create(call);
  const args = {
    name: 'Ada Lovelace', dateOfBirth: '1815-12-10', email: 'ada@example.com',
    cards: [{ last4: '1111', number: '4111111111111111' }],
  };
  const outcome = await executeTool(registerTool, JSON.stringify(args), env(call.id), 'tc1');
  expect(outcome.status).toBe('ok');
  expect(received).toEqual([args]);
  // The model hears the real result; only the audit copy is redacted.
  expect(JSON.parse(outcome.output)).toEqual({ id: 7, email: 'ada@example.com' });

  const row = await store.toolInvocations.get(idempotencyKeyFor(call.id, 'tc1'));
  expect(row?.arguments).toEqual({ name: 'Ada Lovelace', dateOfBirth: REDACTED, email: REDACTED, cards: [{ last4: '1111', number: REDACTED }] });
  expect(row?.result).toEqual({ id: 7, email: REDACTED });
  const { rows } = await store.db.query<{ text: string }>('SELECT arguments::text || result::text AS text FROM tool_invocations WHERE call_id = $1', [call.id]);
  expect(rows[0]!.text).not.toMatch(/1815|ada@example|4111111111111111/);
});

it('redacts refused arguments too, and keeps absent and null values as they are', async () => {
  const call = newCall();
  await store.calls.create(call);
  const outcome = await executeTool(registerTool, { name: 'X', dateOfBirth: '1990-01-01', cards: [{ last4: '1', number: 'not a card' }] }, env(call.id), 'tc2');
  expect(outcome.status).toBe('invalid_arguments');
  const row = await store.toolInvocations.get(idempotencyKeyFor(call.id, 'tc2'));
  expect(row?.arguments).toEqual({ name: 'X', dateOfBirth: REDACTED, cards: [{ last4: '1', number: REDACTED }] });
  expect(redactSensitive(registerTool.input, { name: 'X', dateOfBirth: null })).toEqual({ name: 'X', dateOfBirth: null });
});

it('marks dates of birth, card-like numbers, e-mail addresses and PINs in the shipped tools', () => {
  const marked = (tool: string, args: Record<string, unknown>) => redactSensitive(registry.get(tool)!.input, args) as Record<string, unknown>;
  expect(marked('hc_verify_identity', { firstName: 'Ada', lastName: 'L', dateOfBirth: '1815-12-10' }))
    .toEqual({ firstName: 'Ada', lastName: 'L', dateOfBirth: REDACTED });
  expect(marked('hc_register_patient', { firstName: 'A', dateOfBirth: '1815-12-10', email: 'a@b.co', insuranceMemberId: 'XJ4411', phone: '+15551234567' }))
    .toMatchObject({ firstName: 'A', dateOfBirth: REDACTED, email: REDACTED, insuranceMemberId: REDACTED });
  for (const tool of ['re_qualify_lead', 're_book_tour', 'sales_qualify_lead']) expect(marked(tool, { email: 'a@b.co' }).email).toBe(REDACTED);
  expect(marked('it_verify_employee', { pin: '123456' }).pin).toBe(REDACTED);
  // A tool with nothing sensitive is stored as it came.
  expect(hasSensitiveFields(registry.get('salon_list_services')!.input)).toBe(false);
});
