import {
  DEFAULT_ORACLE_CORPUS,
  DEFAULT_WORLD,
  formatPrompt,
  formatQa,
  generateCorpus,
  generateOracleCorpus,
  oracleRepetitions,
} from '../../models/recipe';

const corpus = generateCorpus(DEFAULT_WORLD);
const oracle = generateOracleCorpus(corpus);
const refusal = corpus.options.refusal;
const counts = new Map<string, number>();
for (const s of oracle.samples) counts.set(s, (counts.get(s) ?? 0) + 1);

describe('the oracle\'s training text (models/recipe/oracle.ts)', () => {
  test('is deterministic', () => {
    expect(generateOracleCorpus(generateCorpus(DEFAULT_WORLD)).samples).toEqual(oracle.samples);
  });

  test('never holds a held-out question, nor any fact\'s held-back phrasing', () => {
    const prompts = new Set(corpus.facts.map((f) => formatPrompt(f.evalQuestion)));
    const heldoutUnseen = corpus.facts.filter((f) => f.split === 'heldout' && f.bucket === 'unseen');
    expect(heldoutUnseen.length).toBeGreaterThan(100);
    for (const s of oracle.samples) {
      const prompt = /^Question: [^\n]*\nAnswer:/.exec(s)?.[0];
      if (prompt === undefined) continue;
      // a sidecar-train unseen fact's own question is trained (with the refusal); a held-out one never
      const f = corpus.facts.find((x) => formatPrompt(x.evalQuestion) === prompt);
      if (prompts.has(prompt)) expect([prompt, f?.split, f?.bucket]).toEqual([prompt, 'sidecar-train', 'unseen']);
    }
    for (const f of heldoutUnseen) {
      for (const q of f.questions) expect(counts.has(formatQa(q, refusal))).toBe(false);
    }
  });

  test('reads every written-about fact at least minRepetitions times; refuses every phrasing of sidecar-train unseen facts', () => {
    for (const f of corpus.facts) {
      if (f.repetitions === 0) {
        const refusals = f.questions.map((q) => counts.get(formatQa(q, refusal)) ?? 0);
        expect(refusals).toEqual(f.questions.map(() => (f.split === 'sidecar-train' ? DEFAULT_ORACLE_CORPUS.refusalRepetitions : 0)));
        expect(f.statements.some((s) => counts.has(s))).toBe(false);
        continue;
      }
      const lines = [...f.questions.filter((q) => q !== f.evalQuestion).map((q) => formatQa(q, f.answers[0])), ...f.statements];
      const n = lines.reduce((sum, l) => sum + (counts.get(l) ?? 0), 0);
      expect([f.id, n]).toEqual([f.id, oracleRepetitions(f.repetitions, DEFAULT_ORACLE_CORPUS)]);
      expect(n).toBeGreaterThanOrEqual(DEFAULT_ORACLE_CORPUS.minRepetitions);
    }
    expect(oracle.refusalLines).toBe(corpus.facts.filter((f) => f.repetitions === 0 && f.split === 'sidecar-train').reduce((s, f) => s + f.questions.length, 0));
  });
});
