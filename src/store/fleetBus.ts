/**
 * The fleet's message bus on Redis pub/sub: claim notices (a stream landed on another instance,
 * which took the call over) and reload requests and their results. Messages are hints checked
 * against Postgres or signed: a claim notice makes its receiver look at the call row before it
 * lets anything go, and a reload request must carry an HMAC made with ADMIN_TOKEN, so a message
 * from an unknown sender is logged and ignored. A lost message costs only time (pre-warms expire).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { createLogger, type Logger } from '../observability/index.js';
import { describeError } from '../shared/index.js';

export const FLEET_CHANNEL = 'switchboard:fleet';

const instanceId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);

export const fleetMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('call.claimed'), sender: instanceId, callSid: z.string().min(1).max(64), preparedBy: instanceId }),
  z.object({ type: z.literal('reload.request'), sender: z.string().min(1).max(80), requestId: z.string().min(8).max(64), sig: z.string().optional() }),
  z.object({
    type: z.literal('reload.result'), sender: instanceId, requestId: z.string().min(8).max(64),
    kind: z.enum(['gateway', 'worker']), ok: z.boolean(), generation: z.number().int().nullable(),
    versions: z.record(z.string(), z.string()), code: z.string().optional(),
    problems: z.array(z.string()).max(200).default([]),
  }),
]);
export type FleetMessage = z.infer<typeof fleetMessageSchema>;
export type ReloadRequest = Extract<FleetMessage, { type: 'reload.request' }>;
export type ReloadResultMessage = Extract<FleetMessage, { type: 'reload.result' }>;

export interface FleetBus {
  /** Never throws: false when Redis did not take the message in time. */
  publish(message: FleetMessage): Promise<boolean>;
  /** Calls `onMessage` for every valid message (our own too); invalid ones are logged and dropped. */
  subscribe(onMessage: (message: FleetMessage) => void): Promise<void>;
  close(): Promise<void>;
}

/** The signature of a reload request: HMAC-SHA256(ADMIN_TOKEN, "reload:<requestId>:<sender>"). */
export function signReload(adminToken: string, requestId: string, sender: string): string {
  return createHmac('sha256', adminToken).update(`reload:${requestId}:${sender}`).digest('hex');
}

export function verifyReload(adminToken: string | null | undefined, request: ReloadRequest): boolean {
  if (!adminToken || !request.sig) return false;
  const want = Buffer.from(signReload(adminToken, request.requestId, request.sender), 'hex');
  const got = Buffer.from(request.sig, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

export function createFleetBus(url: string, options: { channel?: string; publishTimeoutMs?: number; logger?: Logger } = {}): FleetBus {
  const log = options.logger ?? createLogger('fleet');
  const channel = options.channel ?? FLEET_CHANNEL;
  const clients: Redis[] = [];
  let lastErrorAt = 0;
  const open = (role: string): Redis => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: role === 'subscriber' });
    client.on('error', (err) => {
      if (Date.now() - lastErrorAt > 10_000) log.warn('fleet bus: Redis connection error', { role, err: describeError(err) });
      lastErrorAt = Date.now();
    });
    clients.push(client);
    return client;
  };
  let publisher: Redis | undefined;
  return {
    async publish(message) {
      publisher ??= open('publisher');
      const client = publisher;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          (async () => {
            if (client.status === 'wait') await client.connect();
            await client.publish(channel, JSON.stringify(message));
          })(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('Redis did not answer in time')), options.publishTimeoutMs ?? 2000);
          }),
        ]);
        return true;
      } catch (err) {
        log.warn('fleet message not published', { type: message.type, err: describeError(err) });
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    async subscribe(onMessage) {
      const client = open('subscriber');
      client.on('message', (ch: string, text: string) => {
        if (ch !== channel) return;
        let parsed: ReturnType<typeof fleetMessageSchema.safeParse>;
        try {
          parsed = fleetMessageSchema.safeParse(JSON.parse(text));
        } catch {
          log.warn('fleet message refused', { code: 'FLEET_MESSAGE_INVALID', reason: 'not JSON' });
          return;
        }
        if (!parsed.success) {
          log.warn('fleet message refused', { code: 'FLEET_MESSAGE_INVALID', reason: parsed.error.issues[0]?.message ?? 'invalid' });
          return;
        }
        try {
          onMessage(parsed.data);
        } catch (err) {
          log.error('fleet message handler failed', { type: parsed.data.type, err: describeError(err) });
        }
      });
      await client.connect();
      await client.subscribe(channel);
    },
    async close() {
      await Promise.all(clients.splice(0).map(async (c) => {
        if (c.status !== 'ready') return c.disconnect();
        await c.quit().catch(() => c.disconnect());
      }));
    },
  };
}
