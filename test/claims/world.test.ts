import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { claimForAnswer, matchQuestion, readFrameStatement } from '../../src/claims';
import { CorpusIndex, FactualVerifier, loadDomainPack, loadPassagesFile, sameAnswer, type DomainPack, type Frame } from '../../src/corpus';

/**
 * The claims API on the default model's world as shipped (models/default.domain.json, the reference
 * corpus and the facts list): every held-out question is read as its fact's frame and subject, and
 * for every fact a right answer is never contradicted and a wrong one never supported — the corpus
 * decides what it states and nothing else.
 */
const MODELS = join(__dirname, '..', '..', 'models');

interface FactLine {
  id: string;
  frame: string;
  subject: string | null;
  answers: string[];
  bucket: string;
  heldout: boolean;
  inCorpus: boolean;
}

const jsonl = <T>(file: string): T[] =>
  readFileSync(join(MODELS, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);

/** Another answer of the frame's kind: a year moved by one, or the next word of the kind's list that is not an accepted answer. */
function wrongAnswer(pack: DomainPack, frame: Frame, answers: string[]): string | null {
  if (frame.answerKind === 'year') return String(Number(answers[0]) + 1);
  const list = pack.vocabulary.kinds[frame.answerKind];
  const i = list.findIndex((w) => answers.some((a) => sameAnswer(a, w)));
  for (let k = 1; k <= list.length; k++) {
    const w = list[(i + k) % list.length];
    if (!answers.some((a) => sameAnswer(a, w))) return w;
  }
  return null; // a kind whose every word is an accepted answer ("six", "6")
}

describe('the default world through the claims API', () => {
  const pack = loadDomainPack(join(MODELS, 'default.domain.json'));
  const facts = jsonl<FactLine>('default.facts.jsonl');
  const heldout = jsonl<{ id: string; question: string; answers: string[] }>('default.heldout.jsonl');
  const corpus = new CorpusIndex();
  corpus.add(loadPassagesFile(join(MODELS, 'default.corpus.jsonl')));
  const verifier = new FactualVerifier(corpus, { pack, answerAliases: facts.map((f) => f.answers) });
  const frameOf = new Map(pack.frames.map((f) => [f.id, f]));
  afterAll(() => corpus.close());

  test('every held-out question is read as its fact: frame and subject', () => {
    const byId = new Map(facts.map((f) => [f.id, f]));
    const wrong: string[] = [];
    for (const q of heldout) {
      const fact = byId.get(q.id)!;
      const m = matchQuestion(q.question, pack);
      if (!m || m.frame.id !== fact.frame || m.subject !== fact.subject) wrong.push(`${q.question} -> ${m ? `${m.frame.id}/${m.subject}` : 'none'}`);
    }
    expect(wrong).toEqual([]);
  });

  test('every fact: the right answer is supported when the corpus has it, a wrong one contradicted with the correction; neither decided when it has not', () => {
    const problems: string[] = [];
    const counts = { supported: 0, contradicted: 0, notFound: 0 };
    for (const fact of facts) {
      const frame = frameOf.get(fact.frame)!;
      const match = { frame, subject: fact.subject };
      const right = claimForAnswer(match, fact.answers[0]);
      const stated = readFrameStatement(right, pack);
      if (!stated || stated.frame.id !== frame.id) problems.push(`${fact.id}: "${right}" is read as ${stated?.frame.id ?? 'nothing'}`);
      const r = verifier.verify(right, { frame, subject: fact.subject, answer: fact.answers[0] });
      const other = wrongAnswer(pack, frame, fact.answers);
      const w = other === null ? null : verifier.verify(claimForAnswer(match, other));
      const found = verifier.findAnswer(match);
      if (fact.inCorpus) {
        if (r.verdict !== 'SUPPORTED') problems.push(`${fact.id}: right answer ${r.verdict} (${r.reason})`);
        if (w && (w.verdict !== 'CONTRADICTED' || !fact.answers.some((a) => sameAnswer(a, w.correction ?? '')))) {
          problems.push(`${fact.id}: wrong answer ${w.verdict}, correction ${w.correction} (${w.reason})`);
        }
        if (!found || !fact.answers.some((a) => sameAnswer(a, found.answer))) problems.push(`${fact.id}: findAnswer ${found?.answer ?? 'null'}`);
      } else {
        if (r.verdict !== 'NOT_FOUND') problems.push(`${fact.id} (not in corpus): right answer ${r.verdict} (${r.reason})`);
        if (w && w.verdict !== 'NOT_FOUND') problems.push(`${fact.id} (not in corpus): wrong answer ${w.verdict} (${w.reason})`);
        if (found) problems.push(`${fact.id} (not in corpus): findAnswer ${found.answer}`);
      }
      counts[r.verdict === 'SUPPORTED' ? 'supported' : r.verdict === 'CONTRADICTED' ? 'contradicted' : 'notFound']++;
    }
    expect(problems.slice(0, 20)).toEqual([]);
    expect(counts.supported).toBe(facts.filter((f) => f.inCorpus).length);
  });
});
