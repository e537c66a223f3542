/**
 * A nudge across the fleet when routing rows change (phone_numbers, canaries): the writer
 * publishes on a Redis channel and every gateway re-reads the rows at once. The message carries
 * nothing but "look again": the rows in Postgres are the truth, and each gateway also re-reads
 * them every few seconds, so a lost message only delays a change.
 */
import { Redis } from 'ioredis';
import { createLogger, type Logger } from '../observability/index.js';
import { describeError } from '../shared/index.js';

export const ROUTING_CHANNEL = 'switchboard:routing';

export interface ChangeFeed {
  /** Tells every subscriber to look again. Never throws: a failed nudge is logged (the poll covers it). */
  publish(): Promise<boolean>;
  /** Calls `onChange` for every nudge (also our own). */
  subscribe(onChange: () => void): Promise<void>;
  close(): Promise<void>;
}

export interface RedisChangeFeedOptions {
  channel?: string;
  /** How long a publish may wait for the connection. Default 2000 ms. */
  publishTimeoutMs?: number;
  logger?: Logger;
}

export function createRedisChangeFeed(url: string, options: RedisChangeFeedOptions = {}): ChangeFeed {
  const log = options.logger ?? createLogger('store');
  const channel = options.channel ?? ROUTING_CHANNEL;
  const clients: Redis[] = [];
  let lastErrorAt = 0;
  const open = (role: string): Redis => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: role === 'subscriber' });
    client.on('error', (err) => {
      // A Redis outage makes ioredis report every reconnect attempt: one line every 10 s is enough.
      if (Date.now() - lastErrorAt > 10_000) log.warn('routing change feed: Redis connection error', { role, err: describeError(err) });
      lastErrorAt = Date.now();
    });
    clients.push(client);
    return client;
  };
  let publisher: Redis | undefined;

  return {
    async publish() {
      publisher ??= open('publisher');
      const client = publisher;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          (async () => {
            if (client.status === 'wait') await client.connect();
            await client.publish(channel, String(Date.now()));
          })(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('Redis did not answer in time')), options.publishTimeoutMs ?? 2000);
          }),
        ]);
        return true;
      } catch (err) {
        log.warn('routing change not pushed; gateways pick it up on their next refresh', { err: describeError(err) });
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    async subscribe(onChange) {
      const client = open('subscriber');
      client.on('message', (ch: string) => { if (ch === channel) onChange(); });
      // ioredis resubscribes after a reconnect; a nudge missed meanwhile is covered by the poll.
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
