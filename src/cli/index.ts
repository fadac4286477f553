import { Command } from 'commander';
import { commandModules } from './commands';
import { reportFailure } from './errors';
import { exitQuietlyOnBrokenPipe, exitWhenWritten } from './output';

/** Builds the `cogito` program; each command lives in its own module under ./commands. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('cogito')
    .description('Local GGUF inference that reads its own activations and verifies what it says.')
    .showHelpAfterError();
  for (const mod of commandModules) mod.register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  exitQuietlyOnBrokenPipe();
  await buildProgram().parseAsync(argv);
}

/**
 * Runs `cogito` to the end, as bin/cogito.js does: a failure becomes one line on stderr and
 * the exit status of its category (./errors.ts); a finished command ends the process.
 */
export async function run(argv: string[]): Promise<void> {
  try {
    await main(argv);
  } catch (err) {
    // exit at once: a solver process or a native worker must not keep a failed command alive
    process.exit(reportFailure(err));
  }
  await exitWhenWritten();
}
