/**
 * Sentence splitter for model answers. Splits at . ! ? and line breaks, but not inside
 * abbreviations (e.g., cf., AT vol. p.), decimals, initials, or a quantifier's dot ("∀x. P(x)").
 */

const ABBREVIATIONS = new Set([
  'e.g', 'i.e', 'cf', 'etc', 'vs', 'viz', 'dr', 'mr', 'mrs', 'ms', 'st', 'fr', 'p', 'pp', 'vol', 'vols', 'ed', 'eds',
  'trans', 'ch', 'no', 'art', 'sec', 'fig', 'approx', 'ca', 'c', 'al', 'op', 'cit', 'ibid', 'med', 'obj', 'resp',
]);

export interface Sentence {
  text: string;
  start: number;
}

function endsWithAbbreviation(before: string): boolean {
  const m = /([A-Za-z][A-Za-z.]*)$/.exec(before);
  if (!m) return false;
  const word = m[1].toLowerCase();
  if (ABBREVIATIONS.has(word)) return true;
  return /^[a-z]$/i.test(word) && /(^|\s)[A-Z]$/.test(before); // an initial: "R. Descartes"
}

function isQuantifierDot(before: string): boolean {
  // "∀x." / "∃y z." / "![X]." / "forall x." — the dot that ends a binder, not a sentence.
  return /(?:[∀∃]\s*[A-Za-z_][\w]*(?:\s*,?\s*[A-Za-z_]\w*)*|[!?]\s*\[[^\]]*\]|\b(?:forall|exists)\s+[A-Za-z_]\w*(?:\s+[A-Za-z_]\w*)*)\s*$/.test(
    before,
  );
}

export function splitSentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  let start = 0;
  const push = (end: number) => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (trimmed) out.push({ text: trimmed.replace(/^[-*•]\s+|^\d+[.)]\s+/, ''), start: start + lead });
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') {
      // A line break ends a sentence when the next line starts a new item or paragraph.
      const next = text.slice(i + 1);
      if (/^\s*\n/.test(next) || /^\s*([-*•]|\d+[.)])\s/.test(next) || /[.!?:;]\s*$/.test(text.slice(start, i))) push(i + 1);
      continue;
    }
    if (ch !== '.' && ch !== '!' && ch !== '?') continue;
    const after = text.slice(i + 1);
    if (ch === '.' && /^\d/.test(after)) continue; // 3.14, 1.2
    if (ch === '?' && /^\s*\[/.test(after)) continue; // TPTP "?[X]"
    if (ch === '!' && /^\s*\[/.test(after)) continue; // TPTP "![X]"
    if (ch === '!' && after.startsWith('=')) continue; // "!="
    let j = i + 1;
    while (j < text.length && /[.!?"'”’)\]]/.test(text[j])) j++;
    const rest = text.slice(j);
    if (rest.length && !/^\s/.test(rest)) continue; // "e.g.x", "a.b"
    const before = text.slice(start, i);
    if (ch === '.' && (endsWithAbbreviation(before) || isQuantifierDot(before))) continue;
    if (rest.trim() && /^\s+[a-z]/.test(rest)) continue; // lower-case continuation: not a sentence end
    push(j);
    i = j - 1;
  }
  push(text.length);
  return out;
}
