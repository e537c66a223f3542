/**
 * Carriers (Twilio) retry status callbacks and send one per call event; the handler should see
 * each (carrier, callSid, status) once. A bounded, insertion-ordered memory of what was forwarded; a duplicate
 * that arrives while the first is still being handled joins it.
 */
export class StatusDeduper {
  private readonly seen = new Map<string, Promise<void>>();

  constructor(private readonly capacity = 10_000) {}

  /** Runs `fn` for the first delivery of a key; returns whether this delivery ran it. */
  async run(key: string, fn: () => Promise<void>): Promise<boolean> {
    const prior = this.seen.get(key);
    if (prior) {
      await prior.catch(() => undefined);
      return false;
    }
    const p = fn();
    this.seen.set(key, p);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    try {
      await p;
    } catch (err) {
      // A failed delivery may be retried by the carrier: forget it so the retry runs again.
      this.seen.delete(key);
      throw err;
    }
    return true;
  }
}
