'use strict';
// Child for the SIGKILL test: records outcomes forever and prints each row id only after record() returned.
require('../../vks/support/ts-hook');
const { FeedbackBuffer } = require('../../../src/meta/feedback.ts');
const { SIGNAL_NAMES, SIGNALS_VERSION } = require('../../../src/meta/signals.ts');

const [dbPath, tag] = process.argv.slice(2);
const buffer = FeedbackBuffer.open(dbPath);
for (let i = 0; ; i++) {
  const correct = i % 3 !== 0;
  const outcome = buffer.record({
    answerId: `${tag}-${Math.floor(i / 2)}`,
    question: `${tag} question ${i}: ${'padding '.repeat(100)}`,
    claim: `claim ${i}`,
    source: ['solver', 'oracle', 'correction', 'user'][i % 4],
    verdict: correct ? 'correct' : 'incorrect',
    failure: correct ? undefined : 'wrong-fact',
    signals: { vector: SIGNAL_NAMES.map((_, k) => i + k / 10), version: SIGNALS_VERSION },
  });
  process.stdout.write(`${outcome.id}\n`);
}
