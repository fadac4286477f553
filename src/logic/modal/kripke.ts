/**
 * Finite Kripke models and an evaluator for them, written independently of the SMT encoding:
 * a countermodel a solver returns is re-checked here by plain recursion over the formula,
 * together with the frame conditions of the logic.
 */
import type { Formula, Term } from '../ast';
import { UnsupportedFormulaError } from '../errors';
import { termToString } from '../print';
import type { FrameCondition, ModalLogic } from './frames';
import { FRAME_CONDITIONS } from './frames';

export interface KripkeModel {
  worlds: string[];
  /** The world where premises hold and the conclusion fails. */
  actual: string;
  /** Accessibility pairs [from, to]. */
  relation: [string, string][];
  /** World → ground atoms true there (`p`, `f(a)`); atoms not listed are false. */
  valuation: Record<string, string[]>;
  /** Named individual → domain element, for = between constants. */
  individuals?: Record<string, string>;
}

export function atomKey(name: string, args: readonly Term[]): string {
  return args.length === 0 ? name : `${name}(${args.map(termToString).join(', ')})`;
}

/**
 * Truth of a quantifier-free modal formula at a world. Labels each (sub-formula, world) pair
 * once, as a model checker does: plain recursion would revisit a world once per path to it,
 * which is exponential in the modal depth (QMLTP's QBF problems nest □ twenty deep).
 */
export function evaluate(m: KripkeModel, f: Formula, w: string, memo: Map<Formula, Map<string, boolean>> = new Map()): boolean {
  return labelled(m, f, w, memo, successorIndex(m));
}

type Successors = Map<string, string[]>;

/** World → its successors, read once per evaluation: tableau countermodels have thousands of worlds. */
function successorIndex(m: KripkeModel): Successors {
  const index: Successors = new Map();
  for (const [a, b] of m.relation) {
    const out = index.get(a);
    if (out) out.push(b);
    else index.set(a, [b]);
  }
  return index;
}

function labelled(m: KripkeModel, f: Formula, w: string, memo: Map<Formula, Map<string, boolean>>, succ: Successors): boolean {
  let row = memo.get(f);
  if (!row) memo.set(f, (row = new Map()));
  const known = row.get(w);
  if (known !== undefined) return known;
  const value = evaluateOnce(m, f, w, memo, succ);
  row.set(w, value);
  return value;
}

function evaluateOnce(m: KripkeModel, f: Formula, w: string, memo: Map<Formula, Map<string, boolean>>, index: Successors): boolean {
  const ev = (g: Formula, at: string = w): boolean => labelled(m, g, at, memo, index);
  const succ = (x: string): string[] => index.get(x) ?? [];
  switch (f.kind) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'pred':
      return (m.valuation[w] ?? []).includes(atomKey(f.name, f.args));
    case 'eq': {
      const l = termToString(f.left);
      const r = termToString(f.right);
      return l === r || (m.individuals?.[l] !== undefined && m.individuals[l] === m.individuals[r]);
    }
    case 'not':
      return !ev(f.arg);
    case 'and':
      return f.args.every((a) => ev(a));
    case 'or':
      return f.args.some((a) => ev(a));
    case 'implies':
      return !ev(f.left) || ev(f.right);
    case 'iff':
      return ev(f.left) === ev(f.right);
    case 'xor':
      return ev(f.left) !== ev(f.right);
    case 'box':
      return succ(w).every((v) => ev(f.arg, v));
    case 'dia':
      return succ(w).some((v) => ev(f.arg, v));
    case 'forall':
    case 'exists':
      throw new UnsupportedFormulaError('the finite-model check evaluates quantifier-free modal formulas only');
  }
}

export function conditionHolds(m: KripkeModel, c: FrameCondition): boolean {
  const pairs = new Set(m.relation.map(([a, b]) => JSON.stringify([a, b])));
  const has = (a: string, b: string): boolean => pairs.has(JSON.stringify([a, b]));
  const index = successorIndex(m);
  const worlds = new Set(m.worlds);
  switch (c) {
    case 'serial':
      return m.worlds.every((u) => (index.get(u) ?? []).some((v) => worlds.has(v)));
    case 'reflexive':
      return m.worlds.every((u) => has(u, u));
    case 'symmetric':
      return m.relation.every(([u, v]) => has(v, u));
    case 'transitive':
      return m.relation.every(([u, v]) => (index.get(v) ?? []).every((y) => has(u, y)));
  }
}

export interface CountermodelCheck {
  /** True when every frame condition holds, premises hold as required and the conclusion fails. */
  holds: boolean;
  frame: Record<string, boolean>;
  premises: boolean[];
  conclusionAtActual: boolean;
}

/** Re-checks a countermodel to premises ⊢_logic conclusion by direct evaluation. */
export function checkCountermodel(
  m: KripkeModel,
  logic: ModalLogic,
  premises: readonly Formula[],
  conclusion: Formula,
  premiseMode: 'local' | 'global',
): CountermodelCheck {
  const frame: Record<string, boolean> = {};
  for (const c of FRAME_CONDITIONS[logic]) frame[c] = conditionHolds(m, c);
  const memo = new Map<Formula, Map<string, boolean>>();
  const premiseOk = premises.map((p) =>
    premiseMode === 'global' ? m.worlds.every((w) => evaluate(m, p, w, memo)) : evaluate(m, p, m.actual, memo),
  );
  const conclusionAtActual = evaluate(m, conclusion, m.actual, memo);
  const holds = Object.values(frame).every(Boolean) && premiseOk.every(Boolean) && !conclusionAtActual;
  return { holds, frame, premises: premiseOk, conclusionAtActual };
}
