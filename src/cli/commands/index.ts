import type { Command } from 'commander';
import * as generate from './generate';
import * as model from './model';

export interface CommandModule {
  register(program: Command): void;
}

// One line per command module; keep sorted.
export const commandModules: CommandModule[] = [generate, model];
