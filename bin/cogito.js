#!/usr/bin/env node
'use strict';
// Failures are reported (one line, an exit status by error code) in src/cli/errors.ts.
require('../dist/cli/index.js').run(process.argv);
