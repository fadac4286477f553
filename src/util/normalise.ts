/**
 * Text normalisation for lookup. Two levels:
 * - `normaliseText`: the exact-match key (case, punctuation, spacing and Unicode forms removed);
 * - `fuzzyTokens`: a bag of folded content tokens for FTS candidates and the Jaccard score.
 */

const CONTRACTIONS: Record<string, string> = {
  "i'm": 'i am',
  "it's": 'it is',
  "can't": 'can not',
  "cannot": 'can not',
  "won't": 'will not',
  "don't": 'do not',
  "doesn't": 'does not',
  "isn't": 'is not',
  "aren't": 'are not',
  "i've": 'i have',
};

/** Inferential connectives that say the same thing; folded so "hence" and "therefore" match. */
const CONNECTIVES = new Set(['therefore', 'hence', 'thus', 'so', 'ergo', 'consequently', 'donc', 'accordingly']);
export const CONCLUSION_MARK = 'therefore';

/** Function words that carry no claim content. "i", "not" and "no" stay: they change the claim. */
const STOPWORDS = new Set([
  'a', 'an', 'the', 'that', 'this', 'these', 'those', 'of', 'to', 'in', 'on', 'at', 'by', 'for',
  'with', 'and', 'it', 'its', 'be', 'been', 'being', 'was', 'were', 'is', 'are', 'which', 'who',
  'whom', 'as', 'from', 'into', 'than', 'then', 'also', 'very', 'just', 'do', 'does', 'did',
]);

function unify(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // strip accents: "Méditations" == "Meditations"
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'");
}

/** Folded words: lower case, no accents or punctuation, contractions expanded ("I'm" → "i", "am"). */
export function foldWords(raw: string): string[] {
  const out: string[] = [];
  for (const w of unify(raw).split(/[^a-z0-9']+/)) {
    const t = w.replace(/^'+|'+$/g, '');
    if (!t) continue;
    const expanded = CONTRACTIONS[t];
    if (expanded) out.push(...expanded.split(' '));
    else out.push(t.replace(/'/g, ''));
  }
  return out;
}

/** Exact-match key: "I think, therefore I am!" and "i think therefore i am" give the same key. */
export function normaliseText(raw: string): string {
  return foldWords(raw).join(' ');
}

/** Irregular forms the suffix rules cannot reach. */
const IRREGULAR: Record<string, string> = {
  died: 'die', dies: 'die', dying: 'die', wrote: 'write', written: 'write', writes: 'write', writing: 'write',
  made: 'make', gave: 'give', given: 'give', took: 'take', taken: 'take', went: 'go', gone: 'go', thought: 'think',
  knew: 'know', known: 'know', said: 'say', saw: 'see', seen: 'see', held: 'hold', met: 'meet', born: 'born',
  men: 'man', women: 'woman', children: 'child',
};

/** Crude suffix stripping: enough to make "thinking", "thinks" and "think" one token. */
export function stem(w: string): string {
  const irregular = IRREGULAR[w];
  if (irregular) return irregular;
  if (w.length <= 3 || /^\d+$/.test(w)) return w;
  const rules: Array<[RegExp, string]> = [
    [/ies$/, 'y'],
    [/ing$/, ''],
    [/edly$/, ''],
    [/ed$/, ''],
    [/ence$/, ''],
    [/ance$/, ''],
    [/ment$/, ''],
    [/ly$/, ''],
    [/es$/, ''],
    [/s$/, ''],
  ];
  for (const [re, rep] of rules) {
    if (re.test(w)) {
      const s = w.replace(re, rep);
      if (s.length >= 3) return s.replace(/(.)\1$/, '$1'); // "thinn" -> "thin"
    }
  }
  return w;
}

/** Ordered, folded content tokens; conclusion connectives become CONCLUSION_MARK. */
export function fuzzySequence(raw: string): string[] {
  const out: string[] = [];
  for (const w of foldWords(raw)) {
    if (CONNECTIVES.has(w)) out.push(CONCLUSION_MARK);
    else if (!STOPWORDS.has(w)) out.push(stem(w));
  }
  return out;
}

export function fuzzyTokens(raw: string): Set<string> {
  return new Set(fuzzySequence(raw));
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const t of a) if (b.has(t)) inter++;
  return inter / (a.size + b.size - inter);
}

const NEGATIONS = new Set(['not', 'no', 'never', 'nothing', 'neither', 'nor', 'none']);

/** Odd number of negations: the claim denies rather than affirms. */
function negated(seq: string[]): boolean {
  return seq.filter((t) => NEGATIONS.has(t)).length % 2 === 1;
}

function sides(seq: string[]): [Set<string>, Set<string>] | null {
  const i = seq.indexOf(CONCLUSION_MARK);
  if (i < 0) return null;
  return [new Set(seq.slice(0, i)), new Set(seq.slice(i + 1))];
}

/**
 * Token Jaccard, made polarity- and direction-aware: a bag of words cannot tell "I think, therefore I am"
 * from "I am, therefore I think". When both texts draw a conclusion, the premise and
 * conclusion sides are compared too: a pairing that matches better crosswise is the converse
 * inference (score 0); otherwise the score is the weaker of the whole and the sides' mean.
 */
export function claimSimilarity(a: string[], b: string[]): number {
  // "I am" and "I am not" share all but one word and say opposite things.
  if (negated(a) !== negated(b)) return 0;
  const whole = jaccard(new Set(a), new Set(b));
  const sa = sides(a);
  const sb = sides(b);
  if (!sa || !sb) return whole;
  const direct = (jaccard(sa[0], sb[0]) + jaccard(sa[1], sb[1])) / 2;
  const crossed = (jaccard(sa[0], sb[1]) + jaccard(sa[1], sb[0])) / 2;
  if (crossed > direct) return 0;
  return Math.min(whole, direct);
}
