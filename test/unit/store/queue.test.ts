import { SerialQueue } from '../../../src/store/db/queue.js';

describe('SerialQueue', () => {
  it('runs work in arrival order, one at a time, even when earlier work fails', async () => {
    const q = new SerialQueue();
    const order: string[] = [];
    let running = 0;
    const job = (name: string, fail = false) => q.run(async () => {
      running++;
      expect(running).toBe(1);
      await new Promise((r) => setTimeout(r, 2));
      order.push(name);
      running--;
      if (fail) throw new Error(name);
      return name;
    });
    const results = await Promise.allSettled([job('a'), job('b', true), job('c')]);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('holds everyone else back while a lease is held', async () => {
    const q = new SerialQueue();
    const order: string[] = [];
    const release = await q.lease();
    const waiting = q.run(async () => { order.push('queued'); });
    await new Promise((r) => setTimeout(r, 10));
    order.push('released');
    release();
    release(); // idempotent
    await waiting;
    expect(order).toEqual(['released', 'queued']);
  });
});
