/**
 * Classical first-order entailment: premises ⊢ conclusion is True when premises ∧ ¬conclusion
 * is unsatisfiable, False when premises ∧ conclusion is, Uncertain otherwise (with a model of
 * the premises where the conclusion fails). Inconsistent premises classically entail
 * everything; that decides nothing worth keeping, so it is reported with its unsat core and
 * answered Uncertain.
 */
import type { Formula } from './ast';
import { isModal, not } from './ast';
import { UnsupportedFormulaError } from './errors';
import type { GroundModel } from './model';
import { groundModelQuery, readCore } from './model';
import { formulaToString } from './print';
import { renderProblem } from './smt/render';
import type { SolveOptions, SolverReport } from './smt/portfolio';
import { solve, solverNote } from './smt/portfolio';
import type { SolverName } from './smt/session';

export type Verdict = 'True' | 'False' | 'Uncertain';

export interface EntailmentResult {
  answer: Verdict;
  /** Solver whose answer decided the verdict (null when nothing was definitive). */
  solver: SolverName | null;
  /** Which solvers ran here, in words (e.g. that cvc5 is missing). */
  solvers: string;
  /** The premises contradict each other; see unsatCore. */
  inconsistent: boolean;
  /** Premises (as text, with their index) that are jointly inconsistent. */
  unsatCore?: { index: number; formula: string }[];
  /** A model of the premises in which the conclusion is false (when not entailed). */
  counterModel?: GroundModel;
  /** A solver answered unknown or timed out, so Uncertain may hide a real verdict. */
  undecided: boolean;
  reports: SolverReport[];
  ms: number;
}

export type EntailmentOptions = Pick<SolveOptions, 'timeoutMs' | 'solvers' | 'crossCheck'>;

function assertClassical(fs: readonly Formula[]): void {
  for (const f of fs) {
    if (isModal(f)) throw new UnsupportedFormulaError(`modal formula in a classical check (use checkModal): ${formulaToString(f)}`);
  }
}

export async function checkEntailment(
  premises: readonly Formula[],
  conclusion: Formula,
  opts: EntailmentOptions = {},
): Promise<EntailmentResult> {
  assertClassical([...premises, conclusion]);
  const t0 = Date.now();
  const all = [...premises, conclusion];
  const model = groundModelQuery(all);
  const refute = renderProblem([...premises, not(conclusion)]);
  const a = await solve(refute.script, { ...opts, onSat: model.commands || undefined });
  const base = { solvers: solverNote(), reports: [...a.reports] };

  const b = await solve(renderProblem([...premises, conclusion]).script, opts);
  base.reports.push(...b.reports);
  const undecided = a.status === 'unknown' || b.status === 'unknown';

  if (a.status === 'unsat' && b.status === 'unsat') {
    const p = renderProblem(premises);
    const c = await solve(p.script, { ...opts, onUnsat: '(get-unsat-core)' });
    base.reports.push(...c.reports);
    const core = c.followUp ? readCore(c.followUp) : [];
    const unsatCore = core
      .map((n) => p.names.indexOf(n))
      .filter((i) => i >= 0)
      .map((index) => ({ index, formula: formulaToString(premises[index]) }));
    return { ...base, answer: 'Uncertain', solver: c.winner, inconsistent: true, unsatCore, undecided, ms: Date.now() - t0 };
  }
  const counterModel = a.status === 'sat' && a.followUp ? model.read(a.followUp) : undefined;
  if (a.status === 'unsat') return { ...base, answer: 'True', solver: a.winner, inconsistent: false, undecided, ms: Date.now() - t0 };
  if (b.status === 'unsat') {
    return { ...base, answer: 'False', solver: b.winner, inconsistent: false, counterModel, undecided, ms: Date.now() - t0 };
  }
  return { ...base, answer: 'Uncertain', solver: a.winner ?? b.winner, inconsistent: false, counterModel, undecided, ms: Date.now() - t0 };
}

/** Satisfiability of a set of classical formulas (a consistency check), with a core when not. */
export async function checkConsistency(
  formulas: readonly Formula[],
  opts: EntailmentOptions = {},
): Promise<{ consistent: boolean | null; unsatCore: number[]; model?: GroundModel; solver: SolverName | null }> {
  assertClassical(formulas);
  const p = renderProblem(formulas);
  const q = groundModelQuery(formulas);
  const r = await solve(p.script, { ...opts, onUnsat: '(get-unsat-core)', onSat: q.commands || undefined });
  if (r.status === 'unknown') return { consistent: null, unsatCore: [], solver: null };
  if (r.status === 'sat') return { consistent: true, unsatCore: [], model: r.followUp ? q.read(r.followUp) : undefined, solver: r.winner };
  const core = r.followUp ? readCore(r.followUp).map((n) => p.names.indexOf(n)).filter((i) => i >= 0) : [];
  return { consistent: false, unsatCore: core, solver: r.winner };
}
