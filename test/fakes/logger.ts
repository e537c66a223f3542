/** A Logger that keeps the messages of its warnings (for tests that a warning is, or is not, logged). */
import type { Logger } from '../../src/observability/logger.js';

export interface RecordingLogger extends Logger {
  readonly warnings: string[];
}

export function recordingLogger(): RecordingLogger {
  const warnings: string[] = [];
  const logger: RecordingLogger = {
    warnings,
    debug: () => undefined, info: () => undefined, error: () => undefined,
    warn: (msg) => { warnings.push(msg); },
    child: () => logger,
  };
  return logger;
}
