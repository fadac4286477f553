'use strict';
// Runs one of our CLI command modules (argv[2]: vks | corpus | logic …) as `cogito` would, from the TS
// sources: a failure is one line and its exit status, a finished command ends the process.
require('./ts-hook');
const { Command } = require('commander');
const mod = require(`../../../src/cli/commands/${process.argv[2]}.ts`);
const { reportFailure } = require('../../../src/cli/errors.ts');
const { exitWhenWritten } = require('../../../src/cli/output.ts');

const program = new Command().name('cogito');
mod.register(program);
program.parseAsync(process.argv.slice(2), { from: 'user' }).then(exitWhenWritten, (err) => process.exit(reportFailure(err)));
