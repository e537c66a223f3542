/**
 * One error hierarchy for the whole framework. Every error carries a stable string `code`
 * (what callers branch on), an optional `cause`, and whether retrying can help. Only the HTTP
 * layer and the CLI turn codes into statuses and exit codes.
 */
export interface AppErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

/** Bad configuration: start-up stops with one line naming the key. */
export class ConfigError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('CONFIG_INVALID', message, options);
  }
}

/** Bad input from outside (carrier message, HTTP body, tool argument, job payload). */
export class InputError extends AppError {
  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(code, message, options);
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** A short, safe description of any thrown value: never a stack trace. */
export function describeError(err: unknown): string {
  if (err instanceof AppError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
