/**
 * Questions that pose an argument: every form is read into the premises and conclusion a
 * logician would write, decided in the logic the question names with FOLIO's three labels,
 * re-encoded when the first reading fails, and bad input is a CogitoError with a code.
 */
import {
  ARGUMENT_LIMITS,
  canonicalForm,
  CogitoError,
  decideArgumentQuestion,
  errorCategory,
  formulaToString,
  FormulaParseError,
  parseFormula,
  readArgumentQuestion,
  reencodeArgument,
  resolveLogic,
  shutdownZ3,
} from '../../src/logic';
import type { ArgumentQuestion } from '../../src/logic';

afterAll(shutdownZ3);

const show = (q: ArgumentQuestion | null): string[] | null => q && [...q.premises.map(canonicalForm), '⊢', canonicalForm(q.conclusion)];
const canon = (...fs: string[]): string[] => fs.map((f) => (f === '⊢' ? f : canonicalForm(parseFormula(f))));
const printed = (...fs: string[]): string[] => fs.map((f) => formulaToString(parseFormula(f)));

function read(text: string): ArgumentQuestion {
  const q = readArgumentQuestion(text);
  if (!q) throw new Error(`no argument read from: ${text}`);
  return q;
}

async function thrown(f: () => unknown): Promise<CogitoError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(CogitoError);
    return e as CogitoError;
  }
  throw new Error('expected a CogitoError');
}

describe('readArgumentQuestion', () => {
  const syllogism = canon('∀x (Man(x) → Mortal(x))', 'Man(socrates)', '⊢', 'Mortal(socrates)');

  it('reads the same argument from every form and notation', () => {
    const forms: [string, string][] = [
      ['Premises: All men are mortal. Socrates is a man. Conclusion: Socrates is mortal.', 'english'],
      ['Premises:\n- All men are mortal\n- Socrates is a man\nConclusion: Socrates is mortal', 'english'],
      ['Premise 1: Every man is mortal.\nPremise 2: Socrates is a man.\nConclusion: Socrates is mortal.', 'english'],
      ["Does 'Socrates is mortal' follow from 'all men are mortal' and 'Socrates is a man'?", 'english'],
      ['Is Socrates is mortal entailed by all men are mortal; Socrates is a man?', 'english'],
      ['Given that all men are mortal and Socrates is a man, does it follow that Socrates is mortal?', 'english'],
      ['All men are mortal. Socrates is a man. Therefore, Socrates is mortal.', 'english'],
      ['All men are mortal, Socrates is a man ⊢ Socrates is mortal', 'english'],
      ['Premises: ∀x (Man(x) → Mortal(x)); Man(socrates) Conclusion: Mortal(socrates)', 'folio'],
      ['Man(socrates), ![X]: (Man(X) => Mortal(X)) |- Mortal(socrates)', 'formula'],
      ['fof(a, axiom, ![X]: (Man(X) => Mortal(X))).\nfof(b, axiom, Man(socrates)).\nfof(c, conjecture, Mortal(socrates)).', 'tptp'],
    ];
    for (const [text, notation] of forms) {
      const q = read(text);
      expect([text, q.notation, q.logic]).toEqual([text, notation, 'classical']);
      expect(new Set(show(q))).toEqual(new Set(syllogism));
    }
  });

  it('reads the logic a question names', () => {
    expect(read('Premises: □p Conclusion: □□p. Is it valid in S4?').logic).toBe('S4');
    expect(read('In T: does p follow from □p?').logic).toBe('T');
    expect(read('Logic: KB\nPremises: p\nConclusion: □◇p').logic).toBe('KB');
    expect(read('Premises: P; ¬P Conclusion: Q (in LP)').logic).toBe('LP');
    expect(read('Premises: P; ¬P Conclusion: Q. Is it valid in classical logic?').logic).toBe('classical');
    expect(read('Premises: □p Conclusion: p').logic).toBe('K'); // modal, no logic named: the weakest
    expect(read('Premises: □p. Conclusion: p. Does the conclusion follow from the premises in T?').logic).toBe('T');
    // The asking after the conclusion is not part of it.
    for (const ask of ['Does it follow?', 'True, false, or uncertain?', 'Is the argument valid?']) {
      const q = read(`Premises: All men are mortal. Socrates is a man. Conclusion: Socrates is mortal. ${ask}`);
      expect(formulaToString(q.conclusion)).toBe('Mortal(socrates)');
    }
    expect(read('Premises: Birds normally fly. Tweety is a bird. Conclusion: Tweety flies.').logic).toBe('defeasible');
    expect(resolveLogic('s5')).toBe('S5');
    expect(resolveLogic('logic of paradox')).toBe('LP');
  });

  it('reads a defeasible premise as a default, not a fact', () => {
    const q = read('Premises: Birds normally fly. Tweety is a bird. Conclusion: Tweety flies.');
    expect(q.premises.map(formulaToString)).toEqual(printed('Bird(tweety)'));
    expect(q.defaults?.map(formulaToString)).toEqual(printed('∀x (Bird(x) → Fly(x))'));
    expect(read('Premises: default: ∀x (Bird(x) → Flies(x)); Bird(tweety) Conclusion: Flies(tweety)').defaults).toHaveLength(1);
  });

  it('reads a named argument of the library in a named logic', () => {
    const q = read('Is the Real Distinction argument valid in S4?');
    expect([q.notation, q.logic, q.source]).toEqual(['library', 'S4', 'library:real-distinction']);
    expect(formulaToString(q.conclusion)).toBe(formulaToString(parseFormula('□¬Identical')));
    expect(read('Is the zombie argument valid in K?').source).toBe('library:zombie');
    expect(read('Is the Cartesian Circle valid?').logic).toBe('classical'); // its own logic
    expect(read('Is the cogito sound?').source).toBe('library:cogito');
  });

  it('reads a claim in a theory of mind over the shared background', () => {
    const q = read('According to IIT, is the grid conscious?');
    expect([q.logic, formulaToString(q.conclusion)]).toEqual(['theory:IIT', 'Conscious(grid)']);
    expect(q.premises.length).toBeGreaterThan(6);
    expect(read('Is the robot conscious according to global workspace theory?').logic).toBe('theory:GWT');
  });

  it('returns null for a question that poses no argument', () => {
    for (const text of [
      '',
      '   ',
      'What is the capital of Uten?',
      'Is a passport valid in EU?',
      'Is it true that Descartes wrote the Meditations?',
      'I think, therefore I am.',
      'Is this valid?',
      'Is modus ponens valid?',
      'Socrates is wise; therefore I am.',
    ]) {
      expect([text, readArgumentQuestion(text)]).toEqual([text, null]);
    }
  });

  it('refuses bad input with a clear CogitoError', async () => {
    expect((await thrown(() => readArgumentQuestion('Is the cogito valid in S7?'))).code).toBe('INVALID_ARGUMENT');
    expect((await thrown(() => readArgumentQuestion('Premises: P Conclusion: P. Is it valid in relevance logic?'))).message).toMatch(/unknown logic 'relevance logic'/);
    expect((await thrown(() => readArgumentQuestion('Is the teleological argument valid in S5?'))).code).toBe('NOT_FOUND');
    const malformed = await thrown(() => readArgumentQuestion('Premises: ∀x (P(x) → ; Q(a) Conclusion: Q(a)'));
    expect(malformed).toBeInstanceOf(FormulaParseError);
    expect(errorCategory(malformed)).toBe('invalid-input');
    expect((await thrown(() => readArgumentQuestion('Premises: P(a) & Conclusion: P(a)'))).code).toBe('FORMULA_PARSE');
    expect((await thrown(() => readArgumentQuestion('Premises: Socrates frobs wildly around. Conclusion: P'))).code).toBe('FORMULA_PARSE');
    expect((await thrown(() => readArgumentQuestion('fof(a, axiom, p). fof(b, axiom, q).'))).code).toBe('INVALID_PROBLEM');
    const long = `Premises: ${'p ∧ '.repeat(ARGUMENT_LIMITS.maxChars / 4)}p Conclusion: p`;
    expect((await thrown(() => readArgumentQuestion(long))).code).toBe('OUT_OF_RANGE');
    const many = `Premises: ${Array.from({ length: ARGUMENT_LIMITS.maxPremises + 1 }, (_, i) => `p${i}`).join('; ')} Conclusion: p0`;
    expect((await thrown(() => readArgumentQuestion(many))).code).toBe('OUT_OF_RANGE');
    const q = read('Premises: p Conclusion: p');
    expect((await thrown(() => decideArgumentQuestion({ ...q, logic: 'S9' }))).code).toBe('INVALID_ARGUMENT');
    expect((await thrown(() => decideArgumentQuestion({ ...q, premises: Array(ARGUMENT_LIMITS.maxPremises + 1).fill(q.conclusion) }))).code).toBe('OUT_OF_RANGE');
    expect((await thrown(() => decideArgumentQuestion({ ...q, premises: [parseFormula('□p')], logic: 'classical' }))).code).toBe('UNSUPPORTED_FORMULA');
  });
});

describe('decideArgumentQuestion', () => {
  const decide = async (text: string): Promise<[string, string]> => {
    const d = await decideArgumentQuestion(read(text));
    expect(d.decided).toBe(true);
    return [d.answer, d.logic];
  };

  it("gives FOLIO's three labels classically, with a countermodel when not True", async () => {
    expect(await decide('Premises: All men are mortal. Socrates is a man. Conclusion: Socrates is mortal.')).toEqual(['True', 'classical']);
    expect(await decide('Premises: No man is immortal. Socrates is a man. Conclusion: Socrates is immortal.')).toEqual(['False', 'classical']);
    const d = await decideArgumentQuestion(read('Premises: All cats are animals. Rex is an animal. Conclusion: Rex is a cat.'));
    expect(d.answer).toBe('Uncertain');
    expect(d.countermodel).toMatchObject({ atoms: { 'Animal(rex)': true, 'Cat(rex)': false } });
    // No named individuals: the countermodel is a small explicit one.
    const s = await decideArgumentQuestion(read('Premises: All whales are mammals. Conclusion: All mammals are whales.'));
    expect(s.answer).toBe('Uncertain');
    expect(Object.keys((s.countermodel as { individuals: object }).individuals).length).toBeGreaterThan(0);
  });

  it('answers the same argument by the logic it is asked in', async () => {
    expect(await decide('In S4: does □□p follow from □p?')).toEqual(['True', 'S4']);
    expect(await decide('In K: does □□p follow from □p?')).toEqual(['Uncertain', 'K']);
    expect(await decide('In T: does ¬p follow from □¬p?')).toEqual(['True', 'T']);
    expect(await decide('In T: does p follow from □¬p?')).toEqual(['False', 'T']);
    // Explosion: classically the inconsistent premises entail anything; in LP and FDE they do not.
    expect(await decide('Premises: P; ¬P Conclusion: Q')).toEqual(['True', 'classical']);
    expect(await decide('Premises: P; ¬P Conclusion: Q (in LP)')).toEqual(['Uncertain', 'LP']);
    // Excluded middle: LP has no gaps, so it holds there; FDE has them, so it does not.
    expect(await decide('Premises: Q Conclusion: P ∨ ¬P (in LP)')).toEqual(['True', 'LP']);
    expect(await decide('Premises: Q Conclusion: P ∨ ¬P (in FDE)')).toEqual(['Uncertain', 'FDE']);
  });

  it('keeps a default until an exception defeats it', async () => {
    expect(await decide('Premises: Normally, birds fly. Pingu is a bird. Conclusion: Pingu flies.')).toEqual(['True', 'defeasible']);
    const d = await decideArgumentQuestion(read('Premises: Normally, birds fly. Pingu is a bird. Pingu is a penguin. No penguin flies. Conclusion: Pingu flies.'));
    expect([d.answer, d.logic]).toEqual(['False', 'defeasible']);
    expect(d.detail).toMatch(/defeated: Bird\(pingu\) → Fly\(pingu\)/);
  });

  it('says when a library argument stands only with its contested premises', async () => {
    const zombie = await decideArgumentQuestion(read('Is the zombie argument valid in S5?'));
    expect([zombie.answer, zombie.conditional]).toEqual(['True', true]);
    expect(zombie.detail).toMatch(/only with the contested premise\(s\) ZombiesConceivable → ◇/);
    expect(zombie.countermodel).toBeDefined();
    const cogito = await decideArgumentQuestion(read('Is the cogito valid?'));
    expect([cogito.answer, cogito.conditional]).toEqual(['True', undefined]);
  });

  it('decides a library argument and a theory-of-mind claim', async () => {
    expect(await decide('Is the Real Distinction argument valid in S5?')).toEqual(['True', 'S5']);
    expect(await decide('Is the Real Distinction argument valid in S4?')).toEqual(['Uncertain', 'S4']);
    expect(await decide('According to IIT, is the grid conscious?')).toEqual(['True', 'theory:IIT']);
    expect(await decide('According to GWT, is the grid conscious?')).toEqual(['False', 'theory:GWT']);
  });
});

describe('reencodeArgument', () => {
  it('offers the other quantifier scope, and it decides differently', async () => {
    const text = 'Premises: Every student admires some teacher. Conclusion: Some teacher is admired by every student.';
    expect((await decideArgumentQuestion(read(text))).answer).toBe('Uncertain');
    const variants = reencodeArgument(text);
    expect(variants.length).toBeGreaterThan(0);
    for (const v of variants) expect(v.source).toMatch(/^re-encode/);
    const answers = await Promise.all(variants.map(async (v) => [v.source, (await decideArgumentQuestion(v)).answer]));
    // Reading the premise with the object's quantifier wide (∃∀) makes the conclusion follow.
    expect(answers.some(([source, a]) => /premise 1 reading 2 of 2 \(quantifier or negation scope/.test(source) && a === 'True')).toBe(true);
  });

  it('re-encodes a sentence outside the grammar into one inside it', async () => {
    const text = 'Premises: Whoever is a Greek is a philosopher. All philosophers are mortal. Conclusion: Every Greek is mortal.';
    expect(() => readArgumentQuestion(text)).toThrow(FormulaParseError);
    const [v] = reencodeArgument(text);
    expect(v.source).toMatch(/whoever is A is B/);
    expect((await decideArgumentQuestion(v)).answer).toBe('True');
  });

  it('offers the generic reading of an indefinite subject', async () => {
    const text = 'Premises: A dog is an animal. Rex is a dog. Conclusion: Rex is an animal.';
    expect((await decideArgumentQuestion(read(text))).answer).toBe('Uncertain'); // "some dog is an animal"
    const generic = reencodeArgument(text).find((q) => /generic/.test(q.source));
    expect(generic && formulaToString(generic.premises[0])).toBe(formulaToString(parseFormula('∀x (Dog(x) → Animal(x))')));
    expect((await decideArgumentQuestion(generic!)).answer).toBe('True');
  });

  it("reads TPTP's unit-scope quantifier with wide scope, and FOLIO's ⊕ as ∨", () => {
    const tptp = reencodeArgument('P(a) |- ![X]: P(X) => Q(X)');
    expect(tptp.map((q) => formulaToString(q.conclusion))).toContain(formulaToString(parseFormula('∀X (P(X) → Q(X))')));
    const xor = reencodeArgument('Premises: A ⊕ B; A Conclusion: ¬B');
    expect(xor.map((q) => formulaToString(q.premises[0]))).toEqual([formulaToString(parseFormula('A ∨ B'))]);
  });

  it('has nothing to offer for what poses no argument or has one reading', () => {
    expect(reencodeArgument('What is the capital of Uten?')).toEqual([]);
    expect(reencodeArgument('Is the teleological argument valid in S5?')).toEqual([]);
    expect(reencodeArgument('Premises: Socrates is a man. Conclusion: Socrates is a man.')).toEqual([]);
  });
});
