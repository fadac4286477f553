/**
 * Factual verification against the passage index. Lexical, so deliberately cautious:
 * SUPPORTED needs a passage that covers the claim's content words and agrees on every
 * checkable detail (years, numbers, ordinals, people, negation); CONTRADICTED needs a
 * passage that covers the rest of the claim but states a different detail; anything
 * else is NOT_FOUND, never a guess.
 */
import { fuzzySequence, stem } from '../util/normalise';
import type { CorpusIndex } from './store';
import { formatRef, type Passage } from './types';

export type FactualVerdict = 'SUPPORTED' | 'CONTRADICTED' | 'NOT_FOUND';

export interface FactualResult {
  verdict: FactualVerdict;
  /** Share of the claim's content words found in the deciding passage (0 when none). */
  confidence: number;
  passage: Passage | null;
  reference: string | null;
  /** Why: the detail that agreed or clashed. */
  reason: string;
}

export interface VerifierOptions {
  /** Coverage a passage needs to support a claim (default 0.75). */
  supportCoverage?: number;
  /** Coverage of the non-clashing words needed to call a clash a contradiction (default 0.6). */
  contradictCoverage?: number;
  /** Names treated as entities (a DomainVocabulary's people; default none). */
  people?: readonly string[];
  candidates?: number;
}

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
const NEGATIONS = new Set(['not', 'never', 'no', 'nothing', 'neither', 'nor', 'without']);

const LANGUAGES = new Set(['latin', 'french', 'dutch', 'english', 'german', 'greek', 'italian', 'swedish']);
const PLACES = new Set(['paris', 'leiden', 'amsterdam', 'stockholm', 'utrecht', 'breda', 'rome', 'poitier', 'fleche', 'germany', 'sweden', 'holland', 'france']);

type DetailKind = 'year' | 'number' | 'ordinal' | 'person' | 'language' | 'place';

function detailKind(tok: string, people: Set<string>): DetailKind | null {
  if (/^1\d{3}$/.test(tok)) return 'year';
  if (/^\d+$/.test(tok)) return 'number';
  if (ORDINALS.includes(tok)) return 'ordinal';
  if (people.has(tok)) return 'person';
  if (LANGUAGES.has(tok)) return 'language';
  if (PLACES.has(tok)) return 'place';
  return null;
}

/** The clause of a passage (split at . ; :) that covers most of the claim: negation is read there. */
function bestClause(text: string, content: string[]): Set<string> {
  let best = new Set<string>();
  let bestCov = -1;
  for (const clause of text.split(/[.;:!?]+/)) {
    const toks = new Set(fuzzySequence(clause));
    const cov = content.filter((t) => toks.has(t)).length;
    if (cov > bestCov) {
      best = toks;
      bestCov = cov;
    }
  }
  return best;
}

export class FactualVerifier {
  private readonly support: number;
  private readonly contradict: number;
  private readonly people: Set<string>;
  private readonly candidates: number;

  constructor(
    private readonly index: CorpusIndex,
    opts: VerifierOptions = {},
  ) {
    this.support = opts.supportCoverage ?? 0.75;
    this.contradict = opts.contradictCoverage ?? 0.6;
    this.people = new Set((opts.people ?? []).map(stem));
    this.candidates = opts.candidates ?? 8;
  }

  verify(claim: string): FactualResult {
    const seq = fuzzySequence(claim).filter((t) => t !== 'therefore');
    const negated = seq.some((t) => NEGATIONS.has(t));
    const content = [...new Set(seq.filter((t) => !NEGATIONS.has(t)))];
    const none: FactualResult = { verdict: 'NOT_FOUND', confidence: 0, passage: null, reference: null, reason: 'no passage covers the claim' };
    if (!content.length) return { ...none, reason: 'claim has no content words' };
    const details = content.filter((t) => detailKind(t, this.people) !== null);
    const plain = content.filter((t) => detailKind(t, this.people) === null);

    let bestSupport: FactualResult | null = null;
    let bestClash: FactualResult | null = null;
    for (const { passage } of this.index.search(claim, this.candidates)) {
      const ptoks = new Set(fuzzySequence(passage.text));
      const pNegated = [...bestClause(passage.text, content)].some((t) => NEGATIONS.has(t));
      const plainCov = plain.length ? plain.filter((t) => ptoks.has(t)).length / plain.length : 1;
      const missing = details.filter((d) => !ptoks.has(d));
      const coverage = content.filter((t) => ptoks.has(t)).length / content.length;
      const ref = formatRef(passage);

      // A claimed detail the passage lacks, where the passage states another of the same kind.
      const clash = missing
        .map((d) => {
          const kind = detailKind(d, this.people);
          const rival = [...ptoks].find((t) => detailKind(t, this.people) === kind && !content.includes(t));
          return rival ? `claim says ${d}, passage says ${rival}` : null;
        })
        .find((c) => c !== null);

      if (!missing.length && coverage >= this.support) {
        if (negated !== pNegated) {
          if (coverage >= this.contradict && (!bestClash || coverage > bestClash.confidence)) {
            bestClash = { verdict: 'CONTRADICTED', confidence: coverage, passage, reference: ref, reason: 'negation differs' };
          }
        } else if (!bestSupport || coverage > bestSupport.confidence) {
          bestSupport = { verdict: 'SUPPORTED', confidence: coverage, passage, reference: ref, reason: 'content and details agree' };
        }
      } else if (clash && plainCov >= this.contradict && (!bestClash || plainCov > bestClash.confidence)) {
        bestClash = { verdict: 'CONTRADICTED', confidence: plainCov, passage, reference: ref, reason: clash };
      }
    }
    return bestSupport ?? bestClash ?? none;
  }
}
