/**
 * A canonical string for a formula, used to recognise restatements of the same claim:
 * invariant to renaming bound variables, to the order and grouping of ∧ ∨ ↔ ⊕ operands,
 * to duplicate ∧/∨ operands, to double negation, to the sides of =, and to the order of
 * variables inside one quantifier block. It is syntactic: equal strings imply logical
 * equivalence, not the converse.
 */
import type { Formula, Term } from './ast';
import { children } from './ast';

interface Scope {
  /** bound variable name → its canonical name, innermost last. */
  names: Map<string, string>;
  depth: number;
}

function term(t: Term, scope: Scope): string {
  switch (t.kind) {
    case 'var':
      return scope.names.get(t.name) ?? `c:${t.name}`;
    case 'const':
      return `c:${t.name}`;
    case 'app':
      return `f:${t.fn}(${t.args.map((a) => term(a, scope)).join(',')})`;
  }
}

function flatten(kind: Formula['kind'], args: readonly Formula[]): Formula[] {
  const out: Formula[] = [];
  for (const a of args) {
    if (a.kind === kind && (a.kind === 'and' || a.kind === 'or')) out.push(...flatten(kind, a.args));
    else if (a.kind === kind && (a.kind === 'iff' || a.kind === 'xor')) out.push(...flatten(kind, [a.left, a.right]));
    else out.push(a);
  }
  return out;
}

/**
 * Quantifier variables are named by binding depth (de Bruijn levels), so the name does not
 * depend on the source name nor on where the operand lands after sorting. A block of
 * same-kind quantifiers (∀x∀y, ∀x,y) is one level; its variables take the assignment of
 * names that gives the smallest string, which makes ∀x∀y and ∀y∀x agree. Blocks longer
 * than MAX_PERMUTED keep source order (the cost is factorial).
 */
const MAX_PERMUTED = 5;

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  const out: T[][] = [];
  xs.forEach((x, i) => {
    for (const rest of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

/** Whether variable `x` occurs free in `f`. */
function occursFree(x: string, f: Formula): boolean {
  const inTerm = (t: Term): boolean => (t.kind === 'var' ? t.name === x : t.kind === 'app' && t.args.some(inTerm));
  switch (f.kind) {
    case 'pred':
      return f.args.some(inTerm);
    case 'eq':
      return inTerm(f.left) || inTerm(f.right);
    case 'forall':
    case 'exists':
      return !f.vars.includes(x) && occursFree(x, f.body);
    default:
      return children(f).some((g) => occursFree(x, g));
  }
}

function quantified(f: Formula & { kind: 'forall' | 'exists' }, scope: Scope): string {
  const vars: string[] = [];
  let body: Formula = f;
  while (body.kind === f.kind) {
    const b = body as Formula & { kind: 'forall' | 'exists' };
    for (const x of b.vars) if (!vars.includes(x)) vars.push(x);
    body = b.body;
  }
  const level = scope.depth;
  const inner: Scope = { names: new Map(scope.names), depth: level + 1 };
  // Vacuous variables are dropped: ∀x P(a) is P(a). (A free-variable test, not a trial
  // rendering of the body: that would render it again at every level, exponential in depth.)
  const used = vars.filter((x) => occursFree(x, body));
  if (used.length === 0) return canon(body, inner);
  const orders = used.length <= MAX_PERMUTED ? permutations(used) : [used];
  let best: string | null = null;
  let bestNames: string[] = [];
  for (const order of orders) {
    order.forEach((x, k) => inner.names.set(x, `v${level}_${k}`));
    const s = canon(body, inner);
    if (best === null || s < best) {
      best = s;
      bestNames = order.map((_, k) => `v${level}_${k}`);
    }
  }
  return `${f.kind === 'forall' ? 'A' : 'E'}[${bestNames.join(',')}](${best})`;
}

function canon(f: Formula, scope: Scope): string {
  switch (f.kind) {
    case 'true':
      return 'T';
    case 'false':
      return 'F';
    case 'pred':
      return f.args.length === 0 ? `p:${f.name}` : `p:${f.name}(${f.args.map((a) => term(a, scope)).join(',')})`;
    case 'eq':
      return `=(${[term(f.left, scope), term(f.right, scope)].sort().join(',')})`;
    case 'not':
      return f.arg.kind === 'not' ? canon(f.arg.arg, scope) : `~(${canon(f.arg, scope)})`;
    case 'box':
      return `B(${canon(f.arg, scope)})`;
    case 'dia':
      return `D(${canon(f.arg, scope)})`;
    case 'and':
    case 'or': {
      const parts = [...new Set(flatten(f.kind, f.args).map((a) => canon(a, scope)))].sort();
      return parts.length === 1 ? parts[0] : `${f.kind}(${parts.join(';')})`;
    }
    case 'iff':
    case 'xor': {
      const parts = flatten(f.kind, [f.left, f.right]).map((a) => canon(a, scope)).sort();
      return `${f.kind}(${parts.join(';')})`;
    }
    case 'implies':
      return `imp(${canon(f.left, scope)};${canon(f.right, scope)})`;
    case 'forall':
    case 'exists':
      return quantified(f, scope);
  }
}

export function canonicalForm(f: Formula): string {
  return canon(f, { names: new Map(), depth: 0 });
}
