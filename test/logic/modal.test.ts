import * as path from 'node:path';
import { checkCountermodel, checkModal, parseFormula as P, readQmltpProblem, readStatements, runQmltp, shutdownZ3 } from '../../src/logic';
import type { KripkeModel, ModalLogic } from '../../src/logic';
import { finiteModelBound } from '../../src/logic/modal/bound';
import { SHARED_DATA } from './data';

afterAll(shutdownZ3);

const QMLTP = path.join(SHARED_DATA, 'qmltp-dev');

describe('modal validity by Kripke encoding', () => {
  // Each schema is valid exactly in the logics listed (among K, D, T, B, KB, S4, S5).
  const table: [string, ModalLogic[]][] = [
    ['□(p → q) → (□p → □q)', ['K', 'D', 'T', 'B', 'KB', 'S4', 'S5']],
    ['□p → ◇p', ['D', 'T', 'B', 'S4', 'S5']],
    ['□p → p', ['T', 'B', 'S4', 'S5']],
    ['p → □◇p', ['B', 'KB', 'S5']],
    ['□p → □□p', ['S4', 'S5']],
    ['◇p → □◇p', ['S5']],
  ];
  const logics: ModalLogic[] = ['K', 'D', 'T', 'B', 'KB', 'S4', 'S5'];
  it.each(table)('%s is valid exactly in %j', async (schema, validIn) => {
    for (const logic of logics) {
      const r = await checkModal([], P(schema), { logic, timeoutMs: 5000 });
      expect([logic, r.valid]).toEqual([logic, validIn.includes(logic)]);
      if (!r.valid) {
        expect(r.method).toBe('countermodel');
        expect(r.check?.holds).toBe(true);
        expect(r.countermodel?.worlds.length).toBeGreaterThan(0);
      }
    }
  });

  it('distinguishes local from global premises', async () => {
    // p true everywhere gives □p; p true at the actual world does not.
    expect((await checkModal([P('p')], P('□p'), { logic: 'K', premises: 'global' })).valid).toBe(true);
    const local = await checkModal([P('p')], P('□p'), { logic: 'K', premises: 'local' });
    expect(local.valid).toBe(false);
    expect(local.countermodel?.relation.length).toBeGreaterThan(0);
  });

  it('handles modal formulas with quantifiers and rigid constants (first-order translation)', async () => {
    expect((await checkModal([P('□∀x (Man(x) → Mortal(x))'), P('□Man(socrates)')], P('□Mortal(socrates)'), { logic: 'K' })).valid).toBe(true);
    // Barcan formula: valid with a constant domain, which is what the translation uses.
    expect((await checkModal([], P('(∀x □F(x)) → □∀x F(x)'), { logic: 'K' })).valid).toBe(true);
    const r = await checkModal([P('◇∃x F(x)')], P('∃x ◇G(x)'), { logic: 'S5' });
    expect(r.valid).toBe(false);
  });

  it('re-checks countermodels independently and rejects a wrong one', () => {
    const f = P('□p → p');
    const good: KripkeModel = { worlds: ['w0', 'w1'], actual: 'w0', relation: [['w0', 'w1']], valuation: { w0: [], w1: ['p'] } };
    expect(checkCountermodel(good, 'K', [], f, 'local').holds).toBe(true);
    // The same model is not a T model (not reflexive), and with p at w0 it is no countermodel.
    expect(checkCountermodel(good, 'T', [], f, 'local')).toMatchObject({ holds: false, frame: { reflexive: false } });
    expect(checkCountermodel({ ...good, valuation: { w0: ['p'], w1: ['p'] } }, 'K', [], f, 'local').holds).toBe(false);
  });

  it('uses finite-model bounds only where they are small', () => {
    // S5: one world plus one witness per modal sub-formula.
    expect(finiteModelBound([], P('◇p → □◇p'), 'S5', 'local', 64)).toBe(3);
    // K, local: a tree of depth 1 with one child per modal sub-formula.
    expect(finiteModelBound([], P('□p → p'), 'K', 'local', 64)).toBe(2);
    // Deep nesting with many modal sub-formulas has no small bound.
    expect(finiteModelBound([], P('□(□(□(□(a ∨ ◇b) ∨ ◇c) ∨ ◇d) ∨ ◇e) ∨ ◇(f ∧ □g ∧ □h ∧ ◇i)'), 'K', 'global', 64)).toBeNull();
  });
});

describe('QMLTP', () => {
  it('reads qmf statements and the status header', () => {
    const p = readQmltpProblem(path.join(QMLTP, 'SYM322+1.p'));
    expect(p.status.K).toEqual(['Non-Theorem', 'Non-Theorem', 'Non-Theorem']);
    expect(p.status.T).toEqual(['Theorem', 'Theorem', 'Theorem']);
    expect(p.axioms).toHaveLength(51);
    expect(p.conjecture).toEqual({ kind: 'false' });
    expect(readStatements("% c\nqmf(a, axiom, (#box : (p & q))).\nqmf(b,conjecture,$true).")).toEqual([
      { name: 'a', role: 'axiom', formula: '(#box : (p & q))' },
      { name: 'b', role: 'conjecture', formula: '$true' },
    ]);
  });

  it('reproduces the known statuses of a representative subset, and flags the wrong header', async () => {
    // Sider's theorems and non-theorems, a PSAT and a QBF problem; SYM122 claims Theorem in K and D wrongly.
    const subset = ['SYM102+1.p', 'SYM122+1.p', 'SYM138+1.p', 'SYM158+1.p', 'SYM322+1.p', 'SYM336+1.p'];
    const fs = await import('node:fs');
    const os = await import('node:os');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qmltp-'));
    for (const f of subset) fs.copyFileSync(path.join(QMLTP, f), path.join(dir, f));
    const r = await runQmltp(dir, { timeoutMs: 10000 });
    fs.rmSync(dir, { recursive: true });
    for (const l of ['K', 'D', 'T', 'S4', 'S5'] as const) {
      const s = r.logics[l]!;
      expect([l, s.undecided]).toEqual([l, 0]);
    }
    const wrong = r.cases.filter((c) => c.note.includes('countermodel exists'));
    expect(wrong.map((c) => `${c.problem} ${c.logic}`).sort()).toEqual(['SYM122+1 D', 'SYM122+1 K']);
    for (const c of wrong) expect(c.check?.holds).toBe(true);
    // ... and the second procedure (the tree-model encoding) finds a model as well.
    for (const c of wrong) expect([c.problem, c.logic, c.confirmation?.confirmed, c.confirmation?.answer]).toEqual([c.problem, c.logic, true, 'Non-Theorem']);
    for (const c of wrong) expect(c.note).toMatch(/confirmed by [KD] tree-model SMT encoding, \d+ worlds \(sat in [\d.]+ s/);
    // Every other known status agrees.
    const mismatches = r.cases.filter((c) => !c.note.includes('countermodel exists') && !c.note.includes('columns disagree'));
    expect(mismatches).toEqual([]);
    expect(r.slowest.ms).toBeLessThan(10000);
  });
});
