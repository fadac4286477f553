// A writer SIGKILLed in the middle of its write loop loses no outcome record() acknowledged, and
// leaves a file that opens (quick_check passes), reads back every acknowledged row and takes more.
import { join } from 'node:path';
import { FeedbackBuffer, SIGNAL_NAMES } from '../../src/meta';
import { killWriterAfter } from '../support/kill';
import { tempDir } from '../vks/helpers';

const CHILD = join(__dirname, 'support', 'writer-child.js');

test('a feedback writer killed with SIGKILL mid-write loses nothing committed and leaves a file that opens', async () => {
  const { dir, cleanup } = tempDir('cogito-meta-crash-');
  try {
    const path = join(dir, 'feedback.db');
    const first = await killWriterAfter(CHILD, [path, 'first'], 150);
    const second = await killWriterAfter(CHILD, [path, 'second'], 60); // reopens a buffer whose last writer died
    const buffer = FeedbackBuffer.open(path);
    try {
      expect(buffer.count()).toBeGreaterThanOrEqual(first.length + second.length);
      const ids = new Set(
        [...buffer.trainingRows()].flatMap((r) => buffer.outcomes(r.answerId).map((o) => String(o.id))),
      );
      for (const id of [...first, ...second]) expect(ids.has(id)).toBe(true);
      // an acknowledged row reads back whole: its signals are the vector the child wrote
      const last = buffer.outcomes(`first-${Math.floor((first.length - 1) / 2)}`).at(-1)!;
      expect(Array.from(last.signals)).toEqual(SIGNAL_NAMES.map((_, k) => Math.fround(first.length - 1 + k / 10)));
      // still writable after two violent deaths
      const after = buffer.record({
        answerId: 'after',
        question: 'after the crash',
        source: 'solver',
        verdict: 'correct',
        signals: { vector: new Array(SIGNAL_NAMES.length).fill(0), version: 1 },
      });
      expect(buffer.trueConfidence(after.answerId)).toBe(1);
    } finally {
      buffer.close();
    }
  } finally {
    cleanup();
  }
});
