/**
 * How many worlds a countermodel needs at most, when that is known to be small. If none
 * exists up to this size, none exists at all, so an unsat bounded search at the bound is a
 * proof of validity. Each bound is a textbook finite-model-property argument:
 *
 * - K, D, T, S4, local or global premises: filtration through the sub-formulas Σ keeps the
 *   frame conditions (smallest filtration for K, D, T; transitive filtration for S4) and
 *   gives at most 2^|Σ| worlds;
 * - S5: a countermodel is a cluster; keep the actual world and one witness per modal
 *   sub-formula (for ◇ψ true there, or □ψ false there): every sub-formula keeps its value
 *   at every kept world, so 1 + m worlds suffice (m = number of distinct modal sub-formulas);
 * - K, D, T with local premises: unravel to a tree, keep one child per modal sub-formula (one
 *   more for D, so no node loses its successor), cut at the modal depth d (leaves get a
 *   self-loop in D and T, which no formula of depth 0 can see): Σ_{k≤d} b^k worlds.
 */
import type { Formula } from '../ast';
import { children } from '../ast';
import { formulaToString } from '../print';
import type { ModalLogic } from './frames';
import type { PremiseMode } from './encode';

function subformulas(fs: readonly Formula[]): Map<string, Formula> {
  const out = new Map<string, Formula>();
  const walk = (f: Formula): void => {
    const key = formulaToString(f);
    if (out.has(key)) return;
    out.set(key, f);
    children(f).forEach(walk);
  };
  fs.forEach(walk);
  return out;
}

export function modalDepth(f: Formula): number {
  const inner = Math.max(0, ...children(f).map(modalDepth));
  return f.kind === 'box' || f.kind === 'dia' ? inner + 1 : inner;
}

/** The bound, or null when every known bound is above `cap`. */
export function finiteModelBound(
  premises: readonly Formula[],
  conclusion: Formula,
  logic: ModalLogic,
  mode: PremiseMode,
  cap: number,
): number | null {
  const all = [...premises, conclusion];
  const sub = subformulas(all);
  const m = [...sub.values()].filter((f) => f.kind === 'box' || f.kind === 'dia').length;
  const bounds: number[] = [];
  if (sub.size < 31 && logic !== 'B' && logic !== 'KB' && logic !== 'S5') bounds.push(2 ** sub.size);
  if (logic === 'S5') bounds.push(1 + m);
  if (mode === 'local' && (logic === 'K' || logic === 'D' || logic === 'T')) {
    const b = logic === 'D' ? m + 1 : m;
    const d = Math.max(...all.map(modalDepth));
    let total = 0;
    for (let k = 0, layer = 1; k <= d && total <= cap; k++, layer *= b) total += layer;
    bounds.push(total);
  }
  const best = Math.min(...bounds);
  return Number.isFinite(best) && best <= cap ? Math.max(1, best) : null;
}
