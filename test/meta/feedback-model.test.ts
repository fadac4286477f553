// The feedback buffer names the base model that drafted each answer (answers.model, a fingerprint):
// recorded and read back, listed in order, and added to a buffer file written before the column
// existed (a reader of such a file sees null, a writer adds the column and keeps every row).
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FeedbackBuffer, MetaError } from '../../src/meta';
import { tempDir } from '../support/engine';

let dir: string;
beforeEach(() => (dir = tempDir('cogito-meta-model-')));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const answer = (answerId: string, model?: string | null) => ({ answerId, question: `question ${answerId}?`, draft: 'Vekevin', status: 'VERIFIED', signals: null, ...(model !== undefined ? { model } : {}) });

test('each answer keeps the fingerprint of its base (null when none is given); registered() lists them in order', () => {
  const buffer = FeedbackBuffer.open(path.join(dir, 'feedback.db'));
  try {
    buffer.registerAnswer({ ...answer('a'), model: 'fp-1', createdAt: new Date(1000) });
    buffer.registerAnswer({ ...answer('b'), createdAt: new Date(2000) });
    buffer.registerAnswer({ ...answer('c', 'fp-2'), createdAt: new Date(3000) });
    expect(buffer.answer('a')?.model).toBe('fp-1');
    expect(buffer.answer('b')?.model).toBeNull();
    expect(buffer.registered().map((r) => [r.answerId, r.model])).toEqual([['a', 'fp-1'], ['b', null], ['c', 'fp-2']]);
    expect(() => buffer.registerAnswer(answer('d', ''))).toThrow(MetaError);
    expect(() => buffer.registerAnswer(answer('e', 42 as unknown as string))).toThrow(/fingerprint/);
    expect(buffer.registeredAnswers()).toBe(3);
  } finally {
    buffer.close();
  }
});

test('a buffer written before the model column: read-only it reads null, a writer adds the column and keeps the rows', () => {
  const file = path.join(dir, 'feedback.db');
  const first = FeedbackBuffer.open(file);
  first.registerAnswer(answer('old'));
  first.close();
  // the file as the first version-1 buffers were: answers without the column
  const db = new Database(file);
  db.exec('ALTER TABLE answers DROP COLUMN model');
  db.close();

  const reader = FeedbackBuffer.open(file, { readonly: true });
  expect(reader.registered().map((r) => [r.answerId, r.model])).toEqual([['old', null]]);
  reader.close();

  const writer = FeedbackBuffer.open(file);
  try {
    writer.registerAnswer(answer('new', 'fp-1'));
    expect(writer.registered().map((r) => [r.answerId, r.model])).toEqual([['old', null], ['new', 'fp-1']]);
  } finally {
    writer.close();
  }
});
