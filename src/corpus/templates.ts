/**
 * Reading and writing a domain pack's templates: which frame a sentence instantiates, with which
 * subject and answer, and the text a template gives when its slots are filled. Matching ignores
 * case, accents, spacing, commas, a/an and the final punctuation; a slot only takes a word of its
 * kind (a year by its form), so a sentence that merely looks like a template is not read as one.
 */
import type { DomainPack, Frame } from './domain';

/** The comparison form of a sentence or template: folded case and accents, one space, no commas or final punctuation. */
export function templateKey(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/,/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/\s+([?.!;:])/g, '$1')
    .trim()
    .replace(/[\s?.!;:]+$/, '')
    .replace(/^[\s¿¡]+/, '')
    .replace(/\ban\b/g, 'a');
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface CompiledTemplate {
  re: RegExp;
  /** Capture group order: which slot each group holds. */
  slots: Array<'S' | 'A'>;
}

const compiled = new Map<string, CompiledTemplate>();

/** A template as a regular expression over templateKey() text; each slot captures lazily. */
function compile(template: string): CompiledTemplate {
  let c = compiled.get(template);
  if (!c) {
    const key = templateKey(template.replace(/\{S\}/g, '\u0001').replace(/\{A\}/g, '\u0002'));
    const slots: Array<'S' | 'A'> = [];
    let src = '';
    for (const ch of key) {
      if (ch === '\u0001' || ch === '\u0002') {
        slots.push(ch === '\u0001' ? 'S' : 'A');
        src += '(.+?)';
      } else src += escape(ch);
    }
    c = { re: new RegExp(`^${src}$`), slots };
    compiled.set(template, c);
  }
  return c;
}

/** Fills a template's slots. */
export function fillTemplate(template: string, subject: string | null, answer = ''): string {
  return template.replace(/\{S\}/g, subject ?? '').replace(/\{A\}/g, answer);
}

/** Folded form of a word-list entry or slot text, for comparison. */
export function foldEntry(s: string): string {
  return templateKey(s).replace(/^(the|a) /, '');
}

const lists = new WeakMap<DomainPack, Map<string, Map<string, string>>>();

/** kind → (folded entry → entry as written), cached per pack. */
function kindIndex(pack: DomainPack, kind: string): Map<string, string> {
  let byKind = lists.get(pack);
  if (!byKind) {
    byKind = new Map();
    lists.set(pack, byKind);
  }
  let index = byKind.get(kind);
  if (!index) {
    index = new Map((pack.vocabulary.kinds[kind] ?? []).map((w) => [foldEntry(w), w]));
    byKind.set(kind, index);
  }
  return index;
}

const YEAR = /^\d{3,4}$/;
/** Longest free-text answer accepted for a kind whose list is empty (words). */
const MAX_FREE_ANSWER_WORDS = 8;

/**
 * A slot's text as a word of `kind`, spelt as the list writes it; null when it is not one. A
 * "year" takes a number of three or four digits; another kind with an empty list takes short text.
 */
export function kindWord(pack: DomainPack, kind: string, text: string): string | null {
  const folded = foldEntry(text);
  if (!folded) return null;
  const list = pack.vocabulary.kinds[kind] ?? [];
  if (kind === 'year') return YEAR.test(folded) ? folded : null;
  if (list.length === 0) return folded.split(' ').length <= MAX_FREE_ANSWER_WORDS ? text.trim().replace(/[\s?.!;:,]+$/, '') : null;
  return kindIndex(pack, kind).get(folded) ?? null;
}

/** Matches `text` against one template of `frame`; returns the slots' words, each checked against its kind. */
export function matchTemplate(
  pack: DomainPack,
  frame: Frame,
  template: string,
  text: string,
): { subject: string | null; answer: string | null } | null {
  const { re, slots } = compile(template);
  const m = re.exec(templateKey(text));
  if (!m) return null;
  let subject: string | null = null;
  let answer: string | null = null;
  for (let i = 0; i < slots.length; i++) {
    const got = m[i + 1];
    if (slots[i] === 'S') {
      if (frame.subjectKind === null) return null;
      subject = kindWord(pack, frame.subjectKind, got);
      if (subject === null) return null;
    } else {
      answer = kindWord(pack, frame.answerKind, got);
      if (answer === null) return null;
    }
  }
  return { subject, answer };
}

export interface FrameStatement {
  frame: Frame;
  subject: string | null;
  answer: string;
}

/** Which fact a sentence states, by the frames' claim and statement templates; null when it states none. */
export function readStatement(sentence: string, pack: DomainPack, only?: Frame): FrameStatement | null {
  for (const frame of only ? [only] : pack.frames) {
    for (const template of [frame.claim, ...frame.statements]) {
      const m = matchTemplate(pack, frame, template, sentence);
      if (m && m.answer !== null) return { frame, subject: m.subject, answer: m.answer };
    }
  }
  return null;
}

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

/** An answer's comparison key: folded, leading article dropped, number words as digits. */
export function answerKey(answer: string): string {
  const k = foldEntry(answer).replace(/[.!?]+$/, '');
  const n = NUMBER_WORDS.indexOf(k);
  return n >= 0 ? String(n) : k;
}

/**
 * Whether two answers name the same thing: equal keys, the same alias group, or one a
 * trailing part of the other ("Luynes" and "Duc de Luynes"), for multi-word names only.
 */
export function sameAnswer(a: string, b: string, aliases: readonly (readonly string[])[] = []): boolean {
  const ka = answerKey(a);
  const kb = answerKey(b);
  if (!ka || !kb) return false;
  if (ka === kb) return true;
  for (const group of aliases) {
    const keys = group.map(answerKey);
    if (keys.includes(ka) && keys.includes(kb)) return true;
  }
  const [short, long] = ka.length <= kb.length ? [ka, kb] : [kb, ka];
  return long.includes(' ') && !/^\d+$/.test(short) && long.endsWith(` ${short}`);
}
