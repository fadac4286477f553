'use strict';
// Runs the whole `cogito` command line from the TS sources, as bin/cogito.js runs the built one.
require('../../vks/support/ts-hook');
require('../../../src/cli/index.ts').run(process.argv);
