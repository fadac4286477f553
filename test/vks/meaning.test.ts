import { readMeaning, sameMeaning } from '../../src/vks';

const same = (a: string, b: string) => sameMeaning(readMeaning(a), readMeaning(b));

describe('what a claim says, by its words in their roles', () => {
  test.each([
    ['I think, therefore I am.', 'I think, so I am.'],
    ['I think, therefore I am.', 'Because I think, I am.'],
    ['I think, therefore I am.', 'I am because I think.'],
    ['I think, therefore I am.', "I'm thinking; hence I am."],
    ['I think, therefore I am.', 'Thinking, therefore I am.'],
    ['I think, therefore I exist.', 'From the fact that I think it follows that I exist.'],
    ['Descartes was born in 1596 at La Haye.', 'Descartes was born at La Haye in 1596.'],
    ['Lana plays the bell.', 'Lana plays a bell.'],
  ])('%s = %s', (a, b) => expect(same(a, b)).toBe(true));

  test.each([
    ['I think, therefore I am.', 'I am, therefore I think.'], // the converse
    ['I think, therefore I am.', 'I think, therefore I am mortal.'], // adds a word
    ['I think, therefore I am.', 'I think, therefore I am not.'], // negates
    ['I think, therefore I am.', 'I think, therefore I was.'], // tense
    ['I think, therefore I am.', 'If I think, then I am.'], // a conditional is not an inference
    ['I think, therefore I am.', 'I think and I am.'],
    ['Dogs chase cats.', 'Cats chase dogs.'], // roles
    ['Whatever thinks exists.', 'Whatever exists thinks.'],
    ['The senses sometimes deceive us.', 'The senses always deceive us.'], // quantity
    ['I am nothing.', 'I am.'],
  ])('%s ≠ %s', (a, b) => expect(same(a, b)).toBe(false));

  test('formulas are not read as words', () => {
    expect(readMeaning('¬(P(a) ∧ Q(a))')).toBeNull();
    expect(same('P(a) ∧ Q(a)', '¬(P(a) ∧ Q(a))')).toBe(false);
    expect(readMeaning('Because I think')).toBeNull(); // a reason with no conclusion
  });
});
