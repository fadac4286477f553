import {
  checkAgreement,
  checkEntailment,
  defaultSolvers,
  parseFormula as P,
  renderProblem,
  shutdownZ3,
  solve,
  solverNote,
} from '../../src/logic';
import { binaryVersion } from '../../src/logic/smt/process';

afterAll(shutdownZ3);

describe('checkEntailment (classical FOL)', () => {
  it('proves a syllogism', async () => {
    const r = await checkEntailment([P('∀x (Man(x) → Mortal(x))'), P('Man(socrates)')], P('Mortal(socrates)'));
    expect(r.answer).toBe('True');
    expect(r.inconsistent).toBe(false);
  });

  it('answers Uncertain for affirming the consequent, with a countermodel', async () => {
    const r = await checkEntailment([P('∀x (Man(x) → Mortal(x))'), P('Mortal(socrates)')], P('Man(socrates)'));
    expect(r.answer).toBe('Uncertain');
    expect(r.undecided).toBe(false);
    expect(r.counterModel?.atoms).toEqual({ 'Man(socrates)': false, 'Mortal(socrates)': true });
  });

  it('answers False when the negation follows', async () => {
    const r = await checkEntailment([P('∀x (Bird(x) → ¬Mammal(x))'), P('Bird(tweety)')], P('Mammal(tweety)'));
    expect(r.answer).toBe('False');
  });

  it('handles equality, functions, ⊕ and ↔', async () => {
    const r = await checkEntailment(
      [P('father(abel) = adam'), P('∀x (Human(father(x)) ↔ Human(x))'), P('Human(adam) ⊕ Angel(adam)'), P('¬Angel(adam)')],
      P('Human(abel)'),
    );
    expect(r.answer).toBe('True');
  });

  it('reports inconsistent premises with their unsat core', async () => {
    const r = await checkEntailment(
      [P('∀x (Thinks(x) → Exists(x))'), P('Raining'), P('Thinks(i)'), P('¬Exists(i)')],
      P('Doubts(i)'),
    );
    expect(r.inconsistent).toBe(true);
    expect(r.answer).toBe('Uncertain');
    expect(r.unsatCore?.map((c) => c.index).sort()).toEqual([0, 2, 3]);
  });

  it('refuses modal formulas', async () => {
    await expect(checkEntailment([P('□p')], P('p'))).rejects.toThrow(/modal/);
  });
});

describe('solver portfolio', () => {
  it('uses cvc5 beside Z3 when it is installed, and says which', async () => {
    const r = await checkEntailment([P('∀x (P(x) → Q(x))'), P('P(a)')], P('Q(a)'));
    const ran = new Set(r.reports.map((x) => x.solver));
    if (binaryVersion('cvc5')) {
      expect(defaultSolvers()).toEqual(['z3', 'cvc5']);
      expect(ran).toEqual(new Set(['z3', 'cvc5']));
      expect(solverNote()).toMatch(/cvc5/);
    } else {
      expect(defaultSolvers()).toEqual(['z3']);
      expect(ran).toEqual(new Set(['z3']));
      expect(solverNote()).toMatch(/Z3 only/);
    }
    expect(r.answer).toBe('True');
  });

  it('gets the same verdicts from each solver alone and cross-checked', async () => {
    const cases: [string[], string, string][] = [
      [['∀x (P(x) → Q(x))', '∃x P(x)'], '∃x Q(x)', 'True'],
      [['∀x ∃y R(x, y)'], '∃y ∀x R(x, y)', 'Uncertain'],
      [['∀x (P(x) ∨ Q(x))', '¬P(a)'], '¬Q(a)', 'False'],
    ];
    for (const solvers of [['z3'], ...(binaryVersion('cvc5') ? [['cvc5']] : [])] as ('z3' | 'cvc5')[][]) {
      for (const [prem, concl, want] of cases) {
        const r = await checkEntailment(prem.map(P), P(concl), { solvers, crossCheck: true });
        expect([solvers, concl, r.answer]).toEqual([solvers, concl, want]);
      }
    }
  });

  it('with cvc5 installed: the first definitive answer wins and the other solver is cancelled', async () => {
    if (!binaryVersion('cvc5')) {
      expect(defaultSolvers()).toEqual(['z3']); // Z3 alone, and solverNote() says so (above)
      return;
    }
    const problems = [
      ['∀x (P(x) → Q(x))', 'P(a)', '¬Q(a)'],
      ['∀x ∃y R(x, y)', '¬∃y ∀x R(x, y)'],
      ['∀x (Thinks(x) → Exists(x))', 'Thinks(i)'],
      ['p ∨ q', '¬p', '¬q'],
      ['∀x ∀y (R(x, y) → R(y, x))', 'R(a, b)', '¬R(b, a)'],
    ];
    const losers: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (const fs of problems) {
        const r = await solve(renderProblem(fs.map((t) => P(t))).script);
        expect(r.winner).not.toBeNull();
        expect(r.reports.map((x) => x.solver).sort()).toEqual(['cvc5', 'z3']);
        const winner = r.reports.find((x) => x.solver === r.winner)!;
        expect(winner.status).toBe(r.status);
        const loser = r.reports.find((x) => x.solver !== r.winner)!;
        // The loser was stopped, or finished with the same answer before it could be.
        expect(['cancelled', r.status]).toContain(loser.status);
        losers.push(loser.status);
      }
    }
    expect(losers).toContain('cancelled');
  });

  it('reports a disagreement between solvers as an error', () => {
    expect(() =>
      checkAgreement([
        { solver: 'z3', status: 'sat', ms: 1 },
        { solver: 'cvc5', status: 'unsat', ms: 2 },
      ]),
    ).toThrow(/disagree: z3 says sat, cvc5 says unsat/);
    expect(() => checkAgreement([{ solver: 'z3', status: 'sat', ms: 1 }, { solver: 'cvc5', status: 'unknown', ms: 2 }])).not.toThrow();
  });

  it('honours timeouts and cancels every solver', async () => {
    // A strict order without an end has only infinite models: model finders search forever.
    const noFiniteModel = [P('∀x ¬Less(x, x)'), P('∀x ∀y ∀z (Less(x, y) ∧ Less(y, z) → Less(x, z))'), P('∀x ∃y Less(x, y)')];
    const lines = [renderProblem(noFiniteModel).script];
    const t0 = Date.now();
    const r = await solve(lines.join('\n'), { timeoutMs: 300 });
    expect(r.status).toBe('unknown');
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
