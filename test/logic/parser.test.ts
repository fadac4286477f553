import { canonicalForm, formulaToString, FormulaParseError, parseFormula } from '../../src/logic';
import type { Formula } from '../../src/logic';

describe('parseFormula', () => {
  it('reads Unicode connectives with the documented precedence', () => {
    const f = parseFormula('∀x (P(x) ∧ Q(x) ∨ R(x) → S(x) ↔ T(x))');
    expect(f.kind).toBe('forall');
    const body = (f as Formula & { kind: 'forall' }).body;
    expect(body.kind).toBe('iff');
    expect(formulaToString(body)).toBe('(((P(x) ∧ Q(x)) ∨ R(x)) → S(x)) ↔ T(x)');
  });

  it('binds bound names as variables and free names as constants', () => {
    const f = parseFormula('∀x Loves(x, mary)') as Formula & { kind: 'forall' };
    const body = f.body as Formula & { kind: 'pred' };
    expect(body.args).toEqual([{ kind: 'var', name: 'x' }, { kind: 'const', name: 'mary' }]);
  });

  it('reads TPTP syntax, including modal operators of QMLTP', () => {
    const f = parseFormula('![X,Y]: (p(X) & ~q(Y) => (r <=> #box : s) | #dia : $true)');
    expect(formulaToString(f)).toBe('∀X,Y ((p(X) ∧ ¬q(Y)) → ((r ↔ □s) ∨ ◇⊤))');
    expect(parseFormula('a <~> b').kind).toBe('xor');
    expect(parseFormula('a <= b')).toEqual(parseFormula('b => a'));
  });

  it('gives TPTP quantifiers unit scope and Unicode quantifiers wide scope', () => {
    expect(parseFormula('![X]: p(X) => q').kind).toBe('implies');
    expect(parseFormula('∀x P(x) → Q(x)').kind).toBe('forall');
  });

  it('accepts FOLIO names: any script, hyphens, dots, plus signs, apostrophes', () => {
    const f = parseFormula('WrittenIn(c++, gpt-3) ∧ Visited(mr.smith, Ślą’sk) ∧ Grade(a+).');
    expect(formulaToString(f)).toBe('WrittenIn(c++, gpt-3) ∧ Visited(mr.smith, Ślą’sk) ∧ Grade(a+)');
  });

  it('reads equality, inequality, ⊤ ⊥, □ ◇ and ⊕', () => {
    expect(formulaToString(parseFormula('x = y ∧ a ≠ b ∧ ⊤ ∨ ⊥'))).toBe('((x = y) ∧ ¬(a = b) ∧ ⊤) ∨ ⊥');
    expect(formulaToString(parseFormula('□P → ◇P ⊕ Q'))).toBe('□P → (◇P ⊕ Q)');
  });

  it.each([
    ['P(a) ∧', 'expected a formula', 6],
    ['(P(a) ∨ Q(b)', "expected ')'", 12],
    ['P(a)) ', 'expected end of formula', 4],
    ['P(a) @ Q', 'unexpected character', 5],
    ['∀ (P(x))', 'expected a variable name', 2],
  ])('reports %j as a FormulaParseError at its position', (text, reason, position) => {
    let err: unknown;
    try {
      parseFormula(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FormulaParseError);
    expect((err as FormulaParseError).message).toContain(reason);
    expect((err as FormulaParseError).position).toBe(position);
  });

  it('round-trips through the printer', () => {
    for (const text of ['∀x ∃y (R(x, y) ⊕ ¬S(y))', '□(p → ◇q) ↔ ⊥', 'f(g(a)) = b']) {
      const f = parseFormula(text);
      expect(parseFormula(formulaToString(f))).toEqual(f);
    }
  });
});

describe('canonicalForm', () => {
  const same = (a: string, b: string): void => expect(canonicalForm(parseFormula(a))).toBe(canonicalForm(parseFormula(b)));
  const differ = (a: string, b: string): void =>
    expect(canonicalForm(parseFormula(a))).not.toBe(canonicalForm(parseFormula(b)));

  it('is invariant to renaming bound variables', () => {
    same('∀x (Thinks(x) → Exists(x))', '∀y (Thinks(y) → Exists(y))');
    same('∀x ∃y Loves(x, y)', '![A]: ?[B]: Loves(A, B)');
  });

  it('is invariant to order and grouping of ∧ ∨ ↔ ⊕ operands and to ∀x∀y order', () => {
    same('P ∧ (Q ∧ R)', 'R ∧ Q ∧ P');
    same('P ∨ Q ∨ P', 'Q ∨ P');
    same('(P ↔ Q) ↔ R', 'R ↔ (Q ↔ P)');
    same('∀x ∀y (P(x) ∧ P(y) ∧ Q(x))', '∀y ∀x (P(x) ∧ P(y) ∧ Q(x))');
    same('∀x,y (R(x, y) ∧ S(y))', '∀y ∀x (S(y) ∧ R(x, y))');
    same('¬¬P', 'P');
    same('a = b', 'b = a');
  });

  it('keeps formulas apart that differ in meaning', () => {
    differ('P → Q', 'Q → P');
    differ('∀x ∃y Loves(x, y)', '∃y ∀x Loves(x, y)');
    differ('∀x Loves(x, x)', '∀x ∀y Loves(x, y)');
    differ('∀x P(x)', '∃x P(x)');
    differ('P(a)', 'P(b)');
    differ('∀x R(x, a)', '∀x R(a, x)');
    differ('P ⊕ P', 'P');
  });
});
