'use strict';
// Runs `cogito <args>` with only the sidecar commands registered (inspect, export, sidecar create), from the TS sources.
require('../../vks/support/ts-hook');
const { Command } = require('commander');
const mod = require('../../../src/cli/commands/sidecar.ts');

const program = new Command().name('cogito');
mod.register(program);
const { reportFailure } = require('../../../src/cli/errors.ts');
program.parseAsync(process.argv.slice(2), { from: 'user' }).catch((err) => process.exit(reportFailure(err)));
