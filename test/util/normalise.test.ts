import { claimSimilarity, fuzzySequence, jaccard, normaliseText } from '../../src/util/normalise';

describe('normalisation', () => {
  test('exact key ignores case, punctuation, accents and spacing', () => {
    expect(normaliseText('I think, therefore I am!')).toBe('i think therefore i am');
    expect(normaliseText('  i THINK   therefore i am ')).toBe('i think therefore i am');
    expect(normaliseText('Méditations métaphysiques')).toBe('meditations metaphysiques');
    expect(normaliseText('I’m thinking')).toBe('i am thinking');
  });

  test('fuzzy tokens fold connectives and inflections, and drop function words', () => {
    expect(fuzzySequence('I am thinking; hence I exist.')).toEqual(['i', 'am', 'think', 'therefore', 'i', 'exist']);
    expect(fuzzySequence('The mind is a thinking thing')).toEqual(['mind', 'think', 'thing']);
  });

  test('jaccard on sets', () => {
    expect(jaccard(new Set(['a', 'b']), new Set(['a', 'b']))).toBe(1);
    expect(jaccard(new Set(['a', 'b', 'c']), new Set(['a', 'b', 'd']))).toBe(0.5);
  });

  test('similarity is direction-aware across a conclusion connective', () => {
    const a = fuzzySequence('I think, therefore I am');
    expect(claimSimilarity(a, fuzzySequence('I think, thus I am'))).toBe(1);
    // Same bag of words, converse inference: must not count as the same claim.
    expect(claimSimilarity(a, fuzzySequence('I am, therefore I think'))).toBeLessThan(0.75);
  });
});

describe('polarity', () => {
  test('a negated claim never matches its affirmation', () => {
    expect(claimSimilarity(fuzzySequence('Descartes died in Stockholm'), fuzzySequence('Descartes did not die in Stockholm'))).toBe(0);
    expect(claimSimilarity(fuzzySequence('It is not the case that I do not think'), fuzzySequence('I think'))).toBeGreaterThan(0);
  });
});
