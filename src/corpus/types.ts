/** A corpus passage and where it comes from, and the words its domain names. */

/**
 * A domain's vocabulary: the names that make a sentence a checkable fact of that domain. It is data
 * handed to the claim classifier and the factual verifier, so a new domain needs no code.
 */
export interface DomainVocabulary {
  /** People, lower case: naming the wrong one contradicts a passage. */
  people: readonly string[];
  /** Titles of works, as written. */
  works: readonly string[];
  /** Places, as written. */
  places: readonly string[];
  /**
   * Closed word lists by kind ("country", "city", "language", "instrument", …), as written. Naming
   * another word of the same kind than a passage does contradicts it; a frame's answers belong to
   * its answerKind's list (a "year" list may be empty: years are recognised by form).
   */
  kinds: Readonly<Record<string, readonly string[]>>;
}

export interface SourceRef {
  /** The work, e.g. "Meditations on First Philosophy". */
  work: string;
  /** Part, article, meditation, letter: where in the work. */
  section: string;
  /** Adam–Tannery volume (roman numeral, e.g. "VII", "VIII-1"), when the passage has one. */
  atVolume: string | null;
  /** Adam–Tannery page or page range, e.g. "25" or "30-31". */
  atPage: string | null;
}

export interface Passage extends SourceRef {
  /** Stable id, e.g. "med2-cogito". */
  id: string;
  /** The passage text: in this project, paraphrases written in our own words. */
  text: string;
  /** "paraphrase" of what a text says, or "fact" about the works and people. */
  kind: 'paraphrase' | 'fact';
}

export interface SearchHit {
  passage: Passage;
  /** BM25 score as FTS5 reports it, negated so that larger is better. */
  score: number;
}

export function formatRef(r: SourceRef): string {
  const at = r.atVolume ? `, AT ${r.atVolume}${r.atPage ? ` ${r.atPage}` : ''}` : '';
  return `${r.work}, ${r.section}${at}`;
}
