/**
 * Controlled English → formula: each form of the grammar gives the formula a logician would
 * write, ambiguous sentences give each reading (surface first), and anything outside the
 * grammar gives null rather than a guess.
 */
import { englishReadings, englishToFormula, formulaToString, MAX_ENGLISH_WORDS, parseFormula } from '../../src/logic';
import { participleBase, singular, verbBase } from '../../src/logic/english';

const read = (s: string): string | null => {
  const f = englishToFormula(s);
  return f && formulaToString(f);
};
const same = (s: string, formula: string): void => {
  const f = englishToFormula(s);
  expect([s, f && formulaToString(f)]).toEqual([s, formulaToString(parseFormula(formula))]);
};

describe('controlled English', () => {
  it('reads the categorical forms', () => {
    same('All men are mortal.', '∀x (Man(x) → Mortal(x))');
    same('Every man is mortal', '∀x (Man(x) → Mortal(x))');
    same('Each philosopher is a thinker', '∀x (Philosopher(x) → Thinker(x))');
    same('Some cats are black', '∃x (Cat(x) ∧ Black(x))');
    same('Some men are not mortal', '∃x (Man(x) ∧ ¬Mortal(x))');
    same('No reptile is warm-blooded', '∀x (Reptile(x) → ¬WarmBlooded(x))');
    same('Only members are admitted', '∀x (Admitted(x) → Member(x))');
    same('Men are mortal', '∀x (Man(x) → Mortal(x))');
    same('Not all men are mortal', '¬∀x (Man(x) → Mortal(x))');
  });

  it('reads "all A are B" and "every A is a B" (plural and singular) as one formula', () => {
    for (const [a, b] of [
      ['All philosophers are thinkers', 'Every philosopher is a thinker'],
      ['All children are curious', 'Every child is curious'],
      ['All the men are mortal', 'Each of the men is mortal'],
      ['Socrates is a mortal', 'Socrates is mortal'],
    ]) {
      expect([a, read(a)]).toEqual([a, read(b)]);
      expect(read(a)).not.toBeNull();
    }
  });

  it('reads named individuals, relations, identity and comparison', () => {
    same('Socrates is a man', 'Man(socrates)');
    same('Socrates is not wise', '¬Wise(socrates)');
    same('Socrates is mortal and wise', 'Mortal(socrates) ∧ Wise(socrates)');
    same('Socrates loves Plato', 'Love(socrates, plato)');
    same('Plato is loved by Socrates', 'Love(socrates, plato)');
    same('Tweety does not fly', '¬Fly(tweety)');
    same('Socrates lives in Athens', 'LiveIn(socrates, athens)');
    same('Hesperus is identical to Phosphorus', 'hesperus = phosphorus');
    same('Socrates is taller than Plato', 'TallerThan(socrates, plato)');
    same('Socrates and Plato are men', 'Man(socrates) ∧ Man(plato)');
    same('I think', 'Think(i)');
    same('The robot is conscious', 'Conscious(robot)');
    same('Mary Jane is a doctor', 'Doctor(mary_jane)');
    same('Jane has a laptop', '∃x (Laptop(x) ∧ Have(jane, x))');
    same('Some birds cannot fly', '∃x (Bird(x) ∧ ¬CanFly(x))');
    same('Tweety can fly', 'CanFly(tweety)');
    same('Some flowers fade quickly', '∃x (Flower(x) ∧ FadeQuickly(x))');
  });

  it('reads the connectives and conditionals', () => {
    same('If it rains, then the ground is wet', 'Rain → Wet(ground)');
    same('If Socrates is a man then Socrates is mortal', 'Man(socrates) → Mortal(socrates)');
    same('If something is a man, then it is mortal', '∀x (Man(x) → Mortal(x))');
    same('If a man thinks, then he exists', '∀x ((Man(x) ∧ Think(x)) → Exist(x))');
    same('It is not the case that Socrates is wise', '¬Wise(socrates)');
    same('Neither Socrates is rich nor Plato is rich', '¬Rich(socrates) ∧ ¬Rich(plato)');
    same('Socrates is wise or Plato is wise', 'Wise(socrates) ∨ Wise(plato)');
    same('Socrates is wise if and only if Plato is wise', 'Wise(socrates) ↔ Wise(plato)');
    same('There is a man who is wise', '∃x (Man(x) ∧ Wise(x))');
    same('There is no unicorn', '¬∃x Unicorn(x)');
    same('Every man who loves Mary is happy', '∀x ((Man(x) ∧ Love(x, mary)) → Happy(x))');
    same('All employees who work remotely are happy', '∀x ((Employee(x) ∧ WorkRemotely(x)) → Happy(x))');
    same('Everyone who loves John is happy', '∀x (Love(x, john) → Happy(x))');
    same('Nothing that is red is green', '∀x (Red(x) → ¬Green(x))');
    same('If Lisa studies, she passes', 'Study(lisa) → Pass(lisa)');
    same('Everything is physical', '∀x Physical(x)');
    same('Nothing is perfect', '∀x ¬Perfect(x)');
  });

  it('gives each quantifier-scope reading, surface first', () => {
    const scope = englishReadings('Every man loves some woman').map(formulaToString);
    expect(scope).toEqual(
      ['∀x (Man(x) → ∃y (Woman(y) ∧ Love(x, y)))', '∃x (Woman(x) ∧ ∀y (Man(y) → Love(y, x)))'].map((t) => formulaToString(parseFormula(t))),
    );
    const negation = englishReadings('All men are not immortal').map(formulaToString);
    expect(negation).toEqual(['∀x (Man(x) → ¬Immortal(x))', '¬∀x (Man(x) → Immortal(x))'].map((t) => formulaToString(parseFormula(t))));
    const either = englishReadings('Either Socrates is wise or Socrates is rich').map(formulaToString);
    expect(either).toEqual(['Wise(socrates) ∨ Rich(socrates)', 'Wise(socrates) ⊕ Rich(socrates)'].map((t) => formulaToString(parseFormula(t))));
    // A name has no scope: one reading.
    expect(englishReadings('Socrates loves some woman')).toHaveLength(1);
  });

  it('is deterministic', () => {
    const s = 'Every student is admired by some teacher';
    expect(englishReadings(s)).toEqual(englishReadings(s));
  });

  it('returns null outside the grammar, never a guess', () => {
    for (const s of [
      '',
      'What is the capital of Uten?',
      'Most men are mortal',
      'Socrates might fly',
      'If it rains, she is wet',
      'A hawk never lands',
      'The cat sat on the mat',
      '∀x (Man(x) → Mortal(x))',
      'If it rains',
      'all',
      'Socrates is',
      'is mortal',
      Array.from({ length: MAX_ENGLISH_WORDS + 1 }, () => 'very').join(' ') + ' wise',
    ]) {
      expect([s, englishToFormula(s)]).toEqual([s, null]);
      expect(englishReadings(s)).toEqual([]);
    }
  });

  it('lemmatises nouns, verbs and participles by fixed rules', () => {
    expect(['men', 'philosophers', 'bodies', 'churches', 'glass', 'conscious', 'people'].map(singular)).toEqual([
      'man', 'philosopher', 'body', 'church', 'glass', 'conscious', 'person',
    ]);
    expect(['loves', 'watches', 'flies', 'has', 'goes', 'think'].map(verbBase)).toEqual(['love', 'watch', 'fly', 'have', 'go', 'think']);
    expect(['admired', 'helped', 'stopped', 'studied', 'seen', 'mortal'].map(participleBase)).toEqual(['admire', 'help', 'stop', 'study', 'see', null]);
  });
});
