/**
 * A decision procedure for propositional K, D, T, K4 and S4: a depth-first labelled tableau
 * over formula sets in negation normal form (nnf.ts), in the style of KSAT/FaCT. Each world
 * is a set of formulas that must hold there; ∧ adds its parts, ∨ branches (semantically on
 * literal disjuncts), □ψ passes ψ to every successor (and stays, in K4/S4), ◇φ makes one
 * successor holding φ. The QBF-encoding problems of QMLTP (□ nested twenty deep over many
 * atoms) are a search over assignments that this does directly, where a fixed-size Kripke
 * encoding would need thousands of worlds at once.
 *
 * Why a Theorem verdict is sound: every rule is invertible for satisfiability in its logic
 * (∧, ∨ and the world split are the textbook rules; □ψ → ψ at the same world is reflexivity,
 * the T rule; passing □ψ on is transitivity), so a set reported unsatisfiable has no model.
 * Only that is cached across the search without condition, as it depends on the set alone.
 * Termination (and so a verdict): in K, D and T each successor's formulas have smaller modal
 * depth; in K4 and S4 a successor whose formulas all hold at a world on its path is replaced
 * by an edge to that world (subset blocking), and along a path the boxed formulas only grow
 * and between growths each new world adds a ◇-witness no world above has, so paths are finite.
 * A Non-Theorem comes with the model the open branch describes; the caller re-checks it with
 * the independent evaluator (kripke.ts).
 */
import type { Formula } from '../ast';
import { InternalError } from '../../util/errors';
import type { ModalLogic } from './frames';
import { FRAME_CONDITIONS } from './frames';
import type { PremiseMode } from './encode';
import { worldName } from './encode';
import type { KripkeModel } from './kripke';
import { NnfTable } from './nnf';

export type TableauLogic = 'K' | 'D' | 'T' | 'K4' | 'S4';

/**
 * Where the tableau applies. Global premises need no loop check only with transitivity: in a
 * model generated from the actual world, p everywhere is p ∧ □p there. In K, D and T they would.
 */
export function tableauApplies(logic: ModalLogic, mode: PremiseMode): logic is TableauLogic {
  if (logic === 'K4' || logic === 'S4') return true;
  return mode === 'local' && (logic === 'K' || logic === 'D' || logic === 'T');
}

export interface TableauResult {
  /** true: no model of the premises and the negated conclusion exists. */
  valid: boolean;
  countermodel?: KripkeModel;
  /** Tableau nodes (branch points and worlds) visited. */
  steps: number;
}

interface World {
  atoms: string[];
  succ: World[];
}

/**
 * Why a branch closed, for backjumping (as in FaCT/DLP): bit i < label length stands for the
 * world's i-th given formula, bit label length + k for the k-th nested branch point. A branch
 * point whose own bit is missing from a failure cannot help, so its other alternatives are
 * skipped; the given formulas among the bits form an unsatisfiable core of the world's label.
 */
type Deps = bigint;

/** A world reached on the current path (K4/S4): blocking looks at these. */
interface Frame {
  has: Map<number, Deps>;
  world: World;
  depth: number;
}

/**
 * The open branch at a world: the formulas asserted there (with why), by what the rules do
 * next. Alternatives are tried in place and undone from the trail, as copying sets of a few
 * hundred formulas at every branch point is what a search of 10^5 branch points cannot afford.
 */
interface Branch {
  has: Map<number, Deps>;
  trail: number[];
  ors: number[];
  boxes: number[];
  dias: number[];
  /** Bits of the label's formulas; branch point k uses bit base + k. */
  base: number;
}

type Mark = [number, number, number, number];

const mark = (b: Branch): Mark => [b.trail.length, b.ors.length, b.boxes.length, b.dias.length];

function undo(b: Branch, [trail, ors, boxes, dias]: Mark): void {
  while (b.trail.length > trail) b.has.delete(b.trail.pop()!);
  b.ors.length = ors;
  b.boxes.length = boxes;
  b.dias.length = dias;
}

/** A world's model and the shallowest path position its subtree's blocking edges point to. */
interface Found {
  world: World;
  ref: number;
}

interface Closed {
  closed: Deps;
}

/** Thrown past the deadline and caught in decideByTableau: it never reaches a caller. */
class OutOfTime extends InternalError {
  constructor() {
    super('the tableau ran past its deadline');
  }
}

const sortedUnique = (ids: number[]): number[] => [...new Set(ids)].sort((a, b) => a - b);
const bit = (i: number): Deps => 1n << BigInt(i);

/** A sorted id list with one more id put in its place. */
function withId(sorted: readonly number[], id: number): number[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return [...sorted.slice(0, lo), id, ...sorted.slice(lo)];
}

class Tableau {
  private readonly reflexive: boolean;
  private readonly transitive: boolean;
  private readonly serial: boolean;
  /** Sets with a model that does not lean on a world above them. */
  private readonly sat = new Map<string, World>();
  /** Unsatisfiable cores, indexed by their least id: any label containing one is closed. */
  private readonly cores = new Map<number, number[][]>();
  private readonly path: Frame[] = [];
  steps = 0;
  private lastYield = Date.now();

  constructor(
    private readonly t: NnfTable,
    logic: TableauLogic,
    private readonly deadline: number,
  ) {
    const conds = FRAME_CONDITIONS[logic];
    this.reflexive = conds.includes('reflexive');
    this.transitive = conds.includes('transitive');
    this.serial = conds.includes('serial');
  }

  /**
   * A world where every formula of `label` (sorted, unique ids) holds, or an unsatisfiable
   * subset of the label when none exists.
   */
  async world(label: number[]): Promise<Found | { core: number[] }> {
    const key = label.join(',');
    const known = this.sat.get(key);
    if (known) return { world: known, ref: Infinity };
    const core = this.knownCore(label);
    if (core) return { core };
    const depth = this.path.length;
    const start: Branch = { has: new Map(), trail: [], ors: [], boxes: [], dias: [], base: label.length };
    const clash = this.saturate(start, label.map((id, i) => [id, bit(i)]));
    const out = clash === null ? await this.branch(start, 0, depth) : { closed: clash };
    if ('closed' in out) {
      const found = label.filter((_, i) => (out.closed & bit(i)) !== 0n);
      this.remember(found);
      return { core: found };
    }
    if (out.ref >= depth) this.sat.set(key, out.world);
    return out;
  }

  private knownCore(label: number[]): number[] | undefined {
    const present = new Set(label);
    for (const id of label) for (const core of this.cores.get(id) ?? []) if (core.every((c) => present.has(c))) return core;
    return undefined;
  }

  private remember(core: number[]): void {
    const least = core[0] ?? -1;
    const list = this.cores.get(least);
    if (list) list.push(core);
    else this.cores.set(least, [core]);
  }

  /** Adds formulas and their consequences at this world; the reasons of a contradiction, or null. */
  private saturate(b: Branch, work: [number, Deps][]): Deps | null {
    const { nodes, neg } = this.t;
    while (work.length > 0) {
      const [id, deps] = work.pop()!;
      if (b.has.has(id)) continue;
      const against = b.has.get(neg[id]);
      if (against !== undefined) return deps | against;
      b.has.set(id, deps);
      b.trail.push(id);
      const n = nodes[id];
      switch (n.kind) {
        case 'false':
          return deps;
        case 'and':
          for (const a of n.args) work.push([a, deps]);
          break;
        case 'or':
          b.ors.push(id);
          break;
        case 'box':
          b.boxes.push(id);
          if (this.reflexive) work.push([n.arg, deps]);
          break;
        case 'dia':
          b.dias.push(id);
          break;
        default:
          break;
      }
    }
    return null;
  }

  /**
   * Unit propagation over the open disjunctions. Returns the reasons of a contradiction, or
   * the live disjuncts of the disjunction to branch on next (fewest first; none when no
   * disjunction is open) with the reasons it stands on.
   */
  private propagate(b: Branch): Closed | { live: number[]; deps: Deps } {
    const { nodes, neg } = this.t;
    let best = -1;
    for (let changed = true; changed; ) {
      changed = false;
      best = -1;
      let fewest = Infinity;
      // Satisfied disjunctions stay listed (the trail only grows) and are skipped here.
      for (const o of b.ors) {
        const args = (nodes[o] as { args: readonly number[] }).args;
        let live = 0;
        let last = -1;
        for (const d of args) {
          if (b.has.has(d)) {
            live = -1;
            break;
          }
          if (!b.has.has(neg[d])) {
            live++;
            last = d;
          }
        }
        if (live < 0) continue;
        if (live === 0) return { closed: this.falsified(b, o) };
        if (live === 1) {
          const clash = this.saturate(b, [[last, this.falsified(b, o)]]);
          if (clash !== null) return { closed: clash };
          changed = true;
        } else if (live < fewest) {
          fewest = live;
          best = o;
        }
      }
    }
    if (best < 0) return { live: [], deps: 0n };
    const live = (nodes[best] as { args: readonly number[] }).args.filter((d) => !b.has.has(neg[d]));
    // Literals first: they settle a disjunction without asking anything of other worlds.
    live.sort((x, y) => Number(nodes[y].kind === 'lit') - Number(nodes[x].kind === 'lit'));
    return { live, deps: this.falsified(b, best) };
  }

  /** Why a disjunction is asserted, and why each of its false disjuncts is false. */
  private falsified(b: Branch, o: number): Deps {
    const { nodes, neg } = this.t;
    let deps = b.has.get(o)!;
    for (const d of (nodes[o] as { args: readonly number[] }).args) {
      const against = b.has.get(neg[d]);
      if (against !== undefined) deps |= against;
    }
    return deps;
  }

  private async tick(): Promise<void> {
    if ((++this.steps & 255) !== 0) return;
    const now = Date.now();
    if (now > this.deadline) throw new OutOfTime();
    // A long search must not hold the event loop.
    if (now - this.lastYield > 20) {
      await new Promise((resolve) => setImmediate(resolve));
      this.lastYield = Date.now();
    }
  }

  /** Searches the branch from `level` nested branch points on; on failure `b` may hold more, for the caller to undo. */
  private async branch(b: Branch, level: number, depth: number): Promise<Found | Closed> {
    await this.tick();
    const pick = this.propagate(b);
    if ('closed' in pick) return pick;
    if (pick.live.length === 0) return this.expand(b, depth);
    const { nodes, neg } = this.t;
    const mine = bit(b.base + level);
    let closed = pick.deps;
    const refuted: [number, Deps][] = [];
    const before = mark(b);
    for (const d of pick.live) {
      const clash = this.saturate(b, [[d, pick.deps | mine], ...refuted]);
      const out = clash === null ? await this.branch(b, level + 1, depth) : { closed: clash };
      if (!('closed' in out)) return out;
      undo(b, before);
      // Closed for reasons this choice does not touch: no other alternative can do better.
      if ((out.closed & mine) === 0n) return out;
      const reasons = out.closed & ~mine;
      closed |= reasons;
      // Semantic branching: later alternatives may take this literal as false (no new world needed).
      if (nodes[d].kind === 'lit') refuted.push([neg[d], reasons]);
    }
    return { closed };
  }

  /** The world for a saturated open branch: one successor per ◇ (and for D, one anyway). */
  private async expand(b: Branch, depth: number): Promise<Found | Closed> {
    const { nodes } = this.t;
    const world: World = { atoms: [], succ: [] };
    for (const id of b.has.keys()) {
      const n = nodes[id];
      if (n.kind === 'lit' && n.positive) world.atoms.push(n.atom);
    }
    // What each successor formula stands on here, to map a successor's core back.
    const carried = new Map<number, Deps>();
    for (const id of b.boxes) {
      const arg = (nodes[id] as { arg: number }).arg;
      const deps = b.has.get(id)!;
      if (!carried.has(arg)) carried.set(arg, deps);
      if (this.transitive) carried.set(id, deps);
    }
    const common = sortedUnique([...carried.keys()]);
    const requests: { label: number[]; phi?: number; deps: Deps }[] = [];
    for (const id of b.dias) {
      const phi = (nodes[id] as { arg: number }).arg;
      // In T and S4 the world itself sees φ.
      if (this.reflexive && b.has.has(phi)) continue;
      requests.push({ label: carried.has(phi) ? common : withId(common, phi), phi, deps: b.has.get(id)! });
    }
    if (this.serial && b.dias.length === 0 && b.boxes.length > 0) requests.push({ label: common, deps: 0n });
    if (this.transitive) this.path.push({ has: b.has, world, depth });
    try {
      let ref = Infinity;
      for (const r of requests) {
        const blocker = this.transitive ? this.blocker(r.label) : undefined;
        if (blocker) {
          world.succ.push(blocker.world);
          ref = Math.min(ref, blocker.depth);
          continue;
        }
        const found = await this.world(r.label);
        if ('core' in found) {
          let closed = 0n;
          for (const id of found.core) closed |= id === r.phi ? r.deps : carried.get(id)!;
          return { closed };
        }
        world.succ.push(found.world);
        ref = Math.min(ref, found.ref);
      }
      return { world, ref };
    } finally {
      if (this.transitive) this.path.pop();
    }
  }

  /** The nearest world on the path (this one included) where every formula of `label` holds. */
  private blocker(label: number[]): Frame | undefined {
    for (let i = this.path.length - 1; i >= 0; i--) if (label.every((id) => this.path[i].has.has(id))) return this.path[i];
    return undefined;
  }
}

/** The finite model an open tableau describes, closed under the logic's frame conditions. */
function toKripke(root: World, logic: TableauLogic): KripkeModel {
  const index = new Map<World, number>([[root, 0]]);
  const order: World[] = [root];
  for (let i = 0; i < order.length; i++)
    for (const s of order[i].succ)
      if (!index.has(s)) {
        index.set(s, order.length);
        order.push(s);
      }
  const conds = FRAME_CONDITIONS[logic];
  const succ = order.map((w) => new Set(w.succ.map((s) => index.get(s)!)));
  succ.forEach((out, i) => {
    // A D world without successors asserts nothing modal, so a loop changes no truth there.
    if (conds.includes('reflexive') || (conds.includes('serial') && out.size === 0)) out.add(i);
  });
  if (conds.includes('transitive')) {
    const reach = succ.map(() => null as Set<number> | null);
    const close = (i: number): Set<number> => {
      const done = reach[i];
      if (done) return done;
      const seen = new Set<number>();
      const stack = [...succ[i]];
      while (stack.length > 0) {
        const j = stack.pop()!;
        if (seen.has(j)) continue;
        seen.add(j);
        stack.push(...succ[j]);
      }
      return (reach[i] = seen);
    };
    succ.forEach((_, i) => (succ[i] = close(i)));
  }
  const worlds = order.map((_, i) => worldName(i));
  const relation: [string, string][] = [];
  succ.forEach((out, i) => [...out].sort((a, b) => a - b).forEach((j) => relation.push([worlds[i], worlds[j]])));
  const valuation: Record<string, string[]> = {};
  order.forEach((w, i) => (valuation[worlds[i]] = [...new Set(w.atoms)].sort()));
  return { worlds, actual: worlds[0], relation, valuation };
}

/**
 * Decides premises ⊢ conclusion (propositional) by refuting premises ∧ ¬conclusion at a world.
 * Null when the deadline (epoch ms) passes first.
 */
export async function decideByTableau(
  premises: readonly Formula[],
  conclusion: Formula,
  logic: TableauLogic,
  mode: PremiseMode,
  deadline: number,
): Promise<TableauResult | null> {
  const t = new NnfTable();
  const root = [...premises.map((p) => t.of(p)), t.of(conclusion, false)];
  if (mode === 'global') root.push(...premises.map((p) => t.modal('box', t.of(p))));
  const tableau = new Tableau(t, logic, deadline);
  try {
    const found = await tableau.world(sortedUnique(root));
    if ('core' in found) return { valid: true, steps: tableau.steps };
    return { valid: false, countermodel: toKripke(found.world, logic), steps: tableau.steps };
  } catch (e) {
    if (e instanceof OutOfTime) return null;
    throw e;
  }
}
