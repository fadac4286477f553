import type { Command } from 'commander';

export interface CommandModule {
  register(program: Command): void;
}

// One line per command module; keep sorted.
export const commandModules: CommandModule[] = [];
