/**
 * A second, independent decision procedure for propositional K, D and T with local premises:
 * the whole of a bounded tree model written out as one quantifier-free SMT problem (one
 * Boolean per (tree node, sub-formula)), handed to a solver in one piece. It shares no code
 * with the tableau (tableau.ts, nnf.ts) or the fixed-size Kripke search (bounded.ts): it reads
 * the parsed formulas itself, so a wrong Theorem from the tableau is not repeated here. QMLTP
 * uses it to confirm a verdict that contradicts a problem's header.
 *
 * Why an unsat answer means "valid" (completeness of the tree): Γ = premises ∧ ¬conclusion
 * is satisfiable in a Kripke model of the logic iff it is satisfiable in the tree below.
 *
 * - K, D (by position): a sub-formula occurrence under k modal operators is only ever read at
 *   worlds k steps from the root, so a node at depth k carries the sub-formulas occurring at
 *   position k, and the tree ends at the modal depth d. Each node has one child slot (with its
 *   own "edge present" Boolean) per modal sub-formula at its position that may need a witness:
 *   ◇ψ occurring positively, □ψ occurring negatively (both under ↔/⊕). From any model M of Γ
 *   at w, map the root to w and fill each slot whose formula is true (◇) or false (□) at the
 *   mapped world with a successor witnessing it; other slots get no edge (in D, if the node's
 *   position has modal sub-formulas and no slot would get an edge, one slot takes any
 *   successor, which D guarantees; a level with modal sub-formulas and no witness slot gets one
 *   slot for this alone). A node's successors are then successors of its world that include
 *   every witness needed, so by induction on d − k every sub-formula at position k is at least
 *   as true at the node as at its world where it occurs positively and at most as true where
 *   it occurs negatively; Γ occurs positively at the root, so it holds there. This is the tree
 *   model property of K (Ladner) with the branching and depth made explicit.
 * - T (by modal depth): reflexivity lets a node read deeper sub-formulas at itself, so a node
 *   at depth k carries every sub-formula of modal depth ≤ d − k and one slot per witness-needing
 *   modal sub-formula among them; every node sees itself. The same mapping works (a witness may
 *   be the world itself, as a separate copy in the tree), and the tree with loops is reflexive.
 *
 * Soundness (a sat answer is a model): the assignment describes a tree (plus loops for T; for
 * D a loop at nodes whose position has no modal sub-formula, where no formula looks at
 * successors) in which every node's Booleans are the truth values of its sub-formulas, by the
 * definitions, so Γ holds at the root of a model of the logic.
 *
 * The tree can be large (2^u leaves for u levels with two witness slots): its size is
 * computed first and an encoding over the limit is not attempted, with the reason.
 */
import type { Formula } from '../ast';
import { UnsupportedFormulaError } from '../errors';
import { solve } from '../smt/portfolio';
import { binaryVersion } from '../smt/process';
import type { SolverName } from '../smt/session';

export type TreeModelLogic = 'K' | 'D' | 'T';

export function treeModelApplies(logic: string, mode: 'local' | 'global'): logic is TreeModelLogic {
  return mode === 'local' && (logic === 'K' || logic === 'D' || logic === 'T');
}

const POS = 1;
const NEG = 2;

interface Entry {
  id: number;
  f: Formula;
  /** Modal depth of the sub-formula. */
  md: number;
  /** Position (number of modal operators above it); by-depth tables (T) use 0 throughout. */
  level: number;
  /** POS | NEG: the polarities it occurs with. */
  pol: number;
  /** Ids of the direct sub-formulas (a modal operator's argument is one level further down). */
  args: number[];
}

/** Sub-formula table keyed by structure (and by position for K and D). */
class Closure {
  readonly entries: Entry[] = [];
  private readonly byKey = new Map<string, Entry>();
  private readonly keys = new Map<Formula, string>();

  constructor(private readonly byPosition: boolean) {}

  key(f: Formula): string {
    const known = this.keys.get(f);
    if (known !== undefined) return known;
    let k: string;
    switch (f.kind) {
      case 'true':
      case 'false':
        k = f.kind;
        break;
      case 'pred':
        if (f.args.length > 0) throw new UnsupportedFormulaError('the tree-model check takes propositional formulas only');
        k = `p:${f.name}`;
        break;
      case 'not':
      case 'box':
      case 'dia':
        k = `${f.kind}(${this.key(f.arg)})`;
        break;
      case 'and':
      case 'or':
        k = `${f.kind}(${f.args.map((a) => this.key(a)).join(',')})`;
        break;
      case 'implies':
      case 'iff':
      case 'xor':
        k = `${f.kind}(${this.key(f.left)},${this.key(f.right)})`;
        break;
      default:
        throw new UnsupportedFormulaError(`the tree-model check takes no ${f.kind}`);
    }
    this.keys.set(f, k);
    return k;
  }

  /** Adds an occurrence of f at `level` with polarity `pol`; returns its entry. */
  add(f: Formula, level: number, pol: number): Entry {
    const lvl = this.byPosition ? level : 0;
    const key = `${lvl}|${this.key(f)}`;
    let e = this.byKey.get(key);
    if (e && (e.pol | pol) === e.pol) return e;
    const both = POS | NEG;
    const flip = (p: number): number => ((p & POS ? NEG : 0) | (p & NEG ? POS : 0));
    const sub = (g: Formula, p: number, down = 0): number => this.add(g, level + down, p).id;
    let args: number[];
    switch (f.kind) {
      case 'true':
      case 'false':
      case 'pred':
        args = [];
        break;
      case 'not':
        args = [sub(f.arg, flip(pol))];
        break;
      case 'and':
      case 'or':
        args = f.args.map((a) => sub(a, pol));
        break;
      case 'implies':
        args = [sub(f.left, flip(pol)), sub(f.right, pol)];
        break;
      case 'iff':
      case 'xor':
        args = [sub(f.left, both), sub(f.right, both)];
        break;
      case 'box':
      case 'dia':
        args = [sub(f.arg, pol, 1)];
        break;
      default:
        throw new UnsupportedFormulaError(`the tree-model check takes no ${f.kind}`);
    }
    if (e) {
      e.pol |= pol;
      return e;
    }
    const md = f.kind === 'box' || f.kind === 'dia' ? 1 + this.entries[args[0]].md : Math.max(0, ...args.map((a) => this.entries[a].md));
    // Children first: ids are a topological order, so definitions can be emitted by id.
    e = { id: this.entries.length, f, md, level: lvl, pol, args };
    this.entries.push(e);
    this.byKey.set(key, e);
    return e;
  }
}

const needsWitness = (e: Entry): boolean => (e.f.kind === 'dia' && (e.pol & POS) !== 0) || (e.f.kind === 'box' && (e.pol & NEG) !== 0);
const isModal = (e: Entry): boolean => e.f.kind === 'box' || e.f.kind === 'dia';

export interface TreeShape {
  /** Modal depth of premises ∧ ¬conclusion: the tree's height. */
  depth: number;
  /** Child slots of every node at each depth. */
  branching: number[];
  /** Nodes in the tree. */
  worlds: number;
  /** (node, sub-formula) Booleans the encoding defines. */
  definitions: number;
}

interface Plan {
  closure: Closure;
  roots: { premises: Entry[]; conclusion: Entry };
  /** Sub-formula entries read at each depth, in id order. */
  read: Entry[][];
  /** Slots at each depth: the entry each witnesses (null: seriality only, in D). */
  slots: (Entry | null)[][];
  /** Whether nodes at a depth must have an edge (D: modal sub-formulas read there). */
  serial: boolean[];
  shape: TreeShape;
}

function plan(premises: readonly Formula[], conclusion: Formula, logic: TreeModelLogic, cap: number): Plan {
  const closure = new Closure(logic !== 'T');
  const roots = { premises: premises.map((p) => closure.add(p, 0, POS)), conclusion: closure.add(conclusion, 0, NEG) };
  const all = [...roots.premises, roots.conclusion];
  const depth = Math.max(0, ...all.map((e) => e.md));
  const read: Entry[][] = [];
  const slots: (Entry | null)[][] = [];
  const serial: boolean[] = [];
  const branching: number[] = [];
  let worlds = 0;
  let definitions = 0;
  let layer = 1;
  for (let k = 0; k <= depth; k++) {
    const here = closure.entries.filter((e) => (logic === 'T' ? e.md <= depth - k : e.level === k));
    const s: (Entry | null)[] = k < depth ? here.filter(needsWitness) : [];
    const modal = k < depth && here.some(isModal);
    if (logic === 'D' && modal && s.length === 0) s.push(null);
    read.push(here);
    slots.push(s);
    serial.push(logic === 'D' && modal);
    branching.push(s.length);
    worlds += layer;
    definitions += layer * (here.length + s.length);
    // Counting stops once over the cap: the caller only needs to know that.
    if (worlds > cap) break;
    layer *= s.length;
  }
  return { closure, roots, read, slots, serial, shape: { depth, branching, worlds, definitions } };
}

/** The size of the tree the encoding would write, without writing it. */
export function treeModelShape(premises: readonly Formula[], conclusion: Formula, logic: TreeModelLogic): TreeShape {
  return plan(premises, conclusion, logic, Infinity).shape;
}

/**
 * The SMT-LIB2 script (without check-sat): sat iff premises ∧ ¬conclusion has a model of the
 * logic. Every symbol is the encoding's own (`a`: an atom at a node, `t`: a defined
 * sub-formula, `r`: an edge), never a formula's name, so none can clash. Written from the
 * deepest nodes up, as a definition may only use what is defined before it; constants and
 * negated atoms are written in place rather than defined (z3 reads definitions slowly).
 */
export function encodeTreeModel(premises: readonly Formula[], conclusion: Formula, logic: TreeModelLogic, smtLogic = 'QF_UF'): string {
  const p = plan(premises, conclusion, logic, Infinity);
  const { entries } = p.closure;
  const reflexive = logic === 'T';
  // Nodes are numbered breadth first; node i of depth k has children i·s + j of depth k + 1.
  const first: number[] = [0];
  const count: number[] = [1];
  for (let k = 0; k < p.shape.depth; k++) {
    first.push(first[k] + count[k]);
    count.push(count[k] * p.slots[k].length);
  }
  const ref = (node: number, id: number): string => {
    const e = entries[id];
    switch (e.f.kind) {
      case 'true':
      case 'false':
        return e.f.kind;
      case 'pred':
        return `a${node}_${id}`;
      case 'not':
        if (entries[e.args[0]].f.kind === 'pred') return `(not a${node}_${e.args[0]})`;
        return `t${node}_${id}`;
      default:
        return `t${node}_${id}`;
    }
  };
  const edge = (node: number): string => `r${node}`;
  const out: string[] = [`(set-logic ${smtLogic})`];
  for (let k = p.shape.depth; k >= 0; k--) {
    const s = p.slots[k].length;
    for (let i = 0; i < count[k]; i++) {
      const n = first[k] + i;
      const kids = Array.from({ length: s }, (_, j) => first[k + 1] + i * s + j);
      for (const c of kids) out.push(`(declare-const ${edge(c)} Bool)`);
      if (p.serial[k]) out.push(`(assert (or ${kids.map(edge).join(' ')}))`);
      for (const e of p.read[k]) {
        const f = e.f;
        const a = (j: number): string => ref(n, e.args[j]);
        let body: string;
        switch (f.kind) {
          case 'pred':
            out.push(`(declare-const ${ref(n, e.id)} Bool)`);
            continue;
          case 'true':
          case 'false':
            continue;
          case 'not':
            if (entries[e.args[0]].f.kind === 'pred') continue;
            body = `(not ${a(0)})`;
            break;
          case 'and':
          case 'or':
            body = `(${f.kind} ${f.kind === 'and' ? 'true' : 'false'} ${e.args.map((_, j) => a(j)).join(' ')})`;
            break;
          case 'implies':
            body = `(=> ${a(0)} ${a(1)})`;
            break;
          case 'iff':
            body = `(= ${a(0)} ${a(1)})`;
            break;
          case 'xor':
            body = `(xor ${a(0)} ${a(1)})`;
            break;
          case 'box':
          case 'dia': {
            const arg = e.args[0];
            const parts = kids.map((c) => (f.kind === 'box' ? `(=> ${edge(c)} ${ref(c, arg)})` : `(and ${edge(c)} ${ref(c, arg)})`));
            if (reflexive) parts.push(ref(n, arg));
            body = f.kind === 'box' ? `(and true ${parts.join(' ')})` : `(or false ${parts.join(' ')})`;
            break;
          }
          default:
            throw new UnsupportedFormulaError(`the tree-model check takes no ${f.kind}`);
        }
        out.push(`(define-fun ${ref(n, e.id)} () Bool ${body})`);
      }
    }
  }
  for (const e of p.roots.premises) out.push(`(assert ${ref(0, e.id)})`);
  out.push(`(assert (not ${ref(0, p.roots.conclusion.id)}))`);
  return out.join('\n');
}

export interface TreeModelOptions {
  timeoutMs?: number;
  /** Largest tree written (nodes); default 50,000. */
  maxWorlds?: number;
  /** Largest number of (node, sub-formula) definitions written; default 2,000,000. */
  maxDefinitions?: number;
  /** Default: the native z3 binary when installed, else Z3 in-process; cvc5 beside it when installed. */
  solvers?: SolverName[];
}

export interface TreeModelResult {
  /** true: premises ⊢ conclusion (unsat); false: a tree model of premises ∧ ¬conclusion; null: not decided. */
  valid: boolean | null;
  method: string;
  shape: TreeShape;
  solver: SolverName | null;
  ms: number;
  /** Why there is no verdict (too large, solver timeout). */
  reason?: string;
}

/**
 * Z3 only: the native binary when installed (it reads a 30 MB script several times faster
 * than the in-process build), else z3-solver. cvc5 is left out: on these purely Boolean
 * problems it was more than three times slower than z3 (SYM344+1: over 100 s against 30 s),
 * and on two cores it would only slow z3 down.
 */
export function treeModelSolvers(): SolverName[] {
  return [binaryVersion('z3-native') ? 'z3-native' : 'z3'];
}

/** Decides premises ⊢_logic conclusion (local premises, propositional) through the tree encoding. */
export async function decideByTreeModel(
  premises: readonly Formula[],
  conclusion: Formula,
  logic: TreeModelLogic,
  opts: TreeModelOptions = {},
): Promise<TreeModelResult> {
  const t0 = Date.now();
  const maxWorlds = opts.maxWorlds ?? 50_000;
  const maxDefinitions = opts.maxDefinitions ?? 2_000_000;
  const method = `${logic} tree-model SMT encoding`;
  const { shape } = plan(premises, conclusion, logic, maxWorlds);
  const done = (r: Omit<TreeModelResult, 'method' | 'shape' | 'ms'>): TreeModelResult => ({ method, shape, ...r, ms: Date.now() - t0 });
  if (shape.worlds > maxWorlds || shape.definitions > maxDefinitions) {
    const what = shape.worlds > maxWorlds ? `over ${maxWorlds} worlds` : `${shape.definitions} definitions (limit ${maxDefinitions})`;
    return done({ valid: null, solver: null, reason: `the tree model (depth ${shape.depth}, branching ${shape.branching.join('·')}) has ${what}` });
  }
  const solvers = opts.solvers ?? treeModelSolvers();
  // Z3 alone: QF_FD sends the purely Boolean problem to its SAT solver (about twice as fast
  // as its default here); cvc5 does not know that logic.
  const onlyZ3 = solvers.every((x) => x === 'z3' || x === 'z3-native');
  const script = encodeTreeModel(premises, conclusion, logic, onlyZ3 ? 'QF_FD' : 'QF_UF');
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const r = await solve(script, { timeoutMs, solvers, strict: true });
  if (r.status === 'unknown') {
    const why = r.reports.map((x) => `${x.solver} ${x.status}${x.detail ? ` (${x.detail.slice(0, 80)})` : ''}`).join(', ');
    return done({ valid: null, solver: null, reason: `no answer within ${Math.round(timeoutMs / 1000)} s: ${why}` });
  }
  return done({ valid: r.status === 'unsat', solver: r.winner });
}
