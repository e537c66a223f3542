/**
 * A FIFO mutex. PGlite is one connection: every statement, transaction and remote wire
 * session runs through one of these so they never interleave.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  /** Runs fn when every earlier holder has finished. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(() => undefined, () => undefined);
    return result;
  }

  /** Takes the queue until the returned release function is called (idempotent). */
  async lease(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let acquired!: () => void;
    const ready = new Promise<void>((resolve) => { acquired = resolve; });
    void this.run(() => { acquired(); return held; });
    await ready;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  }
}
