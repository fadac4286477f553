/**
 * Invented proper names for the generated world, from a compact syllable inventory so a
 * small tokenizer splits each name into a few recurring pieces and answers stay 1–3 tokens.
 */
import type { Rng } from './prng';

const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'dr', 'kr', 'st', 'th', 'tr'];
const VOWELS = ['a', 'e', 'i', 'o', 'u'];
/* Endings start with a consonant so names never pile up vowels ("Fiia"). */
const ENDINGS = ['n', 'r', 's', 'l', 'th', 'ra', 'na', 'len', 'dor', 'vin', 'sa', 'mar', 'ris', 'ten', 'la', 'ven', 'lia', 'rin'];

/** Names that would read as English words or collide with the Descartes facts. */
const RESERVED = new Set([
  'more', 'paris', 'latin', 'breda', 'sweden', 'france', 'dover', 'boron', 'baron', 'talon', 'lima', 'roma', 'malta',
  'sudan', 'oman', 'iran', 'mali', 'rome', 'bern', 'oslo', 'riga', 'tonga', 'samoa', 'medina', 'siren', 'solar', 'tutor',
]);

export interface NameSource {
  /** A fresh name, never returned before by this source. */
  next(): string;
  readonly used: ReadonlySet<string>;
}

export function createNameSource(rng: Rng): NameSource {
  const used = new Set<string>();
  const make = (): string => {
    // one or two open syllables (the first sometimes without an onset), then an ending
    let s = (rng.int(6) === 0 ? '' : rng.pick(ONSETS)) + rng.pick(VOWELS);
    if (rng.int(3) === 0) s += rng.pick(ONSETS) + rng.pick(VOWELS); // short names keep answers at 1–3 tokens
    s += rng.pick(ENDINGS);
    return s.charAt(0).toUpperCase() + s.slice(1);
  };
  return {
    used,
    next() {
      for (let attempt = 0; attempt < 10000; attempt++) {
        const name = make();
        const key = name.toLowerCase();
        if (name.length < 4 || name.length > 9 || used.has(key) || RESERVED.has(key)) continue;
        used.add(key);
        return name;
      }
      throw new Error('the syllable inventory is exhausted; ask for fewer names');
    },
  };
}
