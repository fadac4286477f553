'use strict';
// Runs one of our CLI command modules (argv[2]: vks | corpus) as `cogito` would, from the TS sources.
require('./ts-hook');
const { Command } = require('commander');
const mod = require(`../../../src/cli/commands/${process.argv[2]}.ts`);

const program = new Command().name('cogito');
mod.register(program);
const { reportFailure } = require('../../../src/cli/errors.ts');
program.parseAsync(process.argv.slice(2), { from: 'user' }).catch((err) => process.exit(reportFailure(err)));
