/**
 * Paraconsistent entailment in Belnap–Dunn four-valued logic (FDE): each atom is told true,
 * told false, both, or neither. A formula φ is encoded by two classical formulas, `pos(φ)`
 * (φ is at least true) and `neg(φ)` (φ is at least false), over a positive and a negative copy
 * of every predicate; the two copies are independent, which is what lets P and ¬P hold
 * together without everything following. Premises ⊢ conclusion holds when every valuation
 * that makes all premises at least true makes the conclusion at least true, i.e. when the
 * classical problem pos(premises) ∧ ¬pos(conclusion) is unsatisfiable. → is material
 * (¬A ∨ B), as in FDE; equality stays classical.
 *
 * With `values: 'LP'` (Priest's logic of paradox) every atom is also told true or told false
 * (a glut is allowed, a gap is not), so excluded middle holds while explosion still fails.
 */
import type { Formula } from './ast';
import { and, exists, forall, not, or, signatureOf } from './ast';
import { UnsupportedFormulaError } from './errors';
import { groundModelQuery } from './model';
import { formulaToString } from './print';
import { renderProblem } from './smt/render';
import type { SolveOptions } from './smt/portfolio';
import { solve } from './smt/portfolio';
import type { SolverName } from './smt/session';

export type Belnap = 'true' | 'false' | 'both' | 'neither';

// The copies get names no parsed predicate can have (the parser never yields `+`/`-` in names).
const POS = (name: string): string => `${name}+`;
const NEG = (name: string): string => `${name}-`;

/** φ is at least true (told true). */
export function pos(f: Formula): Formula {
  switch (f.kind) {
    case 'true':
    case 'false':
    case 'eq':
      return f;
    case 'pred':
      return { ...f, name: POS(f.name) };
    case 'not':
      return neg(f.arg);
    case 'and':
      return and(...f.args.map(pos));
    case 'or':
      return or(...f.args.map(pos));
    case 'implies':
      return or(neg(f.left), pos(f.right));
    case 'iff':
      return and(or(neg(f.left), pos(f.right)), or(neg(f.right), pos(f.left)));
    case 'xor':
      return or(and(pos(f.left), neg(f.right)), and(neg(f.left), pos(f.right)));
    case 'forall':
      return forall([...f.vars], pos(f.body));
    case 'exists':
      return exists([...f.vars], pos(f.body));
    case 'box':
    case 'dia':
      throw new UnsupportedFormulaError(`modal formula in a four-valued check: ${formulaToString(f)}`);
  }
}

/** φ is at least false (told false). */
export function neg(f: Formula): Formula {
  switch (f.kind) {
    case 'true':
      return { kind: 'false' };
    case 'false':
      return { kind: 'true' };
    case 'eq':
      return not(f);
    case 'pred':
      return { ...f, name: NEG(f.name) };
    case 'not':
      return pos(f.arg);
    case 'and':
      return or(...f.args.map(neg));
    case 'or':
      return and(...f.args.map(neg));
    case 'implies':
      return and(pos(f.left), neg(f.right));
    case 'iff':
      return or(and(pos(f.left), neg(f.right)), and(pos(f.right), neg(f.left)));
    case 'xor':
      return and(or(neg(f.left), pos(f.right)), or(neg(f.right), pos(f.left)));
    case 'forall':
      return exists([...f.vars], neg(f.body));
    case 'exists':
      return forall([...f.vars], neg(f.body));
    case 'box':
    case 'dia':
      throw new UnsupportedFormulaError(`modal formula in a four-valued check: ${formulaToString(f)}`);
  }
}

export interface ParaconsistentResult {
  /** true: entailed in FDE; false: a four-valued countermodel exists; null: undecided. */
  entailed: boolean | null;
  /** Ground atom → Belnap value, in a valuation where the premises hold and the conclusion does not. */
  countermodel?: Record<string, Belnap>;
  /** Atoms that are both true and false in the countermodel: the contradictions it tolerates. */
  gluts?: string[];
  solver: SolverName | null;
  ms: number;
}

function belnap(t: boolean, f: boolean): Belnap {
  return t ? (f ? 'both' : 'true') : f ? 'false' : 'neither';
}

/** FDE: four values (gaps and gluts); LP: three (gluts, no gaps). */
export type ParaconsistentLogic = 'FDE' | 'LP';

export async function checkParaconsistent(
  premises: readonly Formula[],
  conclusion: Formula,
  opts: Pick<SolveOptions, 'timeoutMs' | 'solvers'> & { values?: ParaconsistentLogic } = {},
): Promise<ParaconsistentResult> {
  const t0 = Date.now();
  // Both copies of every atom are mentioned (as tautologies) so each gets declared and a value.
  const copies = [...signatureOf([...premises, conclusion]).predicates].flatMap(([name, arities]) =>
    [...arities].flatMap((k) => {
      const vars = Array.from({ length: k }, (_, i) => `x${i}`);
      const args = vars.map((n) => ({ kind: 'var' as const, name: n }));
      const mention = [POS(name), NEG(name)].map((copy): Formula => {
        const a: Formula = { kind: 'pred', name: copy, args };
        return vars.length ? forall(vars, or(a, not(a))) : or(a, not(a));
      });
      if (opts.values !== 'LP') return mention;
      const noGap = or({ kind: 'pred', name: POS(name), args }, { kind: 'pred', name: NEG(name), args });
      return [...mention, vars.length ? forall(vars, noGap) : noGap];
    }),
  );
  const problem = [...premises.map(pos), not(pos(conclusion)), ...copies];
  const query = groundModelQuery(problem);
  const r = await solve(renderProblem(problem).script, { timeoutMs: opts.timeoutMs, solvers: opts.solvers, onSat: query.commands || undefined });
  const ms = Date.now() - t0;
  if (r.status === 'unsat') return { entailed: true, solver: r.winner, ms };
  if (r.status === 'unknown') return { entailed: null, solver: null, ms };
  const atoms = r.followUp ? query.read(r.followUp).atoms : {};
  const countermodel: Record<string, Belnap> = {};
  for (const name of signatureOf([...premises, conclusion]).predicates.keys()) {
    for (const key of Object.keys(atoms)) {
      if (key !== POS(name) && !key.startsWith(`${POS(name)}(`)) continue;
      const args = key.slice(POS(name).length);
      countermodel[`${name}${args}`] = belnap(atoms[key], atoms[`${NEG(name)}${args}`] ?? false);
    }
  }
  const gluts = Object.keys(countermodel).filter((k) => countermodel[k] === 'both');
  return { entailed: false, countermodel, gluts, solver: r.winner, ms };
}
