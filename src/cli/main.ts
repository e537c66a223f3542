import { Command, CommanderError } from 'commander';
import { processIo, EXIT_ERROR, type CliIo, type CliRun, type RegisterCommand } from './context.js';
import { commands } from './commands/index.js';

export function buildProgram(run: CliRun, registry: RegisterCommand[] = commands): Command {
  const program = new Command('switchboard')
    .description('Switchboard: AI voice agents on phone lines, declared in YAML.')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => run.io.out(s), writeErr: (s) => run.io.err(s) })
    .addHelpText('after', `
Examples:
  $ switchboard validate                 check every manifest under verticals/
  $ switchboard verticals --json         list the compiled verticals
  $ switchboard migrate                  apply database migrations
  $ switchboard seed salon               load the salon's demo data`);
  for (const register of registry) register(program, run);
  return program;
}

/** Runs the CLI and returns the exit code (never calls process.exit itself). */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const run: CliRun = { io, exitCode: 0 };
  const program = buildProgram(run);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_ERROR;
    io.err(`error: ${(err as Error).message}`);
    return EXIT_ERROR;
  }
  return run.exitCode;
}
