/**
 * Questions that pose an argument, read into premises, a conclusion and a logic, and decided
 * with FOLIO's three labels: True (the premises entail the conclusion), False (they entail its
 * negation), Uncertain (neither).
 *
 * Forms read (case-insensitive):
 * - "Premises: A; B … Conclusion: C" (premises on lines, after ';', or as sentences);
 * - TPTP statements (`fof(name, axiom, …).` … one `conjecture`);
 * - "Does C follow from A, B?", "Is C entailed by A and B?", "Given A; B, does it follow that C?";
 * - "A, B ⊢ C" (also `|-`, `⊨`), and "A. B. Therefore C.";
 * - a named argument of the library ("Is the Real Distinction argument valid in S4?");
 * - a claim in a theory of mind ("According to IIT, is the grid conscious?").
 * Each premise and the conclusion is read in the formula language (FOLIO's Unicode notation,
 * with its documented repairs, or ASCII/TPTP) or in controlled English (english.ts). A premise
 * that starts "normally"/"typically"/"default:" is a default, decided defeasibly.
 *
 * The logic is the one the question names ("valid in S4", "in LP", "Logic: K",
 * "defeasibly"), else the library argument's own, else K for a modal formula, else classical.
 */
import type { Formula } from './ast';
import { c, children, eq, forall, isModal, not, or, v } from './ast';
import type { Verdict } from './classical';
import { checkConsistency, checkEntailment } from './classical';
import type { GroundModel } from './model';
import { checkDefeasible } from './defeasible';
import { englishReadings } from './english';
import { FormulaParseError, ProblemFileError } from './errors';
import { repairFolioFormula } from './folio';
import { ARGUMENTS } from './library/arguments';
import { INVALID_ARGUMENTS } from './library/fallacies';
import { MIND_BACKGROUND, MIND_THEORIES } from './library/mind';
import type { Argument } from './argument';
import { checkModal } from './modal/check';
import type { ModalLogic } from './modal/frames';
import { isModalLogic, MODAL_LOGICS } from './modal/frames';
import { checkParaconsistent } from './paraconsistent';
import { parseFormula } from './parser';
import { formulaToString } from './print';
import { readStatements } from './qmltp';
import { CogitoError, InvalidOptionError, NotFoundError } from '../util/errors';

export type ArgumentNotation = 'formula' | 'tptp' | 'folio' | 'english' | 'library';

export interface ArgumentQuestion {
  premises: Formula[];
  conclusion: Formula;
  /** 'classical', a modal logic (K … S5), 'LP', 'FDE', 'defeasible', or 'theory:<name>' for a theory of mind. */
  logic: string;
  notation: 'formula' | 'tptp' | 'folio' | 'english' | 'library';
  /** Where the reading came from: the form recognised, the library id, or the re-encoding tried. */
  source: string;
  /** Defaults (logic 'defeasible'): rules that hold unless the premises defeat an instance. */
  defaults?: Formula[];
  /** FOLIO repairs applied to make the formulas parse (none when they parsed as written). */
  repairs?: string[];
  /** Indices of premises that are contested theses (a library argument's conditions). */
  contested?: number[];
}

export interface ArgumentDecision {
  answer: Verdict;
  logic: string;
  /** What decided it: the solver, the modal method, "Z3 Optimize" for defaults. */
  method: string;
  /** The verdict in a sentence, with what backs it. */
  detail: string;
  /** The checker's own result: countermodel, unsat core, defeated defaults. */
  artifact: unknown;
  /** False when a check ran out of time or answered unknown: the Uncertain then decides nothing. */
  decided: boolean;
  /** For an answer other than True: a model of the premises in which the conclusion fails, when one was found. */
  countermodel?: unknown;
  /**
   * True: the conclusion follows only with the contested premises (`contested`): without them it
   * does not, which is the VKS's CONTESTED tier ("valid under stated premises").
   */
  conditional?: boolean;
  ms: number;
}

export interface DecideOptions {
  /** Budget of each solver call, in ms (default 10 000). */
  timeoutMs?: number;
}

/** Bounds on what is read and decided: past them, a clear error rather than a long wait. */
export const ARGUMENT_LIMITS = { maxChars: 20_000, maxPremises: 64, maxNodes: 5_000 } as const;

export const PARACONSISTENT_LOGICS = ['LP', 'FDE'] as const;

const LOGIC_ALIASES: Record<string, string> = {
  classical: 'classical', 'classical logic': 'classical', cl: 'classical', fol: 'classical', 'first-order logic': 'classical',
  'first order logic': 'classical', 'propositional logic': 'classical', 'predicate logic': 'classical',
  lp: 'LP', 'logic of paradox': 'LP', paraconsistent: 'LP', 'paraconsistent logic': 'LP',
  fde: 'FDE', belnap: 'FDE', 'four-valued logic': 'FDE', 'belnap-dunn': 'FDE',
  defeasible: 'defeasible', 'defeasible logic': 'defeasible', 'default logic': 'defeasible', defeasibly: 'defeasible',
  'non-monotonic logic': 'defeasible', nonmonotonic: 'defeasible',
};

/** Every logic name a question may use, as canonical names. */
export const ARGUMENT_LOGICS: readonly string[] = ['classical', ...MODAL_LOGICS, ...PARACONSISTENT_LOGICS, 'defeasible'];

/** A theory of mind by its name or its description's opening ("integrated information theory"). */
function findTheory(name: string): string | null {
  const n = name.trim().toLowerCase().replace(/^the\s+/, '');
  for (const t of MIND_THEORIES) {
    const long = t.description.split(':')[0].toLowerCase();
    if (t.name.toLowerCase() === n || long === n || `${t.name.toLowerCase()} theory` === n) return t.name;
  }
  return null;
}

/** The canonical logic name; throws InvalidOptionError for a name that is not one. */
export function resolveLogic(name: string): string {
  const n = name.trim();
  if (isModalLogic(n.toUpperCase())) return n.toUpperCase();
  const alias = LOGIC_ALIASES[n.toLowerCase()] ?? LOGIC_ALIASES[n.toLowerCase().replace(/\s+logic$/, '')];
  if (alias) return alias;
  const theory = /^theory:(.+)$/i.exec(n);
  if (theory && findTheory(theory[1])) return `theory:${findTheory(theory[1])}`;
  throw new InvalidOptionError(
    `unknown logic '${n}': known are ${ARGUMENT_LOGICS.join(', ')}, and theory:<name> for ${MIND_THEORIES.map((t) => t.name).join(', ')}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Reading one premise or conclusion.

interface Reading {
  formula: Formula;
  notation: ArgumentNotation;
  /** What produced this reading, when it is not the first one. */
  note: string;
  repairs: string[];
}

interface Piece {
  text: string;
  /** A default rather than a premise (defeasible). */
  isDefault: boolean;
  /** Readings, the primary first; empty when the piece reads in no notation. */
  readings: Reading[];
  /** Why the piece has no reading (set when readings is empty). */
  error?: FormulaParseError;
}

const SYMBOLIC = /[∀∃¬∧∨→↔⊕□◇⊤⊥⟷⇒⊃≡⊻◻◊]/;
const ASCII_FORMULA = /[()&|~]|=>|->|<=>|\$true|\$false/;
const DEFAULT_MARK = /^(?:default\s*:\s*|normally,?\s+|typically,?\s+|usually,?\s+|by default,?\s+|as a rule,?\s+)/i;
const DEFAULT_ADVERB = /\s+(normally|typically|usually)\s+/i;

function unquote(s: string): string {
  const t = s.trim().replace(/^(?:[-*•]|\(?\d+[.)]|\(?[Pp]\d+[.:)]|premise\s*\d*\s*[:.)])\s*/i, '').trim();
  const m = /^["“'‘](.*)["”'’]$/s.exec(t);
  return (m && !/["“”]/.test(m[1]) ? m[1] : t).trim();
}

/** The readings of one piece of text, in the notation it is written in. */
function readPiece(raw: string): Piece {
  let text = unquote(raw);
  let isDefault = false;
  if (DEFAULT_MARK.test(text)) {
    isDefault = true;
    text = text.replace(DEFAULT_MARK, '');
  } else if (!SYMBOLIC.test(text) && !ASCII_FORMULA.test(text) && DEFAULT_ADVERB.test(text)) {
    isDefault = true;
    text = text.replace(DEFAULT_ADVERB, ' ');
  }
  const piece: Piece = { text, isDefault, readings: [] };
  if (!text) {
    piece.error = new FormulaParseError('empty premise or conclusion', 0, raw);
    return piece;
  }
  if (SYMBOLIC.test(text)) {
    try {
      const r = repairFolioFormula(text);
      piece.readings.push({ formula: r.formula, notation: 'folio', note: '', repairs: r.repairs });
    } catch (e) {
      if (!(e instanceof FormulaParseError)) throw e;
      piece.error = e;
    }
    return piece;
  }
  try {
    piece.readings.push({ formula: parseFormula(text), notation: 'formula', note: '', repairs: [] });
    return piece;
  } catch (e) {
    if (!(e instanceof FormulaParseError)) throw e;
    if (ASCII_FORMULA.test(text) && !/^[A-Za-z ,'-]+\.?$/.test(text)) {
      piece.error = e;
      return piece;
    }
  }
  const english = englishReadings(text);
  english.forEach((formula, i) =>
    piece.readings.push({ formula, notation: 'english', note: i === 0 ? '' : `reading ${i + 1} of ${english.length} (quantifier or negation scope, 'either … or', or a compound noun word by word)`, repairs: [] }),
  );
  if (english.length === 0) piece.error = new FormulaParseError('not a formula, and outside the controlled English grammar (see english.ts)', 0, text);
  return piece;
}

// ---------------------------------------------------------------------------------------------
// Recognising the question's form.

interface Shape {
  premises: string[];
  conclusion: string;
  logic: string | null;
  form: string;
  /** TPTP statements: each piece is read by the formula parser alone. */
  tptp?: boolean;
  /** A form ordinary prose can take too ("…; therefore …"): unreadable pieces make it no argument, not an error. */
  loose?: boolean;
}

/** Splits at a separator that is outside brackets and quotes. */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === '“') quote = ch === '“' ? '”' : '"';
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    if (!quote && depth === 0 && s.startsWith(sep, i)) {
      out.push(cur);
      cur = '';
      i += sep.length - 1;
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

/** Ways to cut a list of premises into pieces, most explicit first. */
function premiseSplits(list: string): string[][] {
  const text = list.trim();
  const splits: string[][] = [];
  const lines = text.split(/\n+/).map((l) => l.trim()).filter(Boolean);
  if (lines.length > 1) splits.push(lines);
  const semi = splitTop(text, ';');
  if (semi.length > 1) splits.push(semi);
  const commas = splitTop(text, ',').map((p) => p.replace(/^and\s+/i, ''));
  if (commas.length > 1) {
    splits.push(commas);
    // "A, B and C": the last comma piece may hold two premises.
    const last = splitTop(commas[commas.length - 1], ' and ');
    if (last.length === 2) splits.push([...commas.slice(0, -1), ...last]);
  }
  const ands = splitTop(text, ' and ');
  if (ands.length > 1) splits.push(ands);
  // Sentences: ". " ends one (the parser accepts a final dot on a formula).
  const sentences = text.split(/(?<=[.!])\s+(?=\S)/).map((x) => x.trim()).filter(Boolean);
  if (sentences.length > 1) splits.push(sentences);
  splits.push([text]);
  return splits;
}

const LOGIC_WORD = /^(?:[A-Z][A-Z0-9]*\d[A-Z0-9]*|[A-Z]{1,4}|S\d+|KD\d*)$/;

/** The logic a question names, canonical; throws for a name that looks like a logic but is none. */
function namedLogic(text: string): string | null {
  const candidates: { name: string; strict: boolean }[] = [];
  const patterns: [RegExp, boolean][] = [
    [/\blogic\s*[:=]\s*([\w-]+)/i, true],
    [/^\s*in\s+([\w-]+(?:\s+logic)?)\s*[:,]/i, false],
    [/\b(?:valid|invalid|sound|follows?(?:\s+from\s+(?:them|the\s+premises))?|holds?|entailed|true|provable|go(?:es)? through|decided?)\s+in\s+(?:the\s+)?(?:modal\s+)?(?:logic\s+)?([\w-]+(?:\s+logic)?)/i, false],
    [/\(\s*in\s+([\w-]+(?:\s+logic)?)\s*\)/i, false],
  ];
  for (const [re, strict] of patterns) {
    const m = re.exec(text);
    if (m) candidates.push({ name: m[1], strict });
  }
  if (/\b(?:defeasibly|by default)\b/i.test(text) && !/^\s*by default/im.test(text)) candidates.push({ name: 'defeasible', strict: true });
  for (const { name, strict } of candidates) {
    try {
      return resolveLogic(name);
    } catch (e) {
      // "valid in every model" names no logic; "valid in S7" or "in relevance logic" names an unknown one.
      if (strict || LOGIC_WORD.test(name) || /\slogic$/i.test(name)) throw e;
    }
  }
  return null;
}

/** The question text with the logic-naming phrase removed, so it does not end up in a premise. */
function withoutLogic(text: string): string {
  return text
    .replace(/^\s*(?:is\s+(?:this|the\s+following|the)\s+argument\s+(?:valid|sound)(?:\s+in\s+[\w-]+(?:\s+logic)?)?)\s*[?:]\s*/i, '')
    .replace(/\s*(?:is\s+(?:it|this|the\s+argument|this\s+argument)\s+)?(?:valid|sound)(?:\s+in\s+[\w-]+(?:\s+logic)?)?\s*\?\s*$/i, '')
    // "… Conclusion: C. Does it follow?" / "True, false or uncertain?": the asking, not the conclusion.
    .replace(/\s*(?:does\s+(?:it|this|the\s+conclusion)\s+follow(?:\s+from\s+(?:them|the\s+premises))?|(?:is\s+(?:it|this|the\s+conclusion)\s+)?true,\s*false,?\s+or\s+(?:uncertain|unknown))(?:\s+in\s+[\w-]+(?:\s+logic)?)?\s*\?\s*$/i, '')
    .replace(/\blogic\s*[:=]\s*[\w-]+\s*/i, '')
    .replace(/^\s*in\s+[\w-]+(?:\s+logic)?\s*[:,]\s*/i, '')
    .replace(/\s*\(\s*in\s+[\w-]+(?:\s+logic)?\s*\)/i, '')
    .replace(/\s+(?:defeasibly|by default)(?=\s*\??\s*$)/i, '');
}

function stripQuestionMark(s: string): string {
  return s.trim().replace(/\s*\?+\s*$/, '').trim();
}

/** The form of a non-library question (its logic still unset), or null when it poses no argument. */
function formOf(raw: string): Omit<Shape, 'logic'> | null {
  const text = withoutLogic(raw).trim();

  if (/\b(?:fof|tff|qmf)\s*\(/.test(text)) {
    const statements = readStatements(text);
    const conjectures = statements.filter((s) => s.role === 'conjecture');
    if (conjectures.length !== 1) {
      throw new ProblemFileError('question', statements.length ? `${conjectures.length} conjectures among ${statements.length} TPTP statements (an argument has one)` : 'no TPTP statements');
    }
    const premises = statements.filter((s) => ['axiom', 'hypothesis', 'definition', 'lemma', 'assumption'].includes(s.role)).map((s) => s.formula);
    return { premises, conclusion: conjectures[0].formula, form: 'TPTP statements', tptp: true };
  }

  const labelled = /\bpremises?\s*[:：]\s*([\s\S]*?)\s*\b(?:conclusion|therefore|hence|prove|show)\s*[:：]\s*([\s\S]+)$/i.exec(text);
  if (labelled) {
    const premises = labelled[1].replace(/^\s*(?:premise\s*\d+\s*[:.)])/gim, '');
    return { premises: [premises], conclusion: stripQuestionMark(labelled[2]), form: 'Premises/Conclusion' };
  }
  const numbered = /^((?:\s*premise\s*\d+\s*[:.)][^\n]*\n)+)\s*conclusion\s*[:.)]\s*([\s\S]+)$/i.exec(text);
  if (numbered) return { premises: [numbered[1]], conclusion: stripQuestionMark(numbered[2]), form: 'Premises/Conclusion' };

  const q = stripQuestionMark(text);
  let m = /^(?:does|do)\s+(.+?)\s+(?:logically\s+)?follow\s+from\s+(.+)$/is.exec(q);
  if (m) return { premises: [m[2]], conclusion: m[1], form: 'Does C follow from P?' };
  m = /^is\s+(.+?)\s+(?:logically\s+)?(?:entailed|implied)\s+by\s+(.+)$/is.exec(q);
  if (m) return { premises: [m[2]], conclusion: m[1], form: 'Is C entailed by P?' };
  m = /^(?:given|suppose|assume|if)\s+(?:that\s+)?(.+?)[,;:]?\s+(?:does\s+it\s+follow|can\s+(?:we|one)\s+conclude|is\s+it\s+(?:valid|true)\s+to\s+conclude|must\s+it\s+be(?:\s+true)?)\s+that\s+(.+)$/is.exec(q);
  if (m) return { premises: [m[1]], conclusion: m[2], form: 'Given P, does C follow?' };
  m = /^(?:given|from)\s+(.+?)[,;:]?\s+does\s+(.+?)\s+follow$/is.exec(q);
  if (m) return { premises: [m[1]], conclusion: m[2], form: 'Given P, does C follow?' };

  const turnstile = splitTop(q, '⊢').length === 2 ? splitTop(q, '⊢') : splitTop(q, '|-').length === 2 ? splitTop(q, '|-') : splitTop(q, '⊨');
  if (turnstile.length === 2) return { premises: [turnstile[0]], conclusion: turnstile[1], form: 'P ⊢ C' };

  m = /^(.+?)(?:[.;]|,)\s*(?:therefore|hence|thus|consequently|it follows that)\s*,?\s+(.+)$/is.exec(q);
  if (m) return { premises: [m[1]], conclusion: m[2].replace(/\.\s*$/, ''), form: 'P. Therefore C.', loose: true };
  return null;
}

/** The form of a question and the logic it names, or null when it poses no argument. */
function shapeOf(raw: string): Shape | null {
  const shape = formOf(raw);
  // The logic is looked for only in a question that poses an argument ("valid in EU" is not one).
  return shape ? { ...shape, logic: namedLogic(raw) } : null;
}

// ---------------------------------------------------------------------------------------------
// Library arguments and theories of mind.

const LIBRARY: readonly Argument[] = [...ARGUMENTS, ...INVALID_ARGUMENTS];

function normaliseName(s: string): string {
  return s
    .toLowerCase()
    .replace(/['’]s\b/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .replace(/\b(the|argument|argument from|for)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The library argument a name refers to (its id or its title's opening), or null. */
export function findLibraryArgument(name: string): Argument | null {
  const n = normaliseName(name);
  if (!n) return null;
  const names = (a: Argument): string[] => [normaliseName(a.id), normaliseName(a.title.split(/[(,]/)[0])];
  return LIBRARY.find((a) => names(a).includes(n)) ?? (n.length >= 4 ? LIBRARY.find((a) => names(a).some((x) => x.startsWith(`${n} `))) : undefined) ?? null;
}

function libraryQuestion(text: string): ArgumentQuestion | null {
  const q = stripQuestionMark(text);
  const m = /^(?:is|does)\s+(?:the\s+)?(.+?)\s+(?:valid|sound|hold|go\s+through|succeed)(?:\s+in\s+.+)?$/i.exec(q);
  if (!m) return null;
  const name = m[1].replace(/\s+(?:argument|inference)$/i, '');
  const arg = findLibraryArgument(name);
  if (!arg) {
    // Naming an argument the library lacks is an error to report, not a question to guess at.
    if (/\bargument\b/i.test(m[1]) && !/^(?:this|that|following)\b/i.test(name)) {
      throw new NotFoundError(`no argument '${name}' in the library: known are ${LIBRARY.map((a) => a.id).join(', ')}`);
    }
    return null;
  }
  const logic = namedLogic(text);
  const contested = arg.premises.flatMap((p, i) => (p.condition ? [i] : []));
  return {
    premises: arg.premises.map((p) => parseFormula(p.text)),
    conclusion: parseFormula(arg.conclusion),
    logic: logic ?? arg.logic,
    notation: 'library',
    source: `library:${arg.id}`,
    ...(contested.length && { contested }),
  };
}

/** "According to IIT, is the grid conscious?" → the claim with the theory's axioms over the background. */
function theoryQuestion(text: string): ArgumentQuestion | null {
  const q = stripQuestionMark(text);
  const m = /^(?:according\s+to|in|under|on)\s+(?:the\s+)?(.+?)\s*[,:]\s*(.+)$/is.exec(q) ?? /^(.+?)\s+(?:according\s+to|under|on)\s+(?:the\s+)?(.+?)$/is.exec(q);
  if (!m) return null;
  const [theoryText, claimText] = findTheory(m[1]) ? [m[1], m[2]] : findTheory(m[2]) ? [m[2], m[1]] : [null, null];
  if (!theoryText || !claimText) return null;
  const theory = MIND_THEORIES.find((t) => t.name === findTheory(theoryText))!;
  const claim = readClaim(claimText);
  if (!claim) return null;
  return {
    premises: [...MIND_BACKGROUND, ...theory.axioms.map((a) => a.formula)],
    conclusion: claim.formula,
    logic: `theory:${theory.name}`,
    notation: claim.notation,
    source: `theory:${theory.name}`,
  };
}

/** A claim in a yes/no question ("is the grid conscious", "does Mary know red") or stated. */
function readClaim(text: string): Reading | null {
  const t = text.trim().replace(/^(?:is\s+it\s+true\s+that|it\s+is\s+true\s+that)\s+/i, '');
  const direct = readPiece(t);
  if (direct.readings.length) return direct.readings[0];
  const words = t.split(/\s+/);
  const aux = words[0]?.toLowerCase();
  if (aux === 'is' || aux === 'are') {
    for (let i = 2; i < words.length; i++) {
      const r = englishReadings(`${words.slice(1, i).join(' ')} ${aux} ${words.slice(i).join(' ')}`);
      if (r.length) return { formula: r[0], notation: 'english', note: '', repairs: [] };
    }
  }
  if (aux === 'does' || aux === 'do') {
    for (let i = 2; i < words.length; i++) {
      const verb = words[i];
      const r = englishReadings(`${words.slice(1, i).join(' ')} ${aux === 'does' ? `${verb}s` : verb} ${words.slice(i + 1).join(' ')}`);
      if (r.length) return { formula: r[0], notation: 'english', note: '', repairs: [] };
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Assembling a question from its pieces.

interface Parsed {
  shape: Shape;
  premises: Piece[];
  conclusion: Piece;
}

function readShape(shape: Shape): Parsed {
  if (shape.tptp) {
    const piece = (text: string): Piece => {
      try {
        return { text, isDefault: false, readings: [{ formula: parseFormula(text), notation: 'tptp', note: '', repairs: [] }] };
      } catch (e) {
        if (!(e instanceof FormulaParseError)) throw e;
        return { text, isDefault: false, readings: [], error: e };
      }
    };
    return { shape, premises: shape.premises.map(piece), conclusion: piece(shape.conclusion) };
  }
  const conclusion = readPiece(shape.conclusion);
  let best: Piece[] | null = null;
  for (const split of premiseSplits(shape.premises.join('\n'))) {
    const pieces = split.map(readPiece);
    if (pieces.every((p) => p.readings.length)) return { shape, premises: pieces, conclusion };
    best ??= pieces;
  }
  return { shape, premises: best ?? [], conclusion };
}

function formulaNodes(fs: readonly Formula[]): number {
  let n = 0;
  const stack = [...fs];
  for (let f = stack.pop(); f; f = stack.pop()) {
    n++;
    stack.push(...children(f));
  }
  return n;
}

function checkSize(q: Pick<ArgumentQuestion, 'premises' | 'conclusion' | 'defaults'>): void {
  const count = q.premises.length + (q.defaults?.length ?? 0);
  if (count > ARGUMENT_LIMITS.maxPremises) {
    throw new InvalidOptionError(`argument too large: ${count} premises (at most ${ARGUMENT_LIMITS.maxPremises})`, 'OUT_OF_RANGE');
  }
  const nodes = formulaNodes([...q.premises, ...(q.defaults ?? []), q.conclusion]);
  if (nodes > ARGUMENT_LIMITS.maxNodes) {
    throw new InvalidOptionError(`argument too large: ${nodes} formula nodes (at most ${ARGUMENT_LIMITS.maxNodes})`, 'OUT_OF_RANGE');
  }
}

/** The question built from one reading of each piece (`choice[i]` for piece i, the conclusion last). */
function assemble(p: Parsed, choice: number[], source: string): ArgumentQuestion {
  const pieces = [...p.premises, p.conclusion];
  const readings = pieces.map((piece, i) => piece.readings[choice[i]]);
  const premises: Formula[] = [];
  const defaults: Formula[] = [];
  p.premises.forEach((piece, i) => (piece.isDefault ? defaults : premises).push(readings[i].formula));
  const conclusion = readings[readings.length - 1].formula;
  const notations = [...new Set(readings.map((r) => r.notation))];
  const notation = notations.length === 1 ? notations[0] : notations.includes('english') ? 'english' : notations.includes('folio') ? 'folio' : notations[0];
  const modal = [...premises, ...defaults, conclusion].some(isModal);
  const logic = p.shape.logic ?? (defaults.length ? 'defeasible' : modal ? 'K' : 'classical');
  const repairs = readings.flatMap((r) => r.repairs);
  const q: ArgumentQuestion = { premises, conclusion, logic, notation, source };
  if (defaults.length) q.defaults = defaults;
  if (repairs.length) q.repairs = repairs;
  checkSize(q);
  return q;
}

function parseArgument(text: string): Parsed | ArgumentQuestion | null {
  if (typeof text !== 'string') throw new InvalidOptionError('an argument question must be a string');
  if (text.length > ARGUMENT_LIMITS.maxChars) {
    throw new InvalidOptionError(`argument too large: ${text.length} characters (at most ${ARGUMENT_LIMITS.maxChars})`, 'OUT_OF_RANGE');
  }
  if (!text.trim()) return null;
  const shape = shapeOf(text);
  if (shape) {
    const parsed = readShape(shape);
    if (!shape.loose || [...parsed.premises, parsed.conclusion].every((piece) => piece.readings.length)) return parsed;
    return null;
  }
  const library = libraryQuestion(text);
  if (library) return library;
  return theoryQuestion(text);
}

/**
 * The argument a question poses, read in its notation, or null when it poses none. Throws
 * FormulaParseError when a premise or the conclusion reads in no notation (reencodeArgument
 * may still find a reading), InvalidOptionError for an unknown logic or an argument too large,
 * NotFoundError for a library argument that does not exist.
 */
export function readArgumentQuestion(text: string): ArgumentQuestion | null {
  const p = parseArgument(text);
  if (p === null || !('shape' in p)) return p;
  const bad = [...p.premises, p.conclusion].find((piece) => piece.readings.length === 0);
  if (bad) throw bad.error ?? new FormulaParseError('unreadable premise', 0, bad.text);
  if (p.premises.length === 0) return null;
  return assemble(p, new Array(p.premises.length + 1).fill(0), p.shape.form);
}

// ---------------------------------------------------------------------------------------------
// Re-encoding: other formalisations of the same text.

/** Rewrites of a controlled-English sentence that keep its meaning and may fall inside the grammar. */
const ENGLISH_REWRITES: [RegExp, string, string][] = [
  [/\b(?:also|indeed|certainly|clearly|surely|obviously|in fact|actually)\s+/gi, '', 'dropped a filler word'],
  [/\b(all|each|every|some|any)\s+of\s+the\s+/gi, '$1 ', "'all of the' → 'all'"],
  [/^(?:whoever|anyone who|everyone who|anything that|everything that|whatever)\s+(is|are)\s+(?:an?\s+)?(.+?)\s+(?:is|are)\s+(.+)$/i, 'every $2 is $3', "'whoever is A is B' → 'every A is B'"],
  [/^(\w+)\s+are\s+all\s+(.+)$/i, 'all $1 are $2', "'A are all B' → 'all A are B'"],
  [/^(.+?)\s+(?:are|is)\s+always\s+(.+)$/i, 'all $1 are $2', "'A are always B' → 'all A are B'"],
  [/^if\s+something\s+is\s+(?:an?\s+)?(\w+),?\s+then\s+it\s+is\s+(.+)$/i, 'every $1 is $2', "'if something is A then it is B' → 'every A is B'"],
  [/^every\s+(\w+)\s+are\s+/i, 'every $1 is ', "agreement: 'every A are' → 'every A is'"],
  [/^all\s+(\w+)\s+is\s+/i, 'all $1 are ', "agreement: 'all A is' → 'all A are'"],
  [/\bit is false that\b/gi, 'it is not the case that', "'it is false that' → 'it is not the case that'"],
  [/\bis (?:a kind of|a type of|an instance of|an example of) (?:an?\s+)?/gi, 'is a ', "'is a kind of' → 'is a'"],
  [/^(.+?)\s+implies\s+(?:that\s+)?(.+)$/i, 'if $1 then $2', "'A implies B' → 'if A then B'"],
  [/^(.+?)\s+only if\s+(.+)$/i, 'if $1 then $2', "'A only if B' → 'if A then B'"],
  [/^(?:a|an)\s+(\w+)\s+(?!who\b|that\b)(.+)$/i, 'every $1 $2', "generic 'a A is B' → 'every A is B'"],
  [/^the\s+(\w+s)\s+(are|were)\s+/i, 'all $1 $2 ', "'the As are B' → 'all As are B'"],
];

/** Re-encodings of a formula text: TPTP's unit-scope quantifiers read with wide scope, ⊕ read as ∨. */
const FORMULA_REWRITES: [RegExp, string, string][] = [
  [/!\s*\[([^\]]+)\]\s*:/g, '∀[$1] ', 'TPTP ! read with wide scope'],
  [/\?\s*\[([^\]]+)\]\s*:/g, '∃[$1] ', 'TPTP ? read with wide scope'],
  [/⊕/g, '∨', "'either … or' (⊕) read as inclusive ∨"],
];

function variantsOf(piece: Piece): Reading[] {
  const out: Reading[] = [];
  const symbolic = SYMBOLIC.test(piece.text) || ASCII_FORMULA.test(piece.text);
  const rules = symbolic ? FORMULA_REWRITES : ENGLISH_REWRITES;
  const tried = new Set<string>([piece.text]);
  const attempt = (text: string, note: string): void => {
    if (tried.has(text)) return;
    tried.add(text);
    const r = readPiece(piece.isDefault ? `default: ${text}` : text);
    r.readings.forEach((x, i) => out.push({ ...x, note: `${note}: '${text}'${i ? ` (${x.note})` : ''}` }));
  };
  for (const [re, by, note] of rules) {
    re.lastIndex = 0;
    if (re.test(piece.text)) attempt(piece.text.replace(re, by), note);
  }
  return out;
}

const MAX_REENCODINGS = 24;

/**
 * Other formalisations of an argument question, for when the first reading does not parse or
 * decides nothing: each premise's other readings (quantifier scope, inclusive/exclusive
 * "either"), controlled-English rewrites ("all A are B" ↔ "every A is a B", "whoever is A is B"),
 * and notation variants (TPTP quantifier scope, ⊕ as ∨). The first reading itself is not
 * repeated; each comes with a `source` saying what was changed. Empty when the text poses no
 * argument or has no other reading.
 */
export function reencodeArgument(text: string): ArgumentQuestion[] {
  let p: Parsed | ArgumentQuestion | null;
  try {
    p = parseArgument(text);
  } catch (e) {
    // Nothing to re-encode: an unknown name, logic or size is the same under every reading.
    if (e instanceof CogitoError) return [];
    throw e;
  }
  if (p === null || !('shape' in p)) return [];
  const parsed = p;
  const pieces = [...parsed.premises, parsed.conclusion];
  // Every piece gets its rewrites as further readings (after its own).
  pieces.forEach((piece) => piece.readings.push(...variantsOf(piece)));
  if (pieces.some((piece) => piece.readings.length === 0) || parsed.premises.length === 0) return [];
  const primary = pieces.map((piece) => (piece.readings[0].note === '' ? 0 : -1));
  const base = primary.map((i) => Math.max(0, i));
  const out: ArgumentQuestion[] = [];
  const seen = new Set<string>();
  const key = (q: ArgumentQuestion): string => JSON.stringify([q.premises, q.defaults ?? [], q.conclusion, q.logic]);
  if (primary.every((i) => i === 0)) seen.add(key(assemble(parsed, base, '')));
  const label = (i: number): string => (i === pieces.length - 1 ? 'conclusion' : `premise ${i + 1}`);
  const push = (choice: number[], what: string): void => {
    if (out.length >= MAX_REENCODINGS) return;
    try {
      const q = assemble(parsed, choice, `re-encode (${parsed.shape.form}): ${what}`);
      if (!seen.has(key(q))) {
        seen.add(key(q));
        out.push(q);
      }
    } catch (e) {
      if (!(e instanceof InvalidOptionError)) throw e;
    }
  };
  // A piece that had no reading of its own takes its first rewrite.
  const fixed = primary.flatMap((i, k) => (i < 0 ? [`${label(k)} ${pieces[k].readings[0].note}`] : []));
  if (fixed.length) push(base, fixed.join('; '));
  pieces.forEach((piece, k) => {
    for (let r = 1; r < piece.readings.length; r++) {
      const choice = [...base];
      choice[k] = r;
      push(choice, `${label(k)} ${piece.readings[r].note}${fixed.length ? `; ${fixed.join('; ')}` : ''}`);
    }
  });
  // All the second readings at once (e.g. every premise's other scope).
  const second = pieces.map((piece, k) => (piece.readings.length > 1 ? 1 : base[k]));
  if (second.some((r, k) => r !== base[k])) push(second, 'every piece with another reading takes its second');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Deciding.

/** Domain sizes tried for an explicit countermodel when the argument names no individuals. */
const COUNTERMODEL_DOMAIN = 4;

/**
 * A model of the premises and the negated conclusion over at most COUNTERMODEL_DOMAIN elements
 * (every element equal to one of the named ones e1 … e4), or undefined when there is none that
 * small. The entailment check reads its models over the argument's own constants, so an
 * argument without any (a syllogism) gets its countermodel shown here.
 */
async function finiteCountermodel(premises: readonly Formula[], conclusion: Formula, timeoutMs: number): Promise<GroundModel | undefined> {
  const elements = Array.from({ length: COUNTERMODEL_DOMAIN }, (_, i) => c(`e${i + 1}_`));
  const closure = forall(['x'], or(...elements.map((e) => eq(v('x'), e))));
  const r = await checkConsistency([...premises, not(conclusion), closure], { timeoutMs });
  return r.consistent ? r.model : undefined;
}

function modalDetail(r: { method?: string; countermodel?: { worlds: string[] } }): string {
  return r.countermodel ? `a countermodel with ${r.countermodel.worlds.length} world(s)` : r.method ?? 'no method';
}

/**
 * Decides a question in its logic: True when the premises entail the conclusion, False when
 * they entail its negation, Uncertain when neither (or when the check ran out of time:
 * `decided` is false then). Classically, inconsistent premises entail everything: that is
 * True, and the detail says the premises are inconsistent.
 */
export async function decideArgumentQuestion(q: ArgumentQuestion, opts: DecideOptions = {}): Promise<ArgumentDecision> {
  const d = await decideIn(q, opts);
  const contested = new Set(q.contested ?? []);
  if (d.answer !== 'True' || contested.size === 0) return d;
  // Valid with its contested theses: does it stand without them?
  const bare = await decideIn({ ...q, premises: q.premises.filter((_, i) => !contested.has(i)), contested: undefined }, opts);
  if (bare.answer === 'True' || !bare.decided) return d;
  const theses = [...contested].map((i) => formulaToString(q.premises[i])).join('; ');
  return {
    ...d,
    conditional: true,
    detail: `${d.detail}; only with the contested premise(s) ${theses}: without them, ${bare.detail}`,
    artifact: { withContested: d.artifact, withoutContested: bare.artifact },
    countermodel: bare.countermodel,
    ms: d.ms + bare.ms,
  };
}

async function decideIn(q: ArgumentQuestion, opts: DecideOptions): Promise<ArgumentDecision> {
  const t0 = Date.now();
  const timeoutMs = opts.timeoutMs ?? 10000;
  const logic = resolveLogic(q.logic);
  checkSize(q);
  const show = (f: Formula): string => formulaToString(f);
  const done = (answer: Verdict, method: string, detail: string, artifact: unknown, decided = true, countermodel?: unknown): ArgumentDecision => ({
    answer, logic, method, detail, artifact, decided, ...(countermodel !== undefined && { countermodel }), ms: Date.now() - t0,
  });

  if (logic === 'classical' || logic.startsWith('theory:')) {
    const r = await checkEntailment(q.premises, q.conclusion, { timeoutMs });
    const method = r.solver ?? 'Z3/cvc5';
    if (r.inconsistent) {
      const core = (r.unsatCore ?? []).map((c) => c.formula).join('; ');
      return done('True', method, `the premises are inconsistent (${core || 'no core reported'}), so classically they entail every conclusion`, r);
    }
    if (r.answer === 'True') return done('True', method, `${show(q.conclusion)} is entailed: premises ∧ ¬conclusion is unsatisfiable`, r);
    if (r.answer === 'False') return done('False', method, `the negation of ${show(q.conclusion)} is entailed: premises ∧ conclusion is unsatisfiable`, r, true, r.counterModel);
    if (r.undecided) return done('Uncertain', method, 'a solver answered unknown or ran out of time', r, false);
    const named = r.counterModel && Object.keys(r.counterModel.individuals).length > 0;
    const countermodel = named ? r.counterModel : ((await finiteCountermodel(q.premises, q.conclusion, timeoutMs)) ?? r.counterModel);
    const atoms = countermodel ? Object.entries(countermodel.atoms).filter(([, x]) => x).map(([k]) => k) : [];
    const model = countermodel ? `countermodel, true atoms: ${atoms.slice(0, 12).join(', ') || '(none)'}` : 'no countermodel shown';
    return done('Uncertain', method, `neither the conclusion nor its negation is entailed (${model})`, r, true, countermodel);
  }

  if (isModalLogic(logic)) {
    const modal = logic as ModalLogic;
    const r = await checkModal(q.premises, q.conclusion, { logic: modal, premises: 'local', timeoutMs });
    if (r.valid === true) return done('True', r.method ?? 'modal', `valid in ${modal} (${r.method})`, r);
    const n = await checkModal(q.premises, not(q.conclusion), { logic: modal, premises: 'local', timeoutMs });
    if (n.valid === true) return done('False', n.method ?? 'modal', `the negation is valid in ${modal} (${n.method}); the conclusion fails in ${modalDetail(r)}`, { conclusion: r, negation: n }, true, r.countermodel);
    const decided = r.valid === false && n.valid === false;
    const detail = decided
      ? `neither follows in ${modal}: the conclusion fails in ${modalDetail(r)}, its negation in ${modalDetail(n)}`
      : `undecided in ${modal} within ${timeoutMs} ms`;
    return done('Uncertain', r.method ?? n.method ?? 'modal', detail, { conclusion: r, negation: n }, decided, r.countermodel);
  }

  if (logic === 'LP' || logic === 'FDE') {
    const values = logic;
    const r = await checkParaconsistent(q.premises, q.conclusion, { timeoutMs, values });
    if (r.entailed === true) return done('True', `${values} (Z3/cvc5)`, `entailed in ${values}: no valuation makes the premises true and the conclusion untrue`, r);
    const n = await checkParaconsistent(q.premises, not(q.conclusion), { timeoutMs, values });
    if (n.entailed === true) return done('False', `${values} (Z3/cvc5)`, `the negation is entailed in ${values}`, { conclusion: r, negation: n }, true, r.countermodel);
    const decided = r.entailed === false && n.entailed === false;
    const gluts = r.gluts?.length ? `; the countermodel tolerates ${r.gluts.join(', ')} both true and false` : '';
    return done('Uncertain', `${values} (Z3/cvc5)`, decided ? `neither the conclusion nor its negation is entailed in ${values}${gluts}` : `undecided in ${values}`, { conclusion: r, negation: n }, decided, r.countermodel);
  }

  // defeasible: the premises are facts, the defaults hold where nothing defeats them.
  const r = await checkDefeasible(
    { facts: q.premises, defaults: (q.defaults ?? []).map((formula, i) => ({ name: `default ${i + 1}`, formula, priority: 0 })) },
    q.conclusion,
    { timeoutMs },
  );
  const defeated = r.defeated.length ? `; defeated: ${r.defeated.map((d) => d.formula).join('; ')}` : '';
  if (r.inconsistentFacts) return done('Uncertain', 'Z3 Optimize', 'the facts alone are inconsistent: nothing is concluded', r);
  const detail = `${r.answer === 'True' ? 'follows' : r.answer === 'False' ? 'its negation follows' : 'neither follows'} from the facts and the surviving defaults${defeated}`;
  return done(r.answer, 'Z3 Optimize', detail, r, !(r.entailment?.undecided ?? false), r.answer === 'True' ? undefined : r.entailment?.counterModel);
}
