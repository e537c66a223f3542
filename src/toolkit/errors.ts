import { AppError, type AppErrorOptions } from '../shared/index.js';

/**
 * A failure a tool reports on purpose. `message` is said to the caller by the model, so it must
 * be safe and plain ("That time was just booked by someone else."), never internal detail.
 */
export class ToolError extends AppError {
  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(code, message, options);
  }
}

export const isToolError = (err: unknown): err is ToolError => err instanceof ToolError;
