/**
 * Defeasible reasoning with prioritised defaults. Facts are hard; each default is a soft
 * constraint with a priority, and a default with a leading ∀ stands for its ground instances
 * over the named individuals, so one exception defeats one instance, not the whole rule. Z3's Optimize (assert-soft, lexicographic over priority levels) keeps
 * as many defaults as it can, higher priorities first; the instances it drops are reported as
 * defeated. The query is then decided classically from the facts and the surviving defaults.
 * Optimize is Z3's alone (cvc5 has no assert-soft), so this runs in Z3 only.
 */
import type { Formula } from './ast';
import { c, signatureOf, substitute } from './ast';
import type { EntailmentResult } from './classical';
import { checkEntailment } from './classical';
import { tuples } from './model';
import { formulaToString } from './print';
import { internalSymbol, renderDeclarations, renderFormula } from './smt/render';
import { readSExprs } from './smt/sexpr';
import { solve } from './smt/portfolio';
import { SolverError } from './errors';

export interface Default {
  name: string;
  /** A closed formula; a leading ∀ block is grounded over the named individuals. */
  formula: Formula;
  /** Higher wins: no number of lower-priority defaults outweighs one of a higher priority. */
  priority: number;
}

export interface DefeasibleTheory {
  facts: readonly Formula[];
  defaults: readonly Default[];
}

export interface DefaultInstance {
  default: string;
  /** Variable → individual for a grounded instance ({} for a closed default). */
  binding: Record<string, string>;
  formula: string;
}

export interface DefeasibleResult {
  /** The query from the facts and the defaults that survive: True, False or Uncertain. */
  answer: EntailmentResult['answer'];
  defeated: DefaultInstance[];
  applied: DefaultInstance[];
  /** The facts alone are inconsistent: no default can help, nothing is concluded. */
  inconsistentFacts: boolean;
  entailment: EntailmentResult | null;
  ms: number;
}

/** The ground instances of a default over the individuals (itself when nothing to ground). */
export function groundDefault(d: Default, individuals: readonly string[]): { binding: Record<string, string>; formula: Formula }[] {
  let body = d.formula;
  const vars: string[] = [];
  while (body.kind === 'forall') {
    vars.push(...body.vars);
    body = body.body;
  }
  if (vars.length === 0 || individuals.length === 0) return [{ binding: {}, formula: d.formula }];
  return tuples(individuals, vars.length).map((args) => ({
    binding: Object.fromEntries(vars.map((x, i) => [x, args[i]])),
    formula: substitute(body, new Map(vars.map((x, i) => [x, c(args[i])]))),
  }));
}

export async function checkDefeasible(
  theory: DefeasibleTheory,
  query: Formula,
  opts: { timeoutMs?: number } = {},
): Promise<DefeasibleResult> {
  const t0 = Date.now();
  const individuals = [...signatureOf([...theory.facts, ...theory.defaults.map((d) => d.formula), query]).constants].sort();
  const instances = theory.defaults
    .map((d, i) => ({ d, i }))
    // Highest priority first: Z3 optimises lexicographically in the order objectives appear.
    .sort((a, b) => b.d.priority - a.d.priority || a.i - b.i)
    .flatMap(({ d }) => groundDefault(d, individuals).map((g) => ({ d, ...g })));
  const sel = instances.map((_, k) => internalSymbol(`d${k}`));
  const lines = [
    '(set-option :opt.priority lex)',
    '(set-logic ALL)',
    '(declare-sort U 0)',
    ...renderDeclarations([...theory.facts, ...instances.map((x) => x.formula), query]),
    ...theory.facts.map((f) => `(assert ${renderFormula(f)})`),
    ...sel.map((s, k) => `(declare-const ${s} Bool)\n(assert (=> ${s} ${renderFormula(instances[k].formula)}))`),
    ...sel.map((s, k) => `(assert-soft ${s} :weight 1 :id ${internalSymbol(`p${instances[k].d.priority}`)})`),
  ];
  const r = await solve(lines.join('\n'), {
    solvers: ['z3'],
    timeoutMs: opts.timeoutMs,
    onSat: sel.length ? `(get-value (${sel.join(' ')}))` : undefined,
  });
  const describe = (k: number): DefaultInstance => ({
    default: instances[k].d.name,
    binding: instances[k].binding,
    formula: formulaToString(instances[k].formula),
  });
  if (r.status === 'unsat') {
    return { answer: 'Uncertain', defeated: [], applied: [], inconsistentFacts: true, entailment: null, ms: Date.now() - t0 };
  }
  if (r.status !== 'sat') throw new SolverError(`defeasible optimisation gave no answer within the time limit (${r.status})`);
  const values = r.followUp ? readSExprs(r.followUp).find(Array.isArray) ?? [] : [];
  const kept = sel.map((_, k) => {
    const pair = values[k];
    return Array.isArray(pair) && pair[1] === 'true';
  });
  const applied = instances.flatMap((_, k) => (kept[k] ? [k] : []));
  const entailment = await checkEntailment([...theory.facts, ...applied.map((k) => instances[k].formula)], query, { timeoutMs: opts.timeoutMs });
  return {
    answer: entailment.answer,
    defeated: instances.flatMap((_, k) => (kept[k] ? [] : [describe(k)])),
    applied: applied.map(describe),
    inconsistentFacts: false,
    entailment,
    ms: Date.now() - t0,
  };
}
