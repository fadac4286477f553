/**
 * Renders first-order formulas as SMT-LIB2 over one uninterpreted sort. This rendering is the
 * single source of every solver call: Z3 in-process, the native z3 binary and cvc5 read the
 * same text. Symbols are |quoted| so any FOLIO name is legal; a predicate used with two
 * arities becomes two symbols (`P/1`, `P/2`), as the FOLIO annotations sometimes do.
 */
import type { Formula, Signature, Term } from '../ast';
import { InternalError } from '../../util/errors';
import { UnsupportedFormulaError } from '../errors';
import { signatureOf } from '../ast';

export interface SortedSignature {
  sig: Signature;
  /** Extra ground symbols of the domain sort (e.g. named worlds). */
  sort: string;
}

export function quote(s: string): string {
  // `|` and `\` cannot appear inside a quoted symbol.
  return `|${s.replace(/[|\\]/g, '_')}|`;
}

/**
 * A symbol for the encodings' own helpers (selectors, worlds, definitions): the parser never
 * puts `!` in a name, so it cannot clash with a formula's symbols; `@` would be shorter, but
 * cvc5 reserves symbols that start with it.
 */
export const internalSymbol = (name: string): string => `|k!${name}|`;

export const predSymbol = (name: string, arity: number): string => `${name}/${arity}`;
export const funSymbol = (name: string, arity: number): string => `${name}/f${arity}`;
export const constSymbol = (name: string): string => name;
const varSymbol = (name: string): string => `?${name}`;

export function renderTerm(t: Term): string {
  switch (t.kind) {
    case 'var':
      return quote(varSymbol(t.name));
    case 'const':
      return quote(constSymbol(t.name));
    case 'app':
      return t.args.length === 0
        ? quote(funSymbol(t.fn, 0))
        : `(${quote(funSymbol(t.fn, t.args.length))} ${t.args.map(renderTerm).join(' ')})`;
  }
}

/**
 * The propositional connectives, shared by every encoding (classical, standard translation,
 * bounded Kripke): `r` renders an operand, so each encoding decides what a sub-formula means.
 * Null for atoms, equality, quantifiers and modal operators, which each encoding handles.
 */
export function renderConnective(f: Formula, r: (g: Formula) => string): string | null {
  switch (f.kind) {
    case 'true':
      return 'true';
    case 'false':
      return 'false';
    case 'not':
      return `(not ${r(f.arg)})`;
    case 'and':
    case 'or':
      return f.args.length === 0 ? (f.kind === 'and' ? 'true' : 'false') : `(${f.kind} ${f.args.map(r).join(' ')})`;
    case 'implies':
      return `(=> ${r(f.left)} ${r(f.right)})`;
    case 'iff':
      return `(= ${r(f.left)} ${r(f.right)})`;
    case 'xor':
      return `(xor ${r(f.left)} ${r(f.right)})`;
    default:
      return null;
  }
}

export function renderFormula(f: Formula, sort = 'U'): string {
  const r = (g: Formula): string => renderFormula(g, sort);
  const connective = renderConnective(f, r);
  if (connective !== null) return connective;
  switch (f.kind) {
    case 'pred':
      return f.args.length === 0
        ? quote(predSymbol(f.name, 0))
        : `(${quote(predSymbol(f.name, f.args.length))} ${f.args.map(renderTerm).join(' ')})`;
    case 'eq':
      return `(= ${renderTerm(f.left)} ${renderTerm(f.right)})`;
    case 'forall':
    case 'exists':
      return `(${f.kind} (${f.vars.map((x) => `(${quote(varSymbol(x))} ${sort})`).join(' ')}) ${r(f.body)})`;
    case 'box':
    case 'dia':
      throw new UnsupportedFormulaError('modal operators have no classical rendering; translate them first (modal/encode.ts)');
    default:
      throw new InternalError(`unreachable: ${f.kind}`);
  }
}

/** Declarations for every symbol of the formulas, over sort `sort`. */
export function renderDeclarations(formulas: readonly Formula[], sort = 'U'): string[] {
  const sig = signatureOf(formulas);
  const lines: string[] = [];
  for (const c of [...sig.constants].sort()) lines.push(`(declare-const ${quote(constSymbol(c))} ${sort})`);
  for (const [name, arities] of [...sig.functions].sort()) {
    for (const n of [...arities].sort()) {
      lines.push(`(declare-fun ${quote(funSymbol(name, n))} (${Array(n).fill(sort).join(' ')}) ${sort})`);
    }
  }
  for (const [name, arities] of [...sig.predicates].sort()) {
    for (const n of [...arities].sort()) {
      lines.push(`(declare-fun ${quote(predSymbol(name, n))} (${Array(n).fill(sort).join(' ')}) Bool)`);
    }
  }
  return lines;
}

export interface SmtProblem {
  /** Declarations and named assertions, without check-sat. */
  script: string;
  /** Assertion name → index of the formula it came from. */
  names: string[];
}

/**
 * A problem asserting each formula under a name (for unsat cores). Constants get one witness
 * in the domain even when there are none, since SMT sorts are non-empty anyway.
 */
export function renderProblem(formulas: readonly Formula[], opts: { sort?: string; extra?: string[] } = {}): SmtProblem {
  const sort = opts.sort ?? 'U';
  const lines = ['(set-logic ALL)', `(declare-sort ${sort} 0)`, ...renderDeclarations(formulas, sort), ...(opts.extra ?? [])];
  const names = formulas.map((_, i) => `h${i}`);
  formulas.forEach((f, i) => lines.push(`(assert (! ${renderFormula(f, sort)} :named ${names[i]}))`));
  return { script: lines.join('\n'), names };
}
