/**
 * Factual verification against the passage index, in two ways.
 *
 * - **Frame facts** (with a domain pack): a claim that states a frame's fact is checked against
 *   the passages that state the same frame and subject. The same answer supports it; another
 *   answer contradicts it, and that answer is the correction.
 * - **Lexical** (any other claim), deliberately cautious: SUPPORTED needs one sentence of a
 *   passage that covers the claim's content words and agrees on every checkable detail (years,
 *   numbers, ordinals, people, the vocabulary's kinds, negation). CONTRADICTED needs a passage
 *   about the same fact: a sentence with the claim's subject and relation, where the clause that
 *   states the relation names another detail of the same kind. A passage that names another
 *   person or year about some other event (a translation, a later edition) is not about this
 *   fact, and proves nothing either way.
 *
 * Anything else is NOT_FOUND, never a guess.
 */
import { foldWords, fuzzySequence, stem } from '../util/normalise';
import { DESCARTES_VOCABULARY } from './data/descartes';
import type { DomainPack, Frame } from './domain';
import type { CorpusIndex } from './store';
import { fillTemplate, readStatement, sameAnswer, answerKey, type FrameStatement } from './templates';
import { formatRef, type DomainVocabulary, type Passage } from './types';

export type FactualVerdict = 'SUPPORTED' | 'CONTRADICTED' | 'NOT_FOUND';

export interface FactualResult {
  verdict: FactualVerdict;
  /** Share of the claim's content words found in the deciding passage (1 for a frame fact it states; 0 when none). */
  confidence: number;
  passage: Passage | null;
  reference: string | null;
  /** Why: the detail that agreed or clashed. */
  reason: string;
  /** CONTRADICTED frame fact: the answer the passage gives. Null otherwise. */
  correction: string | null;
}

/** The fact a claim states in a domain pack's terms (as readFrameStatement returns it). */
export interface FrameFact {
  frame: Frame;
  subject: string | null;
  answer: string;
}

/** What the corpus says a frame's answer is. */
export interface FoundAnswer {
  answer: string;
  passage: Passage;
  reference: string;
}

export interface VerifierOptions {
  /** Coverage a passage needs to support a claim (default 0.75). */
  supportCoverage?: number;
  /** Coverage of the non-clashing words needed to call a clash a contradiction (default 0.6). */
  contradictCoverage?: number;
  /** Names treated as entities; overrides the vocabulary's people. */
  people?: readonly string[];
  /** The domain's words: people and the closed lists of `kinds` (default: the pack's, else the built-in Descartes vocabulary). */
  vocabulary?: DomainVocabulary;
  /** A domain pack: claims that state one of its frames are checked frame by frame. */
  pack?: DomainPack | null;
  /** Groups of answers that name the same thing (e.g. a fact's accepted answers). */
  answerAliases?: readonly (readonly string[])[];
  /** Passages the search hands to the checks (default 8; frame facts read 3× as many). */
  candidates?: number;
}

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
const NEGATIONS = new Set(['not', 'never', 'no', 'nothing', 'neither', 'nor', 'without']);

/**
 * Splits a passage into sentences: the unit a supporting or contradicting statement must fit in.
 * A semicolon separates statements too; a colon does not (what follows it elaborates what precedes).
 */
function sentences(text: string): string[] {
  return text.split(/[.;!?]+(?:\s|$)/).map((s) => s.trim()).filter(Boolean);
}

/** Splits a sentence into clauses, at commas and at "and" / "with" joining two predications. */
function clauses(sentence: string): string[] {
  return sentence.split(/,|\band\b|\bwith\b/i).map((s) => s.trim()).filter(Boolean);
}

/**
 * Whether the part of a sentence that states the claim is negated: negation is read in the clause
 * (split at commas, colons and contrastive conjunctions) covering most of the claim's words.
 */
function negatedClause(sentence: string, content: string[]): boolean {
  let best: string[] = [];
  let bestCov = -1;
  for (const clause of sentence.split(/[,:]|\b(?:yet|but|while|although|though|whereas)\b/i)) {
    const toks = tokens(clause);
    const cov = content.filter((t) => toks.includes(t)).length;
    if (cov > bestCov) {
      best = toks;
      bestCov = cov;
    }
  }
  return best.some((t) => NEGATIONS.has(t));
}

/** Content tokens of a text, as the index folds them. */
function tokens(text: string): string[] {
  return fuzzySequence(text).filter((t) => t !== 'therefore');
}

interface Clash {
  claimed: string;
  rival: string;
  /** The rival as the passage writes it. */
  written: string;
}

export class FactualVerifier {
  private readonly support: number;
  private readonly contradict: number;
  private readonly candidates: number;
  private readonly pack: DomainPack | null;
  private readonly aliases: readonly (readonly string[])[];
  /** Folded token → detail kind, from the vocabulary (people as "person", then each kind list). */
  private readonly kindOf = new Map<string, string>();

  constructor(
    private readonly index: CorpusIndex,
    opts: VerifierOptions = {},
  ) {
    this.support = opts.supportCoverage ?? 0.75;
    this.contradict = opts.contradictCoverage ?? 0.6;
    this.candidates = opts.candidates ?? 8;
    this.pack = opts.pack ?? null;
    this.aliases = opts.answerAliases ?? [];
    const vocabulary = opts.vocabulary ?? this.pack?.vocabulary ?? DESCARTES_VOCABULARY;
    for (const p of opts.people ?? vocabulary.people) for (const t of fuzzySequence(p)) this.kindOf.set(stem(t), 'person');
    for (const [kind, words] of Object.entries(vocabulary.kinds)) {
      if (kind === 'year') continue; // by form
      for (const w of words) for (const t of fuzzySequence(w)) if (!this.kindOf.has(t) && !/^\d+$/.test(t)) this.kindOf.set(t, kind);
    }
  }

  /** The kind of a checkable detail (a year, number, ordinal or word of the vocabulary), or null for a plain word. */
  private detailKind(tok: string): string | null {
    if (/^1\d{3}$/.test(tok)) return 'year';
    if (/^\d+$/.test(tok)) return 'number';
    if (ORDINALS.includes(tok)) return 'ordinal';
    return this.kindOf.get(tok) ?? null;
  }

  /**
   * Checks one claim. `fact` says which frame fact it states (readFrameStatement); without it, a
   * verifier built with a pack reads the claim itself. Frame facts are decided by the passages
   * that state the same frame and subject; the rest, and frame facts no passage states in the
   * frame's words, go the cautious lexical way.
   */
  verify(claim: string, fact?: FrameFact | null): FactualResult {
    const stated = fact ?? (this.pack ? readStatement(claim, this.pack) : null);
    if (stated && this.pack) {
      const byFrame = this.verifyFrameFact(claim, stated);
      if (byFrame) return byFrame;
    }
    const lexical = this.verifyLexically(claim, stated?.subject ?? null);
    if (lexical.result.verdict === 'CONTRADICTED' && stated) {
      // A frame fact is refuted lexically only on its answer, and the passage's word there is the correction.
      if (lexical.clash && tokens(stated.answer).includes(lexical.clash.claimed)) return { ...lexical.result, correction: lexical.clash.written };
      return { verdict: 'NOT_FOUND', confidence: 0, passage: null, reference: null, reason: `no passage states ${stated.frame.id}${stated.subject !== null ? ` of ${stated.subject}` : ''}`, correction: null };
    }
    return lexical.result;
  }

  /** What the corpus says the answer to a frame question is: one answer all its statements agree on, or null. */
  findAnswer(match: { frame: Frame; subject: string | null }): FoundAnswer | null {
    if (!this.pack) return null;
    const found = this.statementsOf(match.frame, match.subject, null);
    if (!found.length) return null;
    const first = found[0];
    if (found.some((s) => !sameAnswer(s.answer, first.answer, this.aliases))) return null; // the corpus disagrees with itself
    return { answer: first.answer, passage: first.passage, reference: formatRef(first.passage) };
  }

  /** Passage sentences that state `frame` about `subject` (whatever their answer). */
  private statementsOf(frame: Frame, subject: string | null, claim: string | null): Array<FrameStatement & { passage: Passage }> {
    const pack = this.pack as DomainPack;
    const queries = [fillTemplate(frame.claim, subject, ''), ...frame.statements.map((s) => fillTemplate(s, subject, ''))];
    const passages = new Map<string, Passage>();
    for (const q of [...(claim ? [claim] : []), queries.join(' ')]) {
      for (const { passage } of this.index.search(q, this.candidates * 3)) passages.set(passage.id, passage);
    }
    const out: Array<FrameStatement & { passage: Passage }> = [];
    const subjectKey = subject === null ? null : answerKey(subject);
    for (const passage of passages.values()) {
      for (const sentence of sentences(passage.text)) {
        const s = readStatement(sentence, pack, frame);
        if (s && (subjectKey === null ? s.subject === null : s.subject !== null && answerKey(s.subject) === subjectKey)) {
          out.push({ ...s, passage });
        }
      }
    }
    return out;
  }

  private verifyFrameFact(claim: string, fact: FrameFact): FactualResult | null {
    const found = this.statementsOf(fact.frame, fact.subject, claim);
    if (!found.length) return null;
    const same = found.filter((s) => sameAnswer(s.answer, fact.answer, this.aliases));
    const other = found.filter((s) => !sameAnswer(s.answer, fact.answer, this.aliases));
    const about = `${fact.frame.id}${fact.subject !== null ? ` of ${fact.subject}` : ''}`;
    if (same.length && other.length) {
      return {
        verdict: 'NOT_FOUND',
        confidence: 0,
        passage: null,
        reference: null,
        reason: `the corpus states ${about} as both ${fact.answer} and ${other[0].answer}`,
        correction: null,
      };
    }
    if (same.length) {
      const p = same[0].passage;
      return { verdict: 'SUPPORTED', confidence: 1, passage: p, reference: formatRef(p), reason: `a passage states ${about}: ${same[0].answer}`, correction: null };
    }
    const answer = other[0].answer;
    if (other.some((s) => !sameAnswer(s.answer, answer, this.aliases))) {
      return { verdict: 'NOT_FOUND', confidence: 0, passage: null, reference: null, reason: `the passages disagree on ${about}`, correction: null };
    }
    const p = other[0].passage;
    return {
      verdict: 'CONTRADICTED',
      confidence: 1,
      passage: p,
      reference: formatRef(p),
      reason: `claim says ${fact.answer}, passage says ${answer} (${about})`,
      correction: answer,
    };
  }

  /** `subject` (a frame fact's) must be in a sentence that contradicts; by default the claim's first content word. */
  private verifyLexically(claim: string, subject: string | null): { result: FactualResult; clash: Clash | null } {
    const seq = tokens(claim);
    const negated = seq.some((t) => NEGATIONS.has(t));
    const content = [...new Set(seq.filter((t) => !NEGATIONS.has(t)))];
    const none: FactualResult = { verdict: 'NOT_FOUND', confidence: 0, passage: null, reference: null, reason: 'no passage covers the claim', correction: null };
    if (!content.length) return { result: { ...none, reason: 'claim has no content words' }, clash: null };
    const details = content.filter((t) => this.detailKind(t) !== null);
    const plain = content.filter((t) => this.detailKind(t) === null);
    // A frame fact's subject is matched word for word (a name may fold to a stop word: a person called "This").
    const subjectWords = subject !== null ? foldWords(subject) : null;

    let bestSupport: FactualResult | null = null;
    let bestClash: { result: FactualResult; clash: Clash } | null = null;
    for (const { passage } of this.index.search(claim, this.candidates)) {
      const ref = formatRef(passage);
      const whereTokens = tokens(`${passage.work} ${passage.section}`);
      for (const sentence of sentences(passage.text)) {
        const stoks = new Set(tokens(sentence));
        if (subjectWords) {
          const swords = new Set(foldWords(sentence));
          if (!subjectWords.every((w) => swords.has(w))) continue; // about another subject
        }
        // Where the passage is (its work and section) is part of what it states: "in the Fourth Replies, …".
        const located = new Set([...stoks, ...whereTokens]);
        const coverage = content.filter((t) => located.has(t)).length / content.length;
        const missing = details.filter((d) => !located.has(d));
        const plainCov = plain.length ? plain.filter((t) => stoks.has(t)).length / plain.length : 1;

        if (!missing.length && coverage >= this.support) {
          const sNegated = negatedClause(sentence, content);
          if (negated !== sNegated) {
            if (coverage >= this.contradict && (!bestClash || coverage > bestClash.result.confidence)) {
              bestClash = {
                result: { verdict: 'CONTRADICTED', confidence: coverage, passage, reference: ref, reason: 'negation differs', correction: null },
                clash: { claimed: 'not', rival: '', written: '' },
              };
            }
          } else if (!bestSupport || coverage > bestSupport.confidence) {
            bestSupport = { verdict: 'SUPPORTED', confidence: coverage, passage, reference: ref, reason: 'content and details agree', correction: null };
          }
          continue;
        }
        // a clash is read in the sentence alone: a detail of the title does not state the event
        const missingHere = details.filter((d) => !stoks.has(d));
        if (!missingHere.length || plainCov < this.contradict) continue;
        // Same subject: a passage about someone else doing the same says nothing of this subject
        // (many people play the harp); the clash must be on another detail of the same event.
        if (!subjectWords && !stoks.has(content[0])) continue;
        const clash = this.clashIn(sentence, plain, content, missingHere);
        if (!clash) continue;
        if (!bestClash || plainCov > bestClash.result.confidence) {
          bestClash = {
            result: { verdict: 'CONTRADICTED', confidence: plainCov, passage, reference: ref, reason: `claim says ${clash.claimed}, passage says ${clash.rival}`, correction: null },
            clash,
          };
        }
      }
    }
    if (bestSupport) return { result: bestSupport, clash: null };
    if (bestClash) return { result: bestClash.result, clash: bestClash.clash };
    return { result: none, clash: null };
  }

  /**
   * A claimed detail the sentence lacks, where the clause stating the claim's relation (the clause
   * with most of the claim's plain words) names another detail of the same kind. A missing detail
   * with no rival there is one the passage is silent on: no clash.
   */
  private clashIn(sentence: string, plain: string[], content: string[], missing: string[]): Clash | null {
    let event: string | null = null;
    let eventCov = 0;
    for (const clause of clauses(sentence)) {
      const ctoks = new Set(tokens(clause));
      const cov = plain.filter((t) => ctoks.has(t)).length;
      if (cov > eventCov) {
        event = clause;
        eventCov = cov;
      }
    }
    if (event === null && plain.length === 0) event = sentence;
    if (event === null) return null;
    const words = event.split(/\s+/).map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')).filter(Boolean);
    const clashes: Clash[] = [];
    for (const d of missing) {
      const kind = this.detailKind(d);
      for (const w of words) {
        const t = tokens(w)[0];
        if (t && t !== d && this.detailKind(t) === kind && !content.includes(t)) {
          clashes.push({ claimed: d, rival: t, written: w });
          break;
        }
      }
    }
    // The same fact but for one detail: two details that differ make it another fact (another
    // country's river, another person's instrument), which says nothing about this one.
    if (clashes.length === 1) return clashes[0];
    return null;
  }
}
