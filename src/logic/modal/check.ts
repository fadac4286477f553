/**
 * Modal validity: premises ⊢_L conclusion in K, D, T, B, KB, K4, S4 or S5.
 *
 * Every answer is backed by something sound:
 * - Non-Theorem: a countermodel, found by a search over n worlds and re-checked by direct
 *   evaluation in kripke.ts (a countermodel that fails the check is a SolverError, never an
 *   answer); or, for formulas with quantifiers, a model of the first-order translation.
 * - Theorem: the first-order (standard) translation with the frame axioms is unsatisfiable,
 *   which is exact since every frame condition here is first-order; or the bounded search is
 *   unsatisfiable at a size the finite model property guarantees is enough (bound.ts); or,
 *   for propositional K, D, T, K4 and S4, the tableau (tableau.ts) closes.
 * Otherwise the answer is undecided (null), never a guess.
 */
import type { Formula } from '../ast';
import { children, hasQuantifier, signatureOf } from '../ast';
import { SolverError } from '../errors';
import { tuples } from '../model';
import { constSymbol, predSymbol, quote } from '../smt/render';
import { readSExprs } from '../smt/sexpr';
import type { SExpr } from '../smt/sexpr';
import { solve } from '../smt/portfolio';
import type { SolverName } from '../smt/session';
import { finiteModelBound } from './bound';
import { encodeBounded } from './bounded';
import type { ModalLogic } from './frames';
import type { PremiseMode } from './encode';
import { encodeModal, worldName } from './encode';
import type { CountermodelCheck, KripkeModel } from './kripke';
import { atomKey, checkCountermodel } from './kripke';
import { decideByTableau, tableauApplies } from './tableau';

export interface ModalOptions {
  logic?: ModalLogic;
  /** Premises true at the actual world (local, the default for arguments) or at every world. */
  premises?: PremiseMode;
  /** Whole-check budget in ms. */
  timeoutMs?: number;
  /** Largest countermodel tried. */
  maxWorlds?: number;
  /** false: the Kripke encodings only, without the tableau (to cross-check one against the other). */
  tableau?: boolean;
  solvers?: SolverName[];
}

export type ModalMethod = 'countermodel' | 'first-order model' | 'first-order proof' | 'finite model property' | 'tableau';

export interface ModalResult {
  logic: ModalLogic;
  /** true: valid; false: a countermodel exists; null: undecided within the budget. */
  valid: boolean | null;
  /** What backs the answer (absent when undecided). */
  method?: ModalMethod;
  countermodel?: KripkeModel;
  /** Independent evaluation of the countermodel (absent for formulas with quantifiers). */
  check?: CountermodelCheck;
  /** Worlds that suffice for a countermodel when one exists (finite model property), if small. */
  bound: number | null;
  solver: SolverName | null;
  ms: number;
}

const SIZES = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64];
/** The n-world encoding has about (formula nodes × n²) terms; past this it is too big to help. */
const MAX_TERMS = 400_000;
/** Share of the budget the tableau may use before the solvers take over. */
const TABLEAU_SHARE = 0.6;

function size(f: Formula): number {
  return 1 + children(f).reduce((n, g) => n + size(g), 0);
}

function readValues(out: string): SExpr[] {
  const list = readSExprs(out).find((e): e is SExpr[] => Array.isArray(e) && e.every(Array.isArray));
  return (list ?? []).map((p) => (Array.isArray(p) ? p[1] : p));
}

function propositional(f: Formula): boolean {
  return f.kind !== 'eq' && f.kind !== 'forall' && f.kind !== 'exists' && children(f).every(propositional);
}

interface Search {
  model: KripkeModel | null;
  unsat: boolean;
  solver: SolverName | null;
}

async function searchPropositional(
  premises: readonly Formula[],
  conclusion: Formula,
  logic: ModalLogic,
  mode: PremiseMode,
  n: number,
  timeoutMs: number,
  solvers: SolverName[] | undefined,
): Promise<Search> {
  const enc = encodeBounded(premises, conclusion, logic, mode, n);
  const r = await solve(enc.script, { timeoutMs, solvers, onSat: enc.query || undefined });
  if (r.status !== 'sat') return { model: null, unsat: r.status === 'unsat', solver: r.winner };
  const values = r.followUp ? readValues(r.followUp) : [];
  const worlds = Array.from({ length: n }, (_, i) => worldName(i));
  const model: KripkeModel = { worlds, actual: worldName(0), relation: [], valuation: {} };
  for (const w of worlds) model.valuation[w] = [];
  if (logic === 'S5') for (const a of worlds) for (const b of worlds) model.relation.push([a, b]);
  enc.relation.forEach(([i, j], k) => values[k] === 'true' && model.relation.push([worldName(i), worldName(j)]));
  enc.atoms.forEach((a, k) => values[enc.relation.length + k] === 'true' && model.valuation[worldName(a.world)].push(a.key));
  return { model, unsat: false, solver: r.winner };
}

/** The quantified encoding over exactly n worlds, for formulas with quantifiers or equality. */
async function searchFirstOrder(
  premises: readonly Formula[],
  conclusion: Formula,
  logic: ModalLogic,
  mode: PremiseMode,
  n: number,
  timeoutMs: number,
  solvers: SolverName[] | undefined,
): Promise<Search> {
  const enc = encodeModal(premises, conclusion, logic, mode, n);
  const sig = signatureOf([...premises, conclusion]);
  const consts = [...sig.constants].sort();
  const worlds = Array.from({ length: n }, (_, i) => worldName(i));
  const rel: [string, string][] = worlds.flatMap((a) => worlds.map((b): [string, string] => [a, b]));
  const atoms: { world: string; key: string; smt: string }[] = [];
  for (const w of worlds)
    for (const [name, arities] of [...sig.predicates].sort())
      for (const k of arities)
        for (const args of tuples(consts, k)) {
          const key = atomKey(name, args.map((a) => ({ kind: 'const' as const, name: a })));
          atoms.push({ world: w, key, smt: `(${quote(predSymbol(name, k))} ${[w, ...args.map((a) => quote(constSymbol(a)))].join(' ')})` });
        }
  const terms = [...rel.map(([a, b]) => `(R ${a} ${b})`), ...atoms.map((a) => a.smt), ...consts.map((c) => quote(constSymbol(c)))];
  const r = await solve(enc.script, { timeoutMs, solvers, onSat: `(get-value (${terms.join(' ')}))` });
  if (r.status !== 'sat' || !r.followUp) return { model: null, unsat: r.status === 'unsat', solver: r.winner };
  const values = readValues(r.followUp);
  const model: KripkeModel = { worlds, actual: worldName(0), relation: [], valuation: {}, individuals: {} };
  rel.forEach((pair, i) => values[i] === 'true' && model.relation.push(pair));
  for (const w of worlds) model.valuation[w] = [];
  atoms.forEach((a, i) => values[rel.length + i] === 'true' && model.valuation[a.world].push(a.key));
  consts.forEach((c, i) => {
    const v = values[rel.length + atoms.length + i];
    model.individuals![c] = Array.isArray(v) ? String(v[1]) : String(v);
  });
  if (consts.length === 0) delete model.individuals;
  return { model, unsat: false, solver: r.winner };
}

export async function checkModal(premises: readonly Formula[], conclusion: Formula, opts: ModalOptions = {}): Promise<ModalResult> {
  const logic = opts.logic ?? 'K';
  const mode = opts.premises ?? 'local';
  const budget = opts.timeoutMs ?? 10000;
  const maxWorlds = opts.maxWorlds ?? 64;
  const t0 = Date.now();
  const left = (): number => budget - (Date.now() - t0);
  const all = [...premises, conclusion];
  const prop = all.every(propositional);
  const bound = prop ? finiteModelBound(premises, conclusion, logic, mode, maxWorlds) : null;
  const nodes = all.reduce((n, f) => n + size(f), 0);
  const sizes = (bound !== null ? [...SIZES.filter((n) => n < bound), bound] : SIZES.filter((n) => n <= maxWorlds)).filter(
    (n, i) => i === 0 || nodes * n * n <= MAX_TERMS,
  );
  const done = (r: Omit<ModalResult, 'logic' | 'bound' | 'ms'>): ModalResult => ({ logic, bound, ...r, ms: Date.now() - t0 });
  const checked = (model: KripkeModel, worlds: number): ModalResult => {
    const check = checkCountermodel(model, logic, premises, conclusion, mode);
    if (!check.holds) throw new SolverError(`the ${logic} countermodel with ${worlds} worlds fails the independent check: ${JSON.stringify(check)}`);
    return done({ valid: false, method: 'countermodel', countermodel: model, check, solver: null });
  };

  // A decision procedure where there is one; the solvers get what time it leaves.
  if (prop && opts.tableau !== false && tableauApplies(logic, mode)) {
    const t = await decideByTableau(premises, conclusion, logic, mode, t0 + budget * TABLEAU_SHARE);
    if (t?.valid === true) return done({ valid: true, method: 'tableau', solver: null });
    if (t?.countermodel) return checked(t.countermodel, t.countermodel.worlds.length);
  }

  let proofTried = false;
  let firstOrderSat = false;
  let lastMs = 0;

  const tryProof = async (share: number): Promise<ModalResult | null> => {
    proofTried = true;
    const proof = await solve(encodeModal(premises, conclusion, logic, mode).script, { timeoutMs: Math.max(50, left() * share), solvers: opts.solvers });
    if (proof.status === 'unsat') return done({ valid: true, method: 'first-order proof', solver: proof.winner });
    firstOrderSat = proof.status === 'sat';
    return null;
  };

  for (const n of sizes) {
    if (left() <= 50) break;
    // Small searches are cheap; before the large ones, give the first-order proof a chance.
    if (!proofTried && n > 4) {
      const proved = await tryProof(0.4);
      if (proved) return proved;
    }
    // The next size costs more than the last; do not start what cannot finish in time.
    if (lastMs * 1.5 > left()) break;
    const search = prop ? searchPropositional : searchFirstOrder;
    const started = Date.now();
    const found = await search(premises, conclusion, logic, mode, n, Math.max(50, left()), opts.solvers);
    lastMs = Date.now() - started;
    if (found.model) {
      if (!prop || all.some(hasQuantifier)) return done({ valid: false, method: 'countermodel', countermodel: found.model, solver: found.solver });
      return { ...checked(found.model, n), solver: found.solver };
    }
    if (found.unsat && bound !== null && n >= bound) return done({ valid: true, method: 'finite model property', solver: found.solver });
  }
  if (!proofTried && left() > 50) {
    const proved = await tryProof(1);
    if (proved) return proved;
  }
  // A model of the first-order translation is a Kripke model of the frame class, if maybe infinite.
  if (firstOrderSat) return done({ valid: false, method: 'first-order model', solver: null });
  return done({ valid: null, solver: null });
}
