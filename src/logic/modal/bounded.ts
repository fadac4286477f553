/**
 * Countermodel search over a fixed number of worlds as a purely propositional problem: one
 * Boolean per accessibility pair and per atom at each world, and one definition per
 * (sub-formula, world), so □ at world i is a conjunction over the n worlds, with no
 * quantifiers left for the solver to instantiate. Frame conditions become clauses.
 *
 * A model of n worlds may repeat a world (two indices with the same valuation and
 * successors); that is still a Kripke model of that frame class, and any countermodel can be
 * padded to more worlds by such copies, so "a countermodel with n worlds" and "with at most
 * n worlds" coincide. Unsat at n therefore means no countermodel of size ≤ n.
 */
import type { Formula } from '../ast';
import { UnsupportedFormulaError } from '../errors';
import { internalSymbol, quote, renderConnective } from '../smt/render';
import type { ModalLogic } from './frames';
import { FRAME_CONDITIONS } from './frames';
import type { PremiseMode } from './encode';
import { atomKey } from './kripke';

export interface BoundedEncoding {
  script: string;
  /** get-value query for every relation pair and atom, in the order `read` expects. */
  query: string;
  relation: [number, number][];
  atoms: { world: number; key: string }[];
}

const rel = (i: number, j: number): string => internalSymbol(`R${i}_${j}`);
const atomVar = (key: string, i: number): string => quote(`${key}@${i}`);

/** Quantifier- and equality-free modal formulas only (checked by the caller). */
export function encodeBounded(
  premises: readonly Formula[],
  conclusion: Formula,
  logic: ModalLogic,
  mode: PremiseMode,
  n: number,
): BoundedEncoding {
  const lines = ['(set-logic QF_UF)'];
  const worlds = Array.from({ length: n }, (_, i) => i);
  const conds = FRAME_CONDITIONS[logic];
  const universal = logic === 'S5'; // S5 validity = validity on universal frames
  const R = (i: number, j: number): string => (universal ? 'true' : rel(i, j));
  const relation: [number, number][] = worlds.flatMap((i) => worlds.map((j): [number, number] => [i, j]));
  if (!universal) {
    for (const [i, j] of relation) lines.push(`(declare-const ${rel(i, j)} Bool)`);
    for (const i of worlds) {
      if (conds.includes('reflexive')) lines.push(`(assert ${rel(i, i)})`);
      if (conds.includes('serial')) lines.push(`(assert (or ${worlds.map((j) => rel(i, j)).join(' ')}))`);
      for (const j of worlds) {
        if (conds.includes('symmetric') && i < j) lines.push(`(assert (= ${rel(i, j)} ${rel(j, i)}))`);
        if (conds.includes('transitive'))
          for (const k of worlds) if (i !== j && j !== k) lines.push(`(assert (=> (and ${rel(i, j)} ${rel(j, k)}) ${rel(i, k)}))`);
      }
    }
  }
  const atoms = new Map<string, true>();
  const ids = new Map<Formula, number>();
  const defs: string[] = [];
  // One definition per (sub-formula node, world); children are defined before their parent.
  const at = (f: Formula, i: number): string => {
    let id = ids.get(f);
    if (id === undefined) {
      id = ids.size;
      ids.set(f, id);
      for (const w of worlds) defs.push(`(define-fun ${internalSymbol(`f${id}_${w}`)} () Bool ${body(f, w)})`);
    }
    return internalSymbol(`f${id}_${i}`);
  };
  const body = (f: Formula, i: number): string => {
    const connective = renderConnective(f, (g) => at(g, i));
    if (connective !== null) return connective;
    switch (f.kind) {
      case 'pred': {
        const key = atomKey(f.name, f.args);
        if (!atoms.has(key)) {
          atoms.set(key, true);
          for (const w of worlds) lines.push(`(declare-const ${atomVar(key, w)} Bool)`);
        }
        return atomVar(key, i);
      }
      case 'box':
        return `(and true ${worlds.map((j) => `(=> ${R(i, j)} ${at(f.arg, j)})`).join(' ')})`;
      case 'dia':
        return `(or false ${worlds.map((j) => `(and ${R(i, j)} ${at(f.arg, j)})`).join(' ')})`;
      default:
        throw new UnsupportedFormulaError(`the propositional Kripke encoding takes no ${f.kind}`);
    }
  };
  const asserts: string[] = [];
  for (const p of premises) {
    if (mode === 'global') for (const w of worlds) asserts.push(`(assert ${at(p, w)})`);
    else asserts.push(`(assert ${at(p, 0)})`);
  }
  asserts.push(`(assert (not ${at(conclusion, 0)}))`);
  const atomList = [...atoms.keys()].sort().flatMap((key) => worlds.map((world) => ({ world, key })));
  const shownRelation = universal ? [] : relation;
  const terms = [...shownRelation.map(([i, j]) => rel(i, j)), ...atomList.map((a) => atomVar(a.key, a.world))];
  return {
    script: [...lines, ...defs, ...asserts].join('\n'),
    query: terms.length ? `(get-value (${terms.join(' ')}))` : '',
    relation: shownRelation,
    atoms: atomList,
  };
}
