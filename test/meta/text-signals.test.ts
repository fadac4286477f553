// Hedging phrases and n-gram repetition: the text-only signals.
import { countHedges, DEFAULT_HEDGES, MetaError, repetitionRate } from '../../src/meta';

test('hedges: whole-word phrases from the shipped list, case-insensitive, typographic apostrophes too', () => {
  expect(DEFAULT_HEDGES).toContain('perhaps');
  expect(countHedges('Uten.')).toBe(0);
  expect(countHedges('Perhaps Uten, I think.')).toBe(2);
  expect(countHedges('I don’t know.')).toBe(1);
  // a phrase counts once, not once per word inside it; "likely" is not found inside "unlikely"
  expect(countHedges('It is unlikely.')).toBe(1);
  expect(countHedges('It may be Uten, or it may be Rith.')).toBe(2);
  // a word inside another word is not a hedge
  expect(countHedges('The mighty seamstress.')).toBe(0);
  expect(countHedges('maybe', ['possibly'])).toBe(0);
});

test('4-gram repetition: the share of 4-grams seen before in the sequence', () => {
  expect(repetitionRate([1, 2, 3])).toBe(0);
  expect(repetitionRate([1, 2, 3, 4, 5, 6])).toBe(0);
  // 1 2 3 4 1 2 3 4: 5 four-grams, 4 distinct
  expect(repetitionRate([1, 2, 3, 4, 1, 2, 3, 4])).toBeCloseTo(1 / 5, 12);
  // a loop on one token: every 4-gram after the first repeats
  expect(repetitionRate([7, 7, 7, 7, 7, 7, 7, 7, 7, 7])).toBeCloseTo(6 / 7, 12);
  expect(repetitionRate([1, 2, 1, 2], 2)).toBeCloseTo(1 / 3, 12);
  expect(() => repetitionRate([1, 2], 0)).toThrow(MetaError);
});
