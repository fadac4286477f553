// Bootstrap's questions: drawn by a seeded shuffle from the default model's domain pack (frame
// phrasings × the subjects of their kind), never a fact or a question of its held-out file.
import * as path from 'node:path';
import { readQuestionFile } from '../../src/cascade/batch';
import { loadDomainPack } from '../../src/corpus/domain';
import { domainQuestions, drawBootstrapQuestions, heldOutOf } from '../../src/meta';
import { repoRoot } from '../support/engine';

const pack = loadDomainPack(path.join(repoRoot, 'models', 'default.domain.json'));
const heldOutLines = readQuestionFile(path.join(repoRoot, 'models', 'default.heldout.jsonl'));
const heldOut = heldOutOf(heldOutLines);

test('500 questions by default, none about a held-out fact or worded as a held-out question, the same for the same seed', () => {
  const drawn = drawBootstrapQuestions(pack, { count: 500, seed: 1, heldOut });
  expect(drawn).toHaveLength(500);
  expect(new Set(drawn.map((q) => q.question)).size).toBe(500);
  const heldQuestions = new Set(heldOutLines.map((l) => l.question.toLowerCase()));
  for (const q of drawn) {
    expect(heldOut.facts.has(q.fact)).toBe(false);
    expect(heldQuestions.has(q.question.toLowerCase())).toBe(false);
  }
  // every held-out id names a fact the pack can ask: the exclusion is by fact, whatever the phrasing
  const facts = new Set(domainQuestions(pack).map((q) => q.fact));
  expect(heldOutLines.filter((l) => !facts.has(l.id))).toEqual([]);
  expect(drawBootstrapQuestions(pack, { count: 500, seed: 1, heldOut })).toEqual(drawn);
  expect(drawBootstrapQuestions(pack, { count: 500, seed: 2, heldOut })).not.toEqual(drawn);
  // questions are filled in: no slot is left
  expect(drawn.filter((q) => q.question.includes('{'))).toEqual([]);
});

test('asking for more questions than the pack holds outside the held-out file, or for none, is a clear error', () => {
  const pool = domainQuestions(pack).filter((q) => !heldOut.facts.has(q.fact)).length;
  expect(() => drawBootstrapQuestions(pack, { count: pool + 1, seed: 1, heldOut })).toThrow(expect.objectContaining({ code: 'META_INVALID', message: expect.stringMatching(/fewer than/) }));
  expect(() => drawBootstrapQuestions(pack, { count: 0, seed: 1, heldOut })).toThrow(expect.objectContaining({ code: 'META_INVALID' }));
});
