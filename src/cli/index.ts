import { Command } from 'commander';
import { commandModules } from './commands';
import { exitQuietlyOnBrokenPipe } from './output';

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
