/**
 * take_message's service on real Postgres: the message is stored before the business is texted,
 * once per idempotency key; a text Twilio refuses, or no number to text, leaves it stored with
 * the reason, never lost.
 */
import { callMessages } from '../../src/realtime/callMessages.js';
import { manifestSchema } from '../../src/manifest/index.js';
import { createLogger } from '../../src/observability/index.js';
import { AppError } from '../../src/shared/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import type { SmsSender } from '../../src/telephony/index.js';
import { newCall, randomSchema, TEST_DATABASE_URL } from './storeSuite.js';

const manifest = (extra: Record<string, unknown> = {}) => manifestSchema.parse({
  id: 'msg', name: 'Message line', numbers: ['+15550100900'], languages: { default: 'en', supported: [{ code: 'en', voice: 'alloy' }] },
  greeting: 'Hi.', entryAgent: 'A', agents: [{ name: 'A', description: 'a', instructions: 'b' }],
  fallback: { humanNumber: '+15550100901' }, ...extra,
});

class FakeSms implements SmsSender {
  readonly sent: Array<{ to: string; from: string; body: string }> = [];
  fail = false;
  async send(to: string, from: string, body: string): Promise<{ id: string }> {
    if (this.fail) throw new AppError('TWILIO_REJECTED', 'Twilio rejected the request (400)');
    this.sent.push({ to, from, body });
    return { id: `SM${this.sent.length}` };
  }
}

describe('messages taken for the business', () => {
  let store: Store;
  let schema: string;
  beforeAll(async () => {
    schema = randomSchema('msg');
    store = await openStore({ databaseUrl: TEST_DATABASE_URL, schema, poolSize: 2 });
    await store.migrate();
  });
  afterAll(async () => {
    await store.db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await store.db.query('DELETE FROM public.schema_migrations WHERE scope LIKE $1', [`%${schema}%`]);
    await store.close();
  });

  async function service(sms: SmsSender | undefined, extra?: Record<string, unknown>) {
    const call = await store.calls.create(newCall());
    const take = callMessages({
      callId: () => call.id, rowReady: Promise.resolve(), manifest: manifest(extra), store: store.transfers, sms, from: '+15550100900', log: createLogger('test'),
    });
    return { call, take };
  }

  it('stores the message, texts it to the message number once, and replays the outcome for the same key', async () => {
    const sms = new FakeSms();
    const { call, take } = await service(sms, { transfer: { messageNumber: '+15550100902' } });
    const m = { callerName: 'Ann Lee', callbackNumber: '+15550123456', message: 'Call me about the refund.' };
    const first = await take.take(m, 'key-1');
    expect(first.notified).toBe(true);
    expect(await take.take(m, 'key-1')).toEqual(first);
    expect(sms.sent).toEqual([{ to: '+15550100902', from: '+15550100900', body: 'Message taken by the Message line assistant. From Ann Lee, call back on +15550123456: Call me about the refund.' }]);
    const [row] = await store.transfers.messagesOf(call.id);
    expect(row).toMatchObject({ smsStatus: 'sent', smsSid: 'SM1', callerName: 'Ann Lee' });
  });

  it('keeps the message with the failure when the text is refused, and when there is nobody to text', async () => {
    const sms = new FakeSms();
    sms.fail = true;
    const refused = await service(sms);
    expect((await refused.take.take({ callerName: 'Bo', message: 'Hello' }, 'key-2')).notified).toBe(false);
    expect((await store.transfers.messagesOf(refused.call.id))[0]).toMatchObject({ smsStatus: 'failed', smsError: 'TWILIO_REJECTED', message: 'Hello' });

    const nobody = await service(undefined);
    expect((await nobody.take.take({ callerName: 'Cy', message: 'Hi' }, 'key-3')).notified).toBe(false);
    expect((await store.transfers.messagesOf(nobody.call.id))[0]).toMatchObject({ smsStatus: 'no_recipient', smsSid: null });
  });
});
