'use strict';
// Child for the SIGKILL test: appends records forever and reports each id only after its commit returned.
require('./ts-hook');
const { Vks } = require('../../../src/vks/store.ts');

const [dbPath, tag] = process.argv.slice(2);
const vks = Vks.open(dbPath);
let prev = null;
for (let i = 0; ; i++) {
  const tier = i % 3 === 0 ? 'AXIOM' : 'DERIVED';
  const rec = vks.add({
    tier,
    text: `${tag} claim number ${i} about wax and extension`,
    status: 'VERIFIED',
    method: 'Z3',
    artifact: { i, tag, padding: 'x'.repeat(2000) },
    dependsOn: tier === 'DERIVED' && prev ? [prev] : [],
  });
  if (tier === 'AXIOM') prev = rec.id;
  process.stdout.write(`${rec.id}\n`);
}
