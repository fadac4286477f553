/**
 * Controlled English → formula: a small, fixed grammar read deterministically, for arguments
 * posed in words. Outside the grammar the answer is null (or no readings), never a guess.
 *
 * The grammar (case-insensitive; a final '.', '!' or '?' is dropped; contractions such as
 * "isn't" and "doesn't" are expanded first):
 *
 *   S      := "if" S ("then" | ",") S            implication; "if a/some N …, then it …" is universal
 *           | "either" S "or" S                   ∨, and ⊕ as a second reading
 *           | "neither" S "nor" S | "not" S | "it is not the case that" S
 *           | S ("and" | "or") S                  only where the whole is no single clause
 *           | "there is"/"there are"/"there exists" NP-indefinite [REL]
 *           | NP VP
 *   NP     := NAME                                a capitalised word sequence, or one plain word: a constant, lower-cased ("Socrates" → socrates)
 *           | "I"                                 the constant i
 *           | "the" WORDS                         a constant ("the ground" → ground)
 *           | DET NOMINAL                         DET ∈ all, every, each, any, some, a, an, no, only
 *           | NOMINAL-plural                      a bare plural subject with a plural verb is universal ("men are mortal")
 *           | something | everything | nothing | someone | everyone | no one | …  [("who" | "that") VP]
 *           | it/he/she/they (bound by an "if" clause)
 *   NOMINAL:= WORDS [("that" | "who" | "which") VP] one predicate from the words (last word singular): "greek philosophers" → GreekPhilosopher
 *   VP     := COPULA ["not"] PRED | ["does"/"do" "not"] VERB [PREP] [NP] | "can" ["not"] VERB [PREP] [NP]
 *             ("can" joins the relation's name: "cannot fly" → ¬CanFly(x); no modal reading)
 *   PRED   := ["a" | "an"] WORDS (("and" | "or") PRED)*   unary predicates; a compound nominal also
 *             reads word by word as a second reading ("domesticated animal": Domesticated ∧ Animal)
 *           | PARTICIPLE "by" NP                  passive ("is admired by Ann" → Admire(ann, x))
 *           | ("identical to" | "the same as" | "equal to") NP   equality
 *           | ADJ "than" NP                      a binary predicate ("taller than" → TallerThan)
 *   VERB   := one word, its base form names the relation ("loves" → Love(x, y)); a following
 *             preposition joins the name ("lives in Athens" → LiveIn(x, athens))
 *
 * Ambiguities give several readings, surface order first: a quantified subject and a
 * quantified object in either scope order ("every man loves some woman"), a negated predicate
 * under a universal subject ("all A are not B": ∀x (A → ¬B), then ¬∀x (A → B)), and
 * "either … or" as inclusive, then exclusive.
 */
import type { Formula, Term } from './ast';
import { and, c, eq, exists, forall, iff, implies, not, or, pred, substitute, v, xor } from './ast';

/** Sentences longer than this are outside the controlled language (the parse backtracks). */
export const MAX_ENGLISH_WORDS = 40;
/** At most this many readings per sentence are kept. */
const MAX_READINGS = 8;

type Body = (t: Term) => Formula;

/** A noun phrase as a generalised quantifier: it takes what is said of it. */
interface NounPhrase {
  wrap: (body: Body) => Formula;
  /** every/all/each/any: the phrase under which a negation can also take wide scope. */
  universal: boolean;
  /** A name, a pronoun or a definite: no quantifier, so no scope ambiguity. */
  singular: boolean;
  /** Plural phrase (agrees with "are", a verb without -s). */
  plural: boolean;
  /** A relative pronoun's variable: agrees with either verb form (its number is its head noun's). */
  anyNumber?: boolean;
}

/** A verb phrase: the readings of "subject VP" for a given subject. */
type VerbPhrase = (subject: NounPhrase) => Formula[];

const FUNCTION_WORDS = new Set(
  (
    'a an the all every each any some no not only if then and or either neither nor is are am was were be been ' +
    'does do did it he she they that who which whom there something everything nothing someone everyone ' +
    'somebody everybody nobody anyone anything one than of to so therefore thus hence because since but ' +
    'identical same equal as what whoever whatever whether true false case ' +
    // modal auxiliaries, frequency adverbs and determiners the grammar does not read: outside it, not misread
    'can could may might must shall should will would never always often sometimes usually rarely seldom ' +
    'most many few several multiple both neither either more less'
  ).split(' '),
);
const UNIVERSAL_DETS = new Set(['all', 'every', 'each', 'any']);
const EXISTENTIAL_DETS = new Set(['some', 'a', 'an']);
const COPULAS = new Set(['is', 'are', 'am', 'was', 'were']);
const PLURAL_COPULAS = new Set(['are', 'were']);
const PRONOUNS = new Set(['it', 'he', 'she', 'they', 'him', 'her', 'them']);
const RELATIVES = new Set(['that', 'who', 'which']);
const PREPOSITIONS = new Set(['in', 'on', 'at', 'with', 'to', 'from', 'of', 'by', 'for', 'into', 'about', 'under', 'over', 'after', 'before']);
const IRREGULAR_PLURALS: Record<string, string> = {
  men: 'man', women: 'woman', people: 'person', children: 'child', mice: 'mouse', geese: 'goose', feet: 'foot',
  teeth: 'tooth', persons: 'person', gods: 'god', oxen: 'ox', wolves: 'wolf', knives: 'knife', lives: 'life',
};
const IRREGULAR_VERBS: Record<string, string> = { has: 'have', does: 'do', goes: 'go', is: 'be', are: 'be' };
const CONTRACTIONS: [RegExp, string][] = [
  [/\bisn't\b/gi, 'is not'], [/\baren't\b/gi, 'are not'], [/\bdoesn't\b/gi, 'does not'], [/\bdon't\b/gi, 'do not'],
  [/\bwasn't\b/gi, 'was not'], [/\bweren't\b/gi, 'were not'], [/\bcannot\b/gi, 'can not'], [/\bno one\b/gi, 'noone'],
];

/** The singular of an English noun (or the word itself when it does not look plural). */
export function singular(word: string): string {
  const w = word.toLowerCase();
  if (IRREGULAR_PLURALS[w]) return IRREGULAR_PLURALS[w];
  if (/(ss|us|is|ous)$/.test(w) || w.length <= 3) return w;
  if (/ies$/.test(w)) return `${w.slice(0, -3)}y`;
  if (/(sses|shes|ches|xes|zzes)$/.test(w)) return w.slice(0, -2);
  if (/s$/.test(w)) return w.slice(0, -1);
  return w;
}

/** The base form of a present-tense verb ("loves" → love, "watches" → watch, "flies" → fly). */
export function verbBase(word: string): string {
  const w = word.toLowerCase();
  if (IRREGULAR_VERBS[w]) return IRREGULAR_VERBS[w];
  if (/(ss|us|is)$/.test(w) || w.length <= 3) return w;
  if (/ies$/.test(w)) return `${w.slice(0, -3)}y`;
  if (/(sses|shes|ches|xes|zzes|oes)$/.test(w)) return w.slice(0, -2);
  if (/s$/.test(w)) return w.slice(0, -1);
  return w;
}

/** "warm-blooded" → WarmBlooded: a name the solvers and the printer take as it is. */
const capitalise = (w: string): string =>
  w.toLowerCase().split(/[-']/).filter(Boolean).map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
/** Head nouns that add nothing to the adjectives before them ("black things" are the black ones). */
const EMPTY_HEADS = new Set(['thing', 'things', 'one', 'ones', 'person', 'people', 'persons', 'being', 'beings', 'individual', 'individuals', 'entity', 'entities', 'object', 'objects']);
/** Predicate name of a nominal: words in camel case, the last made singular. */
function nominalName(words: string[]): string {
  const kept = words.length > 1 && EMPTY_HEADS.has(words[words.length - 1]) ? words.slice(0, -1) : words;
  return kept.map((w, i) => capitalise(i === kept.length - 1 && kept === words ? singular(w) : w)).join('');
}

const IRREGULAR_PARTICIPLES: Record<string, string> = {
  seen: 'see', known: 'know', taken: 'take', given: 'give', written: 'write', made: 'make', held: 'hold', had: 'have',
  read: 'read', heard: 'hear', loved: 'love', caused: 'cause', created: 'create', followed: 'follow', owned: 'own',
  taught: 'teach', thought: 'think', found: 'find', told: 'tell', built: 'build', bought: 'buy', caught: 'catch', chosen: 'choose',
};

/**
 * The base form of a regular past participle ("admired" → admire, "inspired" → inspire,
 * "helped" → help, "stopped" → stop), or null for a word that is not one. The silent e is
 * restored after a single consonant that follows a single vowel (CVC), which is right for the
 * common verbs and wrong for a few ("visited" → visite): the grammar says so, it does not guess per word.
 */
export function participleBase(word: string): string | null {
  const w = word.toLowerCase();
  if (IRREGULAR_PARTICIPLES[w]) return IRREGULAR_PARTICIPLES[w];
  if (!/ed$/.test(w) || w.length < 5) return null;
  const stem = w.slice(0, -2);
  if (/ied$/.test(w)) return `${w.slice(0, -3)}y`;
  if (/([bdgklmnprt])\1$/.test(stem)) return stem.slice(0, -1);
  if (/[^aeiou][aeiou][^aeiouwxy]$/.test(stem) || /(v|u|c|g|z|ur|ir|ar|at)$/.test(stem) && !/(ck|ng)$/.test(stem)) return `${stem}e`;
  return stem;
}
const verbIsPlural = (word: string): boolean => !/s$/i.test(word) || /ss$/i.test(word);

interface Token {
  text: string;
  lower: string;
  capital: boolean;
}

function tokenizeEnglish(sentence: string): Token[] | null {
  let s = sentence.trim().replace(/[.!?]+$/, '').trim();
  for (const [re, by] of CONTRACTIONS) s = s.replace(re, by);
  s = s.replace(/,/g, ' , ');
  if (!s || !/^[A-Za-z0-9' ,-]+$/.test(s)) return null;
  const words = s.split(/\s+/).filter(Boolean);
  if (words.length > MAX_ENGLISH_WORDS) return null;
  // A capital marks a name, except on a sentence's first word when that is a function word ("All").
  return words.map((text, i) => ({ text, lower: text.toLowerCase(), capital: /^[A-Z]/.test(text) && (i > 0 || !FUNCTION_WORDS.has(text.toLowerCase())) }));
}

/** Per-sentence state: fresh variable names, the pronoun an "if" clause binds. */
interface Context {
  fresh: () => string;
  pronoun: Term | null;
  /** Readings of each word sequence already tried (with the pronoun it was read under): keeps the and/or splits polynomial. */
  memo: Map<string, Formula[]>;
}

const isContent = (t: Token): boolean => !FUNCTION_WORDS.has(t.lower) && /^[a-z0-9][a-z0-9'-]*$/.test(t.lower);

function nameNP(term: Term): NounPhrase {
  return { wrap: (body) => body(term), universal: false, singular: true, plural: false };
}

function quantifiedNP(ctx: Context, det: string, restrictor: Body, plural: boolean): NounPhrase {
  const x = ctx.fresh();
  const X = v(x);
  if (UNIVERSAL_DETS.has(det)) return { wrap: (b) => forall([x], implies(restrictor(X), b(X))), universal: true, singular: false, plural };
  if (det === 'no') return { wrap: (b) => forall([x], implies(restrictor(X), not(b(X)))), universal: false, singular: false, plural };
  if (det === 'only') return { wrap: (b) => forall([x], implies(b(X), restrictor(X))), universal: false, singular: false, plural };
  return { wrap: (b) => exists([x], and(restrictor(X), b(X))), universal: false, singular: false, plural };
}

const TOP_RESTRICTOR: Body = () => ({ kind: 'true' });

/** Readings of a nominal (words with an optional relative clause) as a restrictor. */
function nominal(ctx: Context, toks: Token[]): Body[] {
  const rel = toks.findIndex((t) => RELATIVES.has(t.lower));
  const head = rel < 0 ? toks : toks.slice(0, rel);
  if (head.length === 0 || !head.every(isContent)) return [];
  const words = head.map((t) => t.lower);
  const name = nominalName(words);
  // A second reading of a compound nominal: each word its own predicate ("domesticated animal": Domesticated ∧ Animal).
  const heads: Body[] = [(t) => pred(name, t)];
  const parts = [...new Set(words.filter((w) => !EMPTY_HEADS.has(w)).map((w) => nominalName([w])))];
  if (parts.length > 1) heads.push((t) => and(...parts.map((p) => pred(p, t))));
  if (rel < 0) return heads;
  const relative = (t: Term): NounPhrase => ({ ...nameNP(t), anyNumber: true });
  return verbPhrase(ctx, toks.slice(rel + 1)).flatMap((vp) => heads.map((h) => (t: Term) => {
    const [body] = vp(relative(t));
    return body ? and(h(t), body) : { kind: 'false' as const };
  }));
}

/** Quantifier words that are a whole noun phrase, with the determiner each stands for. */
const BARE_QUANTIFIERS: Record<string, string | undefined> = {
  something: 'some', someone: 'some', somebody: 'some', anything: 'every', anyone: 'every', everything: 'every',
  everyone: 'every', everybody: 'every', nothing: 'no', nobody: 'no', noone: 'no',
};

/** Every way to read `toks` as one noun phrase. */
function nounPhrase(ctx: Context, toks: Token[]): NounPhrase[] {
  if (toks.length === 0) return [];
  const [first, ...rest] = toks;
  const w = first.lower;
  if (toks.length === 1) {
    if (w === 'i') return [nameNP(c('i'))];
    if (PRONOUNS.has(w)) return ctx.pronoun ? [nameNP(ctx.pronoun)] : w === 'it' ? [nameNP(c(IT))] : [];
    const bare = BARE_QUANTIFIERS[w];
    if (bare) return [quantifiedNP(ctx, bare, TOP_RESTRICTOR, false)];
    if (isContent(first)) return [nameNP(c(w))];
    return [];
  }
  const bareWithClause = BARE_QUANTIFIERS[w];
  if (bareWithClause && toks.length > 2 && RELATIVES.has(rest[0].lower)) {
    // "everyone who loves John": the relative clause is the restrictor.
    return verbPhrase(ctx, rest.slice(1)).map((vp) => quantifiedNP(ctx, bareWithClause, (t) => vp({ ...nameNP(t), anyNumber: true })[0] ?? { kind: 'false' }, false));
  }
  if (toks.every((t) => t.capital)) return [nameNP(c(toks.map((t) => t.lower).join('_')))];
  if (w === 'the' && rest.every(isContent)) return [nameNP(c(rest.map((t) => t.lower).join('_')))];
  if ((UNIVERSAL_DETS.has(w) || EXISTENTIAL_DETS.has(w) || w === 'no' || w === 'only') && rest.length) {
    // "all the men", "each of the men": the article adds nothing here.
    const body = rest[0].lower === 'of' && rest[1]?.lower === 'the' ? rest.slice(2) : rest[0].lower === 'the' ? rest.slice(1) : rest;
    const plural = w === 'all' || w === 'some' || w === 'only';
    return nominal(ctx, body).map((r) => quantifiedNP(ctx, w, r, plural));
  }
  return [];
}

/** A bare plural subject ("men", "greek philosophers that think"): universal. */
function barePlural(ctx: Context, toks: Token[]): NounPhrase[] {
  const rel = toks.findIndex((t) => RELATIVES.has(t.lower));
  const head = rel < 0 ? toks : toks.slice(0, rel);
  const last = head[head.length - 1];
  if (!last || singular(last.lower) === last.lower) return [];
  return nominal(ctx, toks).map((r) => quantifiedNP(ctx, 'all', r, true));
}

/** Unary predicates of a PRED ("a man", "mortal and wise"): a property of a term. */
function property(toks: Token[]): Body | null {
  const split = toks.findIndex((t) => t.lower === 'and' || t.lower === 'or');
  if (split > 0) {
    const left = property(toks.slice(0, split));
    const right = property(toks.slice(split + 1));
    if (!left || !right) return null;
    return toks[split].lower === 'and' ? (t) => and(left(t), right(t)) : (t) => or(left(t), right(t));
  }
  const words = toks[0] && (toks[0].lower === 'a' || toks[0].lower === 'an') ? toks.slice(1) : toks;
  if (words.length === 0 || !words.every(isContent)) return null;
  const name = nominalName(words.map((t) => t.lower));
  return (t) => pred(name, t);
}

/** Combines a subject and an object noun phrase around a relation, in both scope orders when both quantify. */
function scoped(subject: NounPhrase, object: NounPhrase, relation: (s: Term, o: Term) => Formula): Formula[] {
  const surface = subject.wrap((s) => object.wrap((o) => relation(s, o)));
  if (subject.singular || object.singular) return [surface];
  return [surface, object.wrap((o) => subject.wrap((s) => relation(s, o)))];
}

/** "not P" under a universal subject: narrow scope first, then wide. */
function negated(subject: NounPhrase, body: Body): Formula[] {
  const narrow = subject.wrap((t) => not(body(t)));
  return subject.universal ? [narrow, not(subject.wrap(body))] : [narrow];
}

/** Every reading of `toks` as a verb phrase. */
function verbPhrase(ctx: Context, toks: Token[]): VerbPhrase[] {
  if (toks.length === 0) return [];
  const out: VerbPhrase[] = [];
  const w = toks[0].lower;
  if (COPULAS.has(w)) {
    const negative = toks[1]?.lower === 'not';
    const rest = toks.slice(negative ? 2 : 1);
    const words = rest.map((t) => t.lower).join(' ');
    const identity = /^(identical to|the same as|equal to) /.exec(`${words} `);
    const than = rest.findIndex((t) => t.lower === 'than');
    const passive = rest.length > 2 && rest[1].lower === 'by' ? participleBase(rest[0].lower) : null;
    if (passive) {
      // "is admired by every student": the object of the verb is the subject here.
      const name = capitalise(passive);
      for (const o of nounPhrase(ctx, rest.slice(2))) {
        out.push((s) => scoped(s, o, (a, b) => (negative ? not(pred(name, b, a)) : pred(name, b, a))));
      }
    } else if (identity) {
      const objects = nounPhrase(ctx, rest.slice(identity[1].split(' ').length));
      for (const o of objects) {
        out.push((s) => (negative ? scoped(s, o, (a, b) => not(eq(a, b))) : scoped(s, o, eq)));
      }
    } else if (than === 1 && isContent(rest[0])) {
      const name = `${capitalise(rest[0].lower)}Than`;
      for (const o of nounPhrase(ctx, rest.slice(2))) {
        out.push((s) => scoped(s, o, (a, b) => (negative ? not(pred(name, a, b)) : pred(name, a, b))));
      }
    } else {
      const p = property(rest);
      if (p) out.push((s) => (negative ? negated(s, p) : [s.wrap(p)]));
    }
    return out;
  }
  // "does not V", "can V", "can not V" (and "cannot"): "can" joins the relation's name (CanFly), no modality.
  const can = w === 'can';
  const auxiliary = ((w === 'does' || w === 'do') && toks[1]?.lower === 'not') || can;
  const negative = toks[1]?.lower === 'not';
  const verbToks = auxiliary ? toks.slice(negative ? 2 : 1) : toks;
  const verb = verbToks[0];
  if (!verb || !isContent(verb) || (!auxiliary && verb.capital)) return [];
  const prep = verbToks[1] && PREPOSITIONS.has(verbToks[1].lower) ? verbToks[1].lower : '';
  const name = (can ? 'Can' : '') + capitalise(can ? verb.lower : verbBase(verb.lower)) + (prep ? capitalise(prep) : '');
  const agrees = (s: NounPhrase): boolean => auxiliary || !!s.anyNumber || s.plural === verbIsPlural(verb.text) || s.singular === !verbIsPlural(verb.text);
  // "fades quickly": a lower-case -ly word after an intransitive verb joins its name (FadeQuickly), never a name itself.
  const adverb = !prep && verbToks.length === 2 && /^[a-z]+ly$/.test(verbToks[1].text) ? capitalise(verbToks[1].lower) : '';
  if (adverb) {
    const p: Body = (t) => pred(name + adverb, t);
    out.push((s) => (!agrees(s) ? [] : negative ? negated(s, p) : [s.wrap(p)]));
    return out;
  }
  const objectToks = verbToks.slice(prep ? 2 : 1);
  if (objectToks.length === 0 && !prep) {
    const p: Body = (t) => pred(name, t);
    out.push((s) => (!agrees(s) ? [] : negative ? negated(s, p) : [s.wrap(p)]));
    return out;
  }
  for (const o of nounPhrase(ctx, objectToks)) {
    out.push((s) => {
      if (!agrees(s)) return [];
      const readings = scoped(s, o, (a, b) => pred(name, a, b));
      if (!negative) return readings;
      // "does not love some woman": the negation is under the subject, over the object.
      return [s.wrap((a) => not(o.wrap((b) => pred(name, a, b)))), ...(s.universal ? [not(s.wrap((a) => o.wrap((b) => pred(name, a, b))))] : [])];
    });
  }
  return out;
}

/** A placeholder subject for the expletive "it" ("it rains"): its atoms lose the argument. */
const IT = '\u0000it';

function dropExpletive(f: Formula): Formula {
  switch (f.kind) {
    case 'pred':
      return f.args.length === 1 && f.args[0].kind === 'const' && f.args[0].name === IT ? { ...f, args: [] } : f;
    case 'not':
      return not(dropExpletive(f.arg));
    case 'and':
    case 'or':
      return { ...f, args: f.args.map(dropExpletive) };
    case 'implies':
    case 'iff':
    case 'xor':
      return { ...f, left: dropExpletive(f.left), right: dropExpletive(f.right) };
    case 'forall':
    case 'exists':
      return { ...f, body: dropExpletive(f.body) };
    default:
      return f;
  }
}

function mentionsExpletive(f: Formula): boolean {
  return JSON.stringify(f).includes(JSON.stringify(IT).slice(1, -1));
}

/** "NP VP": every split of the tokens into a subject and a verb phrase that parses. */
function clause(ctx: Context, toks: Token[]): Formula[] {
  const out: Formula[] = [];
  if (toks[0]?.lower === 'there' && toks[1] && ['is', 'are', 'exists', 'exist'].includes(toks[1].lower)) {
    const rest = toks.slice(2);
    const det = rest[0]?.lower;
    if (det === 'no') return nominal(ctx, rest.slice(1)).map((r) => { const x = ctx.fresh(); return not(exists([x], r(v(x)))); });
    if (det && EXISTENTIAL_DETS.has(det)) return nominal(ctx, rest.slice(1)).map((r) => { const x = ctx.fresh(); return exists([x], r(v(x))); });
    return [];
  }
  for (let split = 1; split < toks.length && out.length === 0; split++) {
    const subjectToks = toks.slice(0, split);
    const vpToks = toks.slice(split);
    const vps = verbPhrase(ctx, vpToks);
    if (vps.length === 0) continue;
    const pluralVerb = PLURAL_COPULAS.has(vpToks[0].lower) || vpToks[0].lower === 'do' || (!COPULAS.has(vpToks[0].lower) && vpToks[0].lower !== 'does' && verbIsPlural(vpToks[0].text));
    const conj = subjectToks.findIndex((t) => t.lower === 'and');
    let subjects: NounPhrase[];
    if (pluralVerb && conj > 0) {
      // "Socrates and Plato are men": the same is said of each name.
      const left = nounPhrase(ctx, subjectToks.slice(0, conj)).filter((s) => s.singular);
      const right = nounPhrase(ctx, subjectToks.slice(conj + 1)).filter((s) => s.singular);
      subjects = left.length && right.length ? [{ wrap: (b) => and(left[0].wrap(b), right[0].wrap(b)), universal: false, singular: true, plural: true }] : [];
    } else {
      subjects = nounPhrase(ctx, subjectToks);
      if (pluralVerb) {
        // A bare plural with a plural verb is generic ("men are mortal"), not a name.
        // Only one word before a verb ("dogs bark"): longer bare nominals before a verb misread too easily.
        const generic = COPULAS.has(vpToks[0].lower) || subjectToks.length === 1 ? barePlural(ctx, subjectToks) : [];
        if (generic.length) subjects = generic;
        else subjects = subjects.map((s) => (s.singular && subjectToks[0].lower !== 'i' ? { ...s, plural: false } : s));
      }
    }
    for (const s of subjects) {
      const subject = s.singular ? { ...s, plural: subjectToks[0].lower === 'i' || (pluralVerb && conj > 0) } : s;
      for (const vp of vps) out.push(...vp(subject));
    }
  }
  return out;
}

function slice(toks: Token[], from: number, to?: number): Token[] {
  return toks.slice(from, to).filter((t, i, a) => !(t.text === ',' && (i === 0 || i === a.length - 1)));
}

function conditional(ctx: Context, toks: Token[]): Formula[] {
  const splits = toks.flatMap((t, i) => (t.lower === 'then' || t.text === ',' ? [i] : []));
  for (const at of splits) {
    const antecedent = slice(toks, 1, at);
    const consequent = slice(toks, at + 1);
    if (antecedent.length === 0 || consequent.length === 0) continue;
    // "If something is a man, then it is mortal": the indefinite binds the pronoun, for all.
    const indefinite = antecedent[0].lower;
    if (['something', 'anything', 'someone', 'anyone', 'a', 'an'].includes(indefinite) && consequent.some((t) => PRONOUNS.has(t.lower))) {
      const x = ctx.fresh();
      const bound: Context = { ...ctx, pronoun: v(x) };
      const article = indefinite === 'a' || indefinite === 'an';
      const found: Formula[] = [];
      // The antecedent's subject is the bound variable; its nominal ends where a verb phrase parses.
      for (let split = article ? 2 : 1; split < (article ? antecedent.length : 2) && found.length === 0; split++) {
        const restrictors = article ? nominal(ctx, antecedent.slice(1, split)) : [TOP_RESTRICTOR];
        const vps = restrictors.length ? verbPhrase(ctx, antecedent.slice(split)) : [];
        for (const r of restrictors)
          for (const vp of vps)
            for (const cond of vp(nameNP(v(x))))
              for (const then of sentence(bound, consequent)) found.push(forall([x], implies(and(r(v(x)), cond), then)));
      }
      if (found.length) return found;
    }
    const as = sentence(ctx, antecedent);
    let bs = as.length ? sentence(ctx, consequent) : [];
    // "If Lisa studies, she passes": a pronoun refers to the antecedent's named subject.
    const named = antecedent[0].capital && !ctx.pronoun ? c(antecedent[0].lower) : null;
    if (as.length && !bs.length && named && consequent.some((t) => PRONOUNS.has(t.lower))) bs = sentence({ ...ctx, pronoun: named }, consequent);
    if (as.length && bs.length) return as.flatMap((a) => bs.map((b) => implies(a, b)));
  }
  return [];
}

function sentence(ctx: Context, toks: Token[]): Formula[] {
  const key = `${ctx.pronoun ? `${ctx.pronoun.kind}:${ctx.pronoun.kind === 'app' ? ctx.pronoun.fn : ctx.pronoun.name}` : ''}|${toks.map((t) => t.text).join(' ')}`;
  let found = ctx.memo.get(key);
  if (!found) ctx.memo.set(key, (found = sentenceReadings(ctx, toks).slice(0, MAX_READINGS)));
  return found;
}

function sentenceReadings(ctx: Context, toks: Token[]): Formula[] {
  if (toks.length === 0) return [];
  const words = toks.map((t) => t.lower);
  const joined = words.join(' ');
  if (joined.startsWith('it is not the case that ')) return sentence(ctx, toks.slice(6)).map(not);
  if (words[0] === 'not') return sentence(ctx, toks.slice(1)).map(not);
  if (words[0] === 'if') return conditional(ctx, toks);
  const iffAt = joined.indexOf(' if and only if ');
  if (iffAt > 0) {
    const at = joined.slice(0, iffAt).split(' ').length;
    const ls = sentence(ctx, slice(toks, 0, at));
    const rs = sentence(ctx, slice(toks, at + 4));
    return ls.flatMap((l) => rs.map((r) => iff(l, r)));
  }
  if (words[0] === 'either' || words[0] === 'neither') {
    const sep = words[0] === 'either' ? 'or' : 'nor';
    for (let i = 2; i < toks.length - 1; i++) {
      if (words[i] !== sep) continue;
      const ls = sentence(ctx, slice(toks, 1, i));
      const rs = ls.length ? sentence(ctx, slice(toks, i + 1)) : [];
      if (!ls.length || !rs.length) continue;
      if (sep === 'nor') return ls.flatMap((l) => rs.map((r) => and(not(l), not(r))));
      return [...ls.flatMap((l) => rs.map((r) => or(l, r))), ...ls.flatMap((l) => rs.map((r) => xor(l, r)))];
    }
    return [];
  }
  const whole = clause(ctx, toks.filter((t) => t.text !== ','));
  if (whole.length) return whole;
  for (let i = 1; i < toks.length - 1; i++) {
    if (words[i] !== 'and' && words[i] !== 'or') continue;
    const ls = sentence(ctx, slice(toks, 0, i));
    const rs = ls.length ? sentence(ctx, slice(toks, i + 1)) : [];
    if (ls.length && rs.length) return ls.flatMap((l) => rs.map((r) => (words[i] === 'and' ? and(l, r) : or(l, r))));
  }
  return [];
}

const VARIABLES = ['x', 'y', 'z', 'w', 'u'];

/** Renames bound variables by nesting depth (x, y, z, …), so equal readings print alike. */
function tidy(f: Formula, depth = 0): Formula {
  switch (f.kind) {
    case 'forall':
    case 'exists': {
      const names = f.vars.map((_, i) => VARIABLES[depth + i] ?? `x${depth + i}`);
      const body = substitute(f.body, new Map(f.vars.map((x, i) => [x, v(names[i])])));
      return { ...f, vars: names, body: tidy(body, depth + f.vars.length) };
    }
    case 'not':
      return not(tidy(f.arg, depth));
    case 'and':
    case 'or':
      return { ...f, args: f.args.map((a) => tidy(a, depth)) };
    case 'implies':
    case 'iff':
    case 'xor':
      return { ...f, left: tidy(f.left, depth), right: tidy(f.right, depth) };
    default:
      return f;
  }
}

/** Drops the ⊤ a quantifier without a restrictor leaves ("everything": ∀x (⊤ → P(x)) is ∀x P(x)). */
function simplify(f: Formula): Formula {
  switch (f.kind) {
    case 'implies': {
      const left = simplify(f.left);
      const right = simplify(f.right);
      return left.kind === 'true' ? right : implies(left, right);
    }
    case 'and': {
      const args = f.args.map(simplify).filter((a) => a.kind !== 'true');
      return and(...args);
    }
    case 'or':
      return { ...f, args: f.args.map(simplify) };
    case 'not':
      return not(simplify(f.arg));
    case 'iff':
    case 'xor':
      return { ...f, left: simplify(f.left), right: simplify(f.right) };
    case 'forall':
    case 'exists':
      return { ...f, body: simplify(f.body) };
    default:
      return f;
  }
}

/**
 * Every reading of a controlled-English sentence, the surface reading first; empty when the
 * sentence is outside the grammar. Deterministic: the same sentence always gives the same list.
 */
export function englishReadings(sentence_: string): Formula[] {
  const toks = tokenizeEnglish(sentence_);
  if (!toks) return [];
  let n = 0;
  const ctx: Context = { fresh: () => `v${n++}`, pronoun: null, memo: new Map() };
  const readings = sentence(ctx, toks).map((f) => tidy(simplify(mentionsExpletive(f) ? dropExpletive(f) : f)));
  const seen = new Set<string>();
  const out: Formula[] = [];
  for (const f of readings) {
    const key = JSON.stringify(f);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(f);
    if (out.length >= MAX_READINGS) break;
  }
  return out;
}

/** The surface reading of a controlled-English sentence, or null outside the grammar. */
export function englishToFormula(sentence_: string): Formula | null {
  return englishReadings(sentence_)[0] ?? null;
}
