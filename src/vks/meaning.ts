/**
 * What a claim says, as far as words can tell without a parser: its shape (a plain statement, an
 * inference from a premise to a conclusion, or a conditional) and, for each part, the content
 * words in the roles they hold. Two phrasings say the same thing when their shapes and parts are
 * equal. This is how a fuzzy lookup candidate is confirmed: word overlap only proposes a record.
 *
 * - Inference markers are structure, not content: "I think, therefore I am", "I think, so I am",
 *   "Because I think, I am" and "I am because I think" are one inference; "I am, therefore I
 *   think" is its converse.
 * - Every other content word counts, negations and quantity words included: adding, dropping or
 *   negating one word makes another claim.
 * - Within a part, the words before the first preposition keep their order (who does what to
 *   whom); the prepositional phrases after them may come in any order ("born in 1596 at La Haye").
 * - Function words that carry no claim (articles, "and", "that", "do") are dropped, an auxiliary
 *   before an -ing form too ("I am thinking" is "I think"); tense stays ("I was" is not "I am").
 */
import { foldWords, stem } from '../util/normalise';

export type MeaningShape = 'plain' | 'inference' | 'conditional';

export interface MeaningPart {
  /** Content words before the first preposition, in order. */
  head: string[];
  /** Each prepositional phrase (the preposition and its content words), sorted. */
  phrases: string[];
}

export interface Meaning {
  shape: MeaningShape;
  /** plain: [statement]; inference: [premise, conclusion]; conditional: [antecedent, consequent]. */
  parts: MeaningPart[];
}

const COMMA = ',';
/** Markers with the premise before them and the conclusion after. */
const FORWARD = new Set(['therefore', 'hence', 'thus', 'so', 'ergo', 'consequently', 'accordingly', 'donc']);
const FORWARD_PHRASES: string[][] = [['it', 'follows', 'that'], ['which', 'means', 'that']];
/** Markers with the conclusion before them and the premise after (or, leading, premise then conclusion). */
const BACKWARD = new Set(['because', 'since']);
const LEADING_PREMISE = new Set(['because', 'since', 'as']);
const LEADING_DROPPED: string[][] = [['from', 'the', 'fact', 'that']];

/** Words that carry no claim: articles, the conjunction "and", complementiser "that", do-support. */
const FUNCTION = new Set(['a', 'an', 'the', 'and', 'that', 'do', 'does', 'did']);
const PREPOSITIONS = new Set([
  'in', 'at', 'on', 'by', 'for', 'from', 'to', 'with', 'during', 'after', 'before', 'of', 'into', 'through',
  'than', 'about', 'under', 'over', 'between', 'among', 'across', 'near', 'since',
]);
/** Copulas folded by tense: "is" and "are" and "am" are one present "be"; "was" and "were" one past. */
const COPULA: Record<string, string> = { am: 'be', is: 'be', are: 'be', be: 'be', been: 'be', being: 'be', was: 'was', were: 'was' };
const AUXILIARY = new Set(['am', 'is', 'are', 'was', 'were', 'be', 'been']);
const PRONOUNS = new Set(['i', 'you', 'he', 'she', 'we', 'they']);
/** Words ending in -ing that are not verb forms. */
const NOT_PARTICIPLES = new Set(['thing', 'nothing', 'something', 'anything', 'everything', 'being', 'king', 'ring', 'spring', 'string', 'wing', 'evening', 'morning', 'during']);

function participle(w: string | undefined): boolean {
  return w !== undefined && w.length > 4 && w.endsWith('ing') && !NOT_PARTICIPLES.has(w);
}

/** Folded words with a COMMA token where the text has a clause break (comma, semicolon, colon, dash). */
function tokensWithBreaks(text: string): string[] {
  const out: string[] = [];
  text.split(/[,;:\u2013\u2014]|\s-{1,2}\s|--/).forEach((segment, i) => {
    if (i > 0) out.push(COMMA);
    out.push(...foldWords(segment));
  });
  return out;
}

function startsWith(words: string[], at: number, phrase: string[]): boolean {
  return phrase.every((w, i) => words[at + i] === w);
}

/** Splits the word stream into the claim's shape and raw parts. */
function shapeOf(all: string[]): { shape: MeaningShape; parts: string[][] } | null {
  let words = all;
  while (words[0] === COMMA) words = words.slice(1);
  for (const lead of LEADING_DROPPED) if (startsWith(words, 0, lead)) words = words.slice(lead.length);
  if (!words.length) return null;

  // "if X(,) then Y" / "if X, Y"
  if (words[0] === 'if') {
    const then = words.indexOf('then');
    const comma = words.indexOf(COMMA);
    const cut = then > 0 ? then : comma;
    if (cut <= 1) return null;
    return { shape: 'conditional', parts: [words.slice(1, cut), words.slice(cut + 1)] };
  }
  // "because X, Y" / "since X, Y" / "as X, Y"
  if (LEADING_PREMISE.has(words[0])) {
    const comma = words.indexOf(COMMA);
    if (comma <= 1) return null;
    return { shape: 'inference', parts: [words.slice(1, comma), words.slice(comma + 1)] };
  }
  for (let i = 1; i < words.length; i++) {
    if (FORWARD.has(words[i])) return { shape: 'inference', parts: [words.slice(0, i), words.slice(i + 1)] };
    const phrase = FORWARD_PHRASES.find((p) => startsWith(words, i, p));
    if (phrase) return { shape: 'inference', parts: [words.slice(0, i), words.slice(i + phrase.length)] };
    if (BACKWARD.has(words[i])) {
      // "Y because X": a "since" followed by a year is a time, not a reason
      if (words[i] === 'since' && /^\d+$/.test(words[i + 1] ?? '')) continue;
      return { shape: 'inference', parts: [words.slice(i + 1), words.slice(0, i)] };
    }
  }
  return { shape: 'plain', parts: [words] };
}

/** One part's content words in their roles; `subjectless` tells whether it opens with an -ing form and no subject. */
function partOf(words: string[]): { part: MeaningPart; subjectless: boolean; pronoun: string | null } {
  const head: string[] = [];
  const phrases: string[][] = [];
  let first: string | null = null;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === COMMA || FUNCTION.has(w)) continue;
    if (AUXILIARY.has(w) && participle(words[i + 1])) continue;
    first ??= w;
    if (PREPOSITIONS.has(w) && (head.length > 0 || phrases.length > 0)) {
      phrases.push([w]);
      continue;
    }
    const folded = COPULA[w] ?? stem(w);
    if (phrases.length) phrases[phrases.length - 1].push(folded);
    else head.push(folded);
  }
  const pronoun = head.find((w) => PRONOUNS.has(w)) ?? null;
  const subjectless = first !== null && participle(first) && pronoun === null && !phrases.some((p) => p.some((w) => PRONOUNS.has(w)));
  return { part: { head, phrases: phrases.map((p) => p.join(' ')).sort() }, subjectless, pronoun };
}

/** Anything but letters, digits, spaces and sentence punctuation: a formula's symbols, brackets, operators. */
const NOT_PROSE = /[^\p{L}\p{N}\s.,;:!?'"\u2018\u2019\u201c\u201d\u2013\u2014-]/u;

/** Whether a text is words and sentence punctuation only (not a formula). */
export function isProse(text: string): boolean {
  return !NOT_PROSE.test(text);
}

/** A formula text's comparison key: its symbols kept, spacing and Unicode forms folded. */
export function formulaKey(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, '').replace(/[.。]$/, '');
}

/**
 * Reads a claim's meaning; null when its shape cannot be read (a "because" clause with no break)
 * or when it is not prose: words cannot tell "¬(P ∧ Q)" from "P ∧ Q", so formulas are left to logic.
 */
export function readMeaning(text: string): Meaning | null {
  if (!isProse(text)) return null;
  const shaped = shapeOf(tokensWithBreaks(text));
  if (!shaped) return null;
  const parts = shaped.parts.map(partOf);
  if (parts.some((p) => p.part.head.length === 0 && p.part.phrases.length === 0)) return null;
  // "Thinking, therefore I am": a part that opens with an -ing form and no subject has the other part's subject.
  for (const p of parts) {
    if (!p.subjectless) continue;
    const other = parts.find((q) => q !== p && q.pronoun !== null);
    if (other) p.part.head.unshift(other.pronoun as string);
  }
  return { shape: shaped.shape, parts: parts.map((p) => p.part) };
}

function samePart(a: MeaningPart, b: MeaningPart): boolean {
  return a.head.length === b.head.length && a.head.every((w, i) => w === b.head[i]) && a.phrases.length === b.phrases.length && a.phrases.every((p, i) => p === b.phrases[i]);
}

/** Whether two meanings are the same claim: same shape, each part with the same content words in the same roles. */
export function sameMeaning(a: Meaning | null, b: Meaning | null): boolean {
  if (!a || !b || a.shape !== b.shape || a.parts.length !== b.parts.length) return false;
  return a.parts.every((p, i) => samePart(p, b.parts[i]));
}
