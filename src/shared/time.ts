/** Milliseconds everywhere. `nowMs` is wall-clock; `monotonicMs` is for measuring durations. */
export const nowMs = (): number => Date.now();
export const monotonicMs = (): number => performance.now();
export const sleepMs = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
