import { Command } from 'commander';
import { AppError, describeError } from '../shared/index.js';

/** Exit codes the CLI uses: 0 ok, 1 a check failed (invalid manifest, failed scenario), 2 usage/config/runtime error. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_ERROR = 2;

/** Output channel for commands, replaceable in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
};

/** A command sets the exit code it wants through this holder instead of calling process.exit. */
export interface CliRun {
  io: CliIo;
  exitCode: number;
}

export type RegisterCommand = (program: Command, run: CliRun) => void;

/** Turns an error into one readable line and the exit code it deserves. */
export function reportError(run: CliRun, err: unknown): void {
  const line = err instanceof AppError ? `error ${err.code}: ${err.message}` : `error: ${describeError(err)}`;
  run.io.err(line);
  run.exitCode = EXIT_ERROR;
}

/** Wraps an async action so a thrown error prints one line and sets the exit code. */
export function action<A extends unknown[]>(run: CliRun, fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      reportError(run, err);
    }
  };
}
