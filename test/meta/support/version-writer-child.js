'use strict';
// Child for the SIGKILL test of the learner store: writes versions of a real meta-learner forever
// (the GGUF, its line, and for every other one the current pointer) and prints each version only
// after store.record() returned.
require('../../vks/support/ts-hook');
const { LearnerStore, versionFileName } = require('../../../src/meta/learner-store.ts');
const { loadMetaLearner } = require('../../../src/meta/learner.ts');

const [dir, learnerPath, fingerprint] = process.argv.slice(2);

async function main() {
  const store = new LearnerStore(dir);
  const learner = await loadMetaLearner(learnerPath, { baseFingerprint: fingerprint });
  for (let i = 0; ; i++) {
    const version = store.nextVersion();
    const file = versionFileName(version);
    await learner.save(store.pathOf({ file }));
    const accepted = i % 2 === 0;
    store.record({ version, file, createdAt: new Date().toISOString(), baseFingerprint: fingerprint, rows: version, trainingRows: version, validationRows: 0, accepted, reason: 'written by the crash test', validation: null, against: null, metrics: null });
    process.stdout.write(`${version} ${accepted}\n`);
  }
}
main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
