import type { Command } from 'commander';
import * as ask from './ask';
import * as chat from './chat';
import * as convert from './convert';
import * as corpus from './corpus';
import * as embed from './embed';
import * as feedback from './feedback';
import * as generate from './generate';
import * as info from './info';
import * as logic from './logic';
import * as loom from './loom';
import * as meta from './meta';
import * as model from './model';
import * as serve from './serve';
import * as sidecar from './sidecar';
import * as vks from './vks';

export interface CommandModule {
  register(program: Command): void;
}

// One line per command module; keep sorted.
export const commandModules: CommandModule[] = [ask, chat, convert, corpus, embed, feedback, generate, info, logic, loom, meta, model, serve, sidecar, vks];
