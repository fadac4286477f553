/**
 * Signals read from the answer's text and tokens alone: hedging phrases (a word list kept as data,
 * data/hedges.json) and how much the generation repeats itself.
 */
import hedgesJson from './data/hedges.json';
import { MetaError } from './errors';

/** The hedging phrases shipped in data/hedges.json, lower case. */
export const DEFAULT_HEDGES: readonly string[] = Object.freeze(hedgesJson.hedges.map((h) => h.toLowerCase()));

/** Words as the hedge count sees them: lower case, letters, digits and apostrophes (’ read as '). */
export function words(text: string): string[] {
  return text.toLowerCase().replace(/\u2019/g, "'").match(/[\p{L}\p{N}']+/gu) ?? [];
}

/** Each list's phrases as words, longest first: split once per list, not once per answer. */
const phraseCache = new WeakMap<readonly string[], string[][]>();
function phrasesOf(hedges: readonly string[]): string[][] {
  let phrases = phraseCache.get(hedges);
  if (!phrases) {
    phrases = hedges.map((h) => words(h)).filter((p) => p.length > 0).sort((a, b) => b.length - a.length);
    // a frozen list cannot change under the cache; a caller's own array may, so only frozen ones are kept
    if (Object.isFrozen(hedges)) phraseCache.set(hedges, phrases);
  }
  return phrases;
}

/**
 * Occurrences of any hedging phrase, matched on whole words: "may be" counts in "it may be Uten",
 * "likely" does not count inside "unlikely" (which is a hedge of its own). Overlapping phrases
 * ("i don't know" and "know"…) are counted once per start word, longest first.
 */
export function countHedges(text: string, hedges: readonly string[] = DEFAULT_HEDGES): number {
  const phrases = phrasesOf(hedges);
  const ws = words(text);
  let count = 0;
  for (let i = 0; i < ws.length; ) {
    const hit = phrases.find((p) => p.every((w, k) => ws[i + k] === w));
    if (hit) {
      count++;
      i += hit.length;
    } else i++;
  }
  return count;
}

/**
 * Share of the sequence's n-grams that repeat an n-gram seen earlier in it: 1 − distinct/total,
 * 0 for a sequence shorter than n. On token ids, so it needs no tokenizer and no language.
 */
export function repetitionRate(sequence: readonly number[], n = 4): number {
  if (!Number.isInteger(n) || n < 1) throw new MetaError(`the n-gram length must be an integer >= 1, not ${n}`);
  const total = sequence.length - n + 1;
  if (total <= 0) return 0;
  const seen = new Set<string>();
  for (let i = 0; i < total; i++) seen.add(sequence.slice(i, i + n).join(','));
  return 1 - seen.size / total;
}
