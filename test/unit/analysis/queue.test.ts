import { UnrecoverableError } from 'bullmq';
import { InProcessQueue, OutboxRelay, type JobPublisher, type PostCallJob, type PostCallJobLike } from '../../../src/analysis/index.js';
import type { OutboxEntry } from '../../../src/store/index.js';

const job = (n: number): PostCallJob => ({ callId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, vertical: 'salon' });
const outcome = (j: PostCallJobLike) => ({ callId: (j.data as PostCallJob).callId, vertical: 'salon', analyser: 'heuristic', isShort: false, leadScore: 1, revision: 1 });

describe('InProcessQueue', () => {
  it('runs each call once however often it is published', async () => {
    const runs: string[] = [];
    const q = new InProcessQueue({ concurrency: 2, processor: async (j) => { runs.push(j.id!); return outcome(j); } });
    expect(q.add([job(1), job(1), job(2)])).toBe(2);
    await q.whenIdle();
    expect(q.add([job(1)])).toBe(0);
    await q.whenIdle();
    expect(runs.sort()).toEqual([job(1).callId, job(2).callId]);
    expect(q.counts().completed).toBe(2);
    await q.close();
  });

  it('retries with backoff, then fails and reports the failure once', async () => {
    const attempts: number[] = [];
    const failed: string[] = [];
    const q = new InProcessQueue({
      concurrency: 1, retry: { attempts: 3, backoffMs: 1 },
      processor: async (j) => { attempts.push(j.attemptsMade ?? -1); throw new Error('database unavailable'); },
      onFailed: (j, reason) => { failed.push(`${j.callId} ${reason}`); },
    });
    q.add([job(3)]);
    await q.whenIdle();
    expect(attempts).toEqual([0, 1, 2]);
    expect(failed).toEqual([`${job(3).callId} database unavailable`]);
    expect(q.getFailed()).toEqual([expect.objectContaining({ id: job(3).callId, reason: 'database unavailable', attemptsMade: 3 })]);
    await q.close();
  });

  it('fails an unrecoverable job at once, and retryJob runs it again from the first attempt', async () => {
    let calls = 0;
    const q = new InProcessQueue({
      concurrency: 1, retry: { attempts: 5, backoffMs: 1 },
      processor: async (j) => { calls++; if (calls === 1) throw new UnrecoverableError('ANALYSIS_BAD_PAYLOAD: no'); return outcome(j); },
    });
    q.add([job(4)]);
    await q.whenIdle();
    expect(calls).toBe(1);
    expect(q.getState(job(4).callId)).toBe('failed');
    expect(q.retryJob(job(4).callId)).toBe(true);
    await q.whenIdle();
    expect(q.getState(job(4).callId)).toBe('completed');
    expect(q.retryJob(job(4).callId)).toBe(false);
    await q.close();
  });

  it('aborts running jobs on close', async () => {
    let aborted = false;
    const q = new InProcessQueue({
      concurrency: 1,
      processor: (j, _t, signal) => new Promise((_, reject) => signal!.addEventListener('abort', () => { aborted = true; reject(new Error('aborted')); })),
    });
    q.add([job(5)]);
    await q.close();
    expect(aborted).toBe(true);
    expect(() => q.add([job(6)])).toThrow(/closed/);
  });
});

/** An in-memory post_call_outbox with the repository's interface. */
class FakeOutbox {
  rows: Array<OutboxEntry & { sent: boolean }> = [];
  add(callId: string): void {
    this.rows.push({ id: this.rows.length + 1, callId, createdAt: new Date(), attempts: 0, lastError: null, sent: false });
  }
  async pending(limit = 100): Promise<OutboxEntry[]> {
    return this.rows.filter((r) => !r.sent).slice(0, limit);
  }
  async markSent(ids: readonly string[]): Promise<number> {
    let n = 0;
    for (const r of this.rows) if (!r.sent && ids.includes(r.callId)) { r.sent = true; r.attempts++; r.lastError = null; n++; }
    return n;
  }
  async markFailed(callId: string, error: string): Promise<void> {
    const r = this.rows.find((x) => x.callId === callId);
    if (r) { r.attempts++; r.lastError = error; }
  }
}

class SwitchablePublisher implements JobPublisher {
  up = true;
  published: PostCallJob[] = [];
  async publish(jobs: readonly PostCallJob[]): Promise<void> {
    if (!this.up) throw new Error('connect ECONNREFUSED 127.0.0.1:1');
    this.published.push(...jobs);
  }
  async close(): Promise<void> {}
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

describe('OutboxRelay', () => {
  const verticalsOf = async (ids: readonly string[]) => new Map(ids.map((id) => [id, 'salon']));

  it('publishes unsent rows with ids only and marks them sent', async () => {
    const outbox = new FakeOutbox();
    const publisher = new SwitchablePublisher();
    for (let i = 1; i <= 5; i++) outbox.add(job(i).callId);
    const relay = new OutboxRelay({ outbox, verticalsOf, publisher, pollMs: 10_000, batchSize: 2 });
    expect(await relay.publishPending()).toEqual({ published: 5, failed: false });
    expect(publisher.published).toEqual([1, 2, 3, 4, 5].map(job));
    expect(Object.keys(publisher.published[0]!).sort()).toEqual(['callId', 'vertical']);
    expect(await outbox.pending()).toEqual([]);
  });

  it('keeps rows while the queue is down, backs off, and publishes them when it returns', async () => {
    const outbox = new FakeOutbox();
    const publisher = new SwitchablePublisher();
    publisher.up = false;
    const relay = new OutboxRelay({ outbox, verticalsOf, publisher, pollMs: 5, backoffBaseMs: 5, backoffMaxMs: 20 });
    relay.start();
    outbox.add(job(1).callId);
    outbox.add(job(2).callId);
    relay.nudge();
    await until(() => relay.backoffLevel >= 2);
    expect((await outbox.pending()).length).toBe(2);
    expect(outbox.rows[0]!.lastError).toMatch(/publish failed: connect ECONNREFUSED/);
    publisher.up = true;
    await until(() => relay.backoffLevel === 0 && outbox.rows.every((r) => r.sent));
    expect(publisher.published).toEqual([job(1), job(2)]);
    await relay.stop();
  });

  it('counts a publish that never answers as failed', async () => {
    const outbox = new FakeOutbox();
    outbox.add(job(1).callId);
    const hung: JobPublisher = { publish: () => new Promise(() => undefined), close: async () => undefined };
    const relay = new OutboxRelay({ outbox, verticalsOf, publisher: hung, pollMs: 10_000, publishTimeoutMs: 20 });
    expect(await relay.publishPending()).toEqual({ published: 0, failed: true });
    expect(outbox.rows[0]!.sent).toBe(false);
  });
});
