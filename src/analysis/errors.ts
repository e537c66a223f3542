import { AppError, type AppErrorOptions } from '../shared/index.js';

/**
 * Codes: ANALYSIS_BAD_PAYLOAD, ANALYSIS_CALL_NOT_FOUND, ANALYSIS_CALL_NOT_ENDED, ANALYSIS_VERTICAL_MISMATCH,
 * ANALYSIS_UNKNOWN_VERTICAL, ANALYSIS_INVALID_RESULT (never retried: the input is wrong) and
 * ANALYSIS_MODEL_MALFORMED, ANALYSIS_MODEL_SCHEMA, ANALYSIS_MODEL_UNAVAILABLE (retried with backoff),
 * ANALYSIS_MODEL_REJECTED, ANALYSIS_MODEL_REFUSED (not retried).
 */
export class AnalysisError extends AppError {
  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(code, message, options);
  }
}
