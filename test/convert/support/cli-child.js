'use strict';
// Runs one CLI command module (argv[2]: convert | generate | model | sidecar) as `cogito` would,
// from the TS sources, with the CLI's own failure report (one line, the code, the exit status).
// Loading one module, not the whole CLI, keeps each child's transpiling short.
require('../../vks/support/ts-hook');
const { Command } = require('commander');
const mod = require(`../../../src/cli/commands/${process.argv[2]}.ts`);

const program = new Command().name('cogito');
mod.register(program);
const { reportFailure } = require('../../../src/cli/errors.ts');
program.parseAsync(process.argv.slice(3), { from: 'user' }).catch((err) => process.exit(reportFailure(err)));
