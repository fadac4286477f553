/**
 * The formula language shared by every logic in cogito: first-order terms and formulas,
 * with modal operators. Plain readonly data, so formulas can be hashed, printed and compared.
 */

export type Term =
  | { readonly kind: 'var'; readonly name: string }
  | { readonly kind: 'const'; readonly name: string }
  | { readonly kind: 'app'; readonly fn: string; readonly args: readonly Term[] };

export type Quantifier = 'forall' | 'exists';
export type BinaryConnective = 'implies' | 'iff' | 'xor';
export type NaryConnective = 'and' | 'or';
export type ModalOperator = 'box' | 'dia';

export type Formula =
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  /** A predicate applied to terms; a propositional atom is a predicate with no arguments. */
  | { readonly kind: 'pred'; readonly name: string; readonly args: readonly Term[] }
  | { readonly kind: 'eq'; readonly left: Term; readonly right: Term }
  | { readonly kind: 'not'; readonly arg: Formula }
  | { readonly kind: NaryConnective; readonly args: readonly Formula[] }
  | { readonly kind: BinaryConnective; readonly left: Formula; readonly right: Formula }
  | { readonly kind: Quantifier; readonly vars: readonly string[]; readonly body: Formula }
  | { readonly kind: ModalOperator; readonly arg: Formula };

export type FormulaKind = Formula['kind'];

// Constructors: short to write in the argument library and tests.
export const Top: Formula = { kind: 'true' };
export const Bottom: Formula = { kind: 'false' };
export const v = (name: string): Term => ({ kind: 'var', name });
export const c = (name: string): Term => ({ kind: 'const', name });
export const fn = (name: string, ...args: Term[]): Term => ({ kind: 'app', fn: name, args });
export const pred = (name: string, ...args: Term[]): Formula => ({ kind: 'pred', name, args });
export const atom = (name: string): Formula => ({ kind: 'pred', name, args: [] });
export const eq = (left: Term, right: Term): Formula => ({ kind: 'eq', left, right });
export const not = (arg: Formula): Formula => ({ kind: 'not', arg });
export const and = (...args: Formula[]): Formula => (args.length === 0 ? Top : args.length === 1 ? args[0] : { kind: 'and', args });
export const or = (...args: Formula[]): Formula => (args.length === 0 ? Bottom : args.length === 1 ? args[0] : { kind: 'or', args });
export const implies = (left: Formula, right: Formula): Formula => ({ kind: 'implies', left, right });
export const iff = (left: Formula, right: Formula): Formula => ({ kind: 'iff', left, right });
export const xor = (left: Formula, right: Formula): Formula => ({ kind: 'xor', left, right });
export const forall = (vars: string[], body: Formula): Formula => ({ kind: 'forall', vars, body });
export const exists = (vars: string[], body: Formula): Formula => ({ kind: 'exists', vars, body });
export const box = (arg: Formula): Formula => ({ kind: 'box', arg });
export const dia = (arg: Formula): Formula => ({ kind: 'dia', arg });

/** The direct sub-formulas of a formula, in order. */
export function children(f: Formula): Formula[] {
  switch (f.kind) {
    case 'true':
    case 'false':
    case 'pred':
    case 'eq':
      return [];
    case 'not':
    case 'box':
    case 'dia':
      return [f.arg];
    case 'and':
    case 'or':
      return [...f.args];
    case 'implies':
    case 'iff':
    case 'xor':
      return [f.left, f.right];
    case 'forall':
    case 'exists':
      return [f.body];
  }
}

/** The symbols a formula uses: predicates and functions with their arities, constants. */
export interface Signature {
  predicates: Map<string, Set<number>>;
  functions: Map<string, Set<number>>;
  constants: Set<string>;
}

export function emptySignature(): Signature {
  return { predicates: new Map(), functions: new Map(), constants: new Set() };
}

function addArity(m: Map<string, Set<number>>, name: string, n: number): void {
  let s = m.get(name);
  if (!s) m.set(name, (s = new Set()));
  s.add(n);
}

function termSignature(t: Term, sig: Signature): void {
  if (t.kind === 'const') sig.constants.add(t.name);
  else if (t.kind === 'app') {
    addArity(sig.functions, t.fn, t.args.length);
    for (const a of t.args) termSignature(a, sig);
  }
}

export function signatureOf(formulas: readonly Formula[], sig: Signature = emptySignature()): Signature {
  const walk = (f: Formula): void => {
    if (f.kind === 'pred') {
      addArity(sig.predicates, f.name, f.args.length);
      for (const a of f.args) termSignature(a, sig);
    } else if (f.kind === 'eq') {
      termSignature(f.left, sig);
      termSignature(f.right, sig);
    } else for (const ch of children(f)) walk(ch);
  };
  for (const f of formulas) walk(f);
  return sig;
}

/** True when the formula has a □ or ◇ anywhere. */
export function isModal(f: Formula): boolean {
  return f.kind === 'box' || f.kind === 'dia' || children(f).some(isModal);
}

/** True when the formula has a quantifier anywhere. */
export function hasQuantifier(f: Formula): boolean {
  return f.kind === 'forall' || f.kind === 'exists' || children(f).some(hasQuantifier);
}

/** Replaces free occurrences of variables by terms (bound occurrences are left alone). */
export function substitute(f: Formula, map: ReadonlyMap<string, Term>): Formula {
  if (map.size === 0) return f;
  const term = (t: Term): Term =>
    t.kind === 'var' ? (map.get(t.name) ?? t) : t.kind === 'app' ? { ...t, args: t.args.map(term) } : t;
  switch (f.kind) {
    case 'true':
    case 'false':
      return f;
    case 'pred':
      return { ...f, args: f.args.map(term) };
    case 'eq':
      return { ...f, left: term(f.left), right: term(f.right) };
    case 'not':
    case 'box':
    case 'dia':
      return { ...f, arg: substitute(f.arg, map) };
    case 'and':
    case 'or':
      return { ...f, args: f.args.map((a) => substitute(a, map)) };
    case 'implies':
    case 'iff':
    case 'xor':
      return { ...f, left: substitute(f.left, map), right: substitute(f.right, map) };
    case 'forall':
    case 'exists': {
      const inner = new Map(map);
      for (const x of f.vars) inner.delete(x);
      return { ...f, body: substitute(f.body, inner) };
    }
  }
}
