import {
  checkDefeasible,
  checkParaconsistent,
  checkClaimPerTheory,
  crossTheoryConsistency,
  maximalConsistentSubsets,
  checkConsistency,
  parseFormula as P,
  shutdownZ3,
  MIND_BACKGROUND,
  MIND_THEORIES,
  CONTRADICTING_PAIRS,
  COMPATIBLE_PAIRS,
  mindTheory,
} from '../../src/logic';

afterAll(shutdownZ3);

describe('paraconsistent (Belnap four-valued) entailment', () => {
  it('does not explode on a contradiction, and shows the glut', async () => {
    const r = await checkParaconsistent([P('Conscious(zombie)'), P('¬Conscious(zombie)')], P('Exists(god)'));
    expect(r.entailed).toBe(false);
    expect(r.countermodel).toMatchObject({ 'Conscious(zombie)': 'both' });
    expect(r.gluts).toContain('Conscious(zombie)');
  });

  it('keeps what does follow, including from contradictory premises', async () => {
    expect((await checkParaconsistent([P('p'), P('¬p')], P('p'))).entailed).toBe(true);
    expect((await checkParaconsistent([P('p ∧ q')], P('q ∨ r'))).entailed).toBe(true);
    expect((await checkParaconsistent([P('∀x F(x)')], P('F(a)'))).entailed).toBe(true);
    expect((await checkParaconsistent([P('¬(p ∨ q)')], P('¬p ∧ ¬q'))).entailed).toBe(true);
  });

  it('loses disjunctive syllogism, as FDE does', async () => {
    const r = await checkParaconsistent([P('p ∨ q'), P('¬p')], P('q'));
    expect(r.entailed).toBe(false);
    expect(r.countermodel?.p).toBe('both');
  });
});

describe('defeasible reasoning with priorities', () => {
  const birds = {
    facts: [P('Penguin(tweety)'), P('Bird(polly)'), P('∀x (Penguin(x) → Bird(x))')],
    defaults: [
      { name: 'birds fly', formula: P('∀x (Bird(x) → Flies(x))'), priority: 1 },
      { name: 'penguins do not fly', formula: P('∀x (Penguin(x) → ¬Flies(x))'), priority: 2 },
    ],
  };

  it('lets the more specific default win and reports the defeated instance only', async () => {
    const r = await checkDefeasible(birds, P('Flies(tweety)'));
    expect(r.answer).toBe('False');
    expect(r.defeated).toEqual([{ default: 'birds fly', binding: { x: 'tweety' }, formula: 'Bird(tweety) → Flies(tweety)' }]);
    expect((await checkDefeasible(birds, P('Flies(polly)'))).answer).toBe('True');
  });

  it('ranks priorities lexicographically: one higher default outweighs many lower ones', async () => {
    const theory = {
      facts: [P('A(a)'), P('A(b)'), P('A(c)'), P('¬Q')],
      defaults: [
        { name: 'low', formula: P('∀x (A(x) → Q)'), priority: 1 },
        { name: 'high', formula: P('¬Q → R'), priority: 5 },
        { name: 'high2', formula: P('R → S'), priority: 5 },
      ],
    };
    const r = await checkDefeasible(theory, P('S'));
    expect(r.answer).toBe('True');
    expect(r.defeated.every((d) => d.default === 'low')).toBe(true);
  });

  it('says when the facts themselves are inconsistent', async () => {
    const r = await checkDefeasible({ facts: [P('p'), P('¬p')], defaults: [] }, P('q'));
    expect(r.inconsistentFacts).toBe(true);
  });
});

describe('microtheories (theories of consciousness)', () => {
  it('finds all 10 cross-theory contradictions, each with axioms from both theories in the conflict', async () => {
    let found = 0;
    for (const [a, b] of CONTRADICTING_PAIRS) {
      const r = await crossTheoryConsistency([mindTheory(a), mindTheory(b)], MIND_BACKGROUND);
      if (r.consistent === false) found++;
      const sources = new Set(r.conflict.map((c) => c.source));
      expect([a, b, sources.has(a), sources.has(b)]).toEqual([a, b, true, true]);
    }
    expect(found).toBe(10);
  });

  it('finds no contradiction where the theories agree on every case', async () => {
    for (const [a, b] of COMPATIBLE_PAIRS) {
      expect([a, b, (await crossTheoryConsistency([mindTheory(a), mindTheory(b)], MIND_BACKGROUND)).consistent]).toEqual([a, b, true]);
    }
  });

  it('checks a claim against each theory separately', async () => {
    const r = await checkClaimPerTheory(MIND_THEORIES, P('Conscious(silicon)'), MIND_BACKGROUND);
    const by = Object.fromEntries(r.map((x) => [x.theory, x.answer]));
    expect(by).toMatchObject({ functionalism: 'True', 'identity theory': 'False', GWT: 'True', HOT: 'True', IIT: 'Uncertain', physicalism: 'Uncertain' });
    const unfolded = await checkClaimPerTheory([mindTheory('IIT'), mindTheory('functionalism')], P('Conscious(unfolded)'), MIND_BACKGROUND);
    expect(unfolded.map((x) => x.answer)).toEqual(['False', 'True']);
  });

  it('enumerates maximal consistent subsets that are consistent and maximal', async () => {
    const sets = await maximalConsistentSubsets(MIND_THEORIES, MIND_BACKGROUND);
    expect(sets.length).toBeGreaterThan(3);
    const axioms = (names: string[]) => [...MIND_BACKGROUND, ...names.flatMap((n) => mindTheory(n).axioms.map((a) => a.formula))];
    for (const s of sets.slice(0, 4)) {
      expect((await checkConsistency(axioms(s))).consistent).toBe(true);
      const outside = MIND_THEORIES.map((t) => t.name).find((n) => !s.includes(n))!;
      expect((await checkConsistency(axioms([...s, outside]))).consistent).toBe(false);
    }
    // No set contains a contradicting pair.
    for (const s of sets) for (const [a, b] of CONTRADICTING_PAIRS) expect(s.includes(a) && s.includes(b)).toBe(false);
    expect(new Set(sets.map((s) => s.join('|'))).size).toBe(sets.length);
  });
});
