/**
 * Microtheories: named theory contexts, each with its own axioms, over a shared vocabulary
 * and shared background facts. A claim is checked against each theory separately; two
 * theories are checked for joint consistency (with the axioms that clash, from the unsat
 * core); and the maximal consistent subsets of a set of theories are enumerated.
 */
import type { Formula } from './ast';
import type { EntailmentOptions, Verdict } from './classical';
import { checkConsistency, checkEntailment } from './classical';
import { SolverError } from './errors';
import { parseFormula } from './parser';
import { formulaToString } from './print';
import { internalSymbol, renderDeclarations, renderFormula } from './smt/render';
import { readStatus } from './smt/session';
import { openZ3Session } from './smt/z3wasm';
import { readSExprs } from './smt/sexpr';

export interface Axiom {
  label: string;
  formula: Formula;
}

export interface Microtheory {
  name: string;
  description: string;
  axioms: Axiom[];
}

/** A theory from labelled formula texts. */
export function microtheory(name: string, description: string, axioms: Record<string, string>): Microtheory {
  return { name, description, axioms: Object.entries(axioms).map(([label, text]) => ({ label, formula: parseFormula(text) })) };
}

export interface TheoryVerdict {
  theory: string;
  answer: Verdict;
  /** The theory (with the background) is itself inconsistent: it decides nothing. */
  inconsistent: boolean;
}

/** The claim's verdict (True / False / Uncertain) in each theory, with the background. */
export async function checkClaimPerTheory(
  theories: readonly Microtheory[],
  claim: Formula,
  background: readonly Formula[] = [],
  opts: EntailmentOptions = {},
): Promise<TheoryVerdict[]> {
  const out: TheoryVerdict[] = [];
  for (const t of theories) {
    const r = await checkEntailment([...background, ...t.axioms.map((a) => a.formula)], claim, opts);
    out.push({ theory: t.name, answer: r.answer, inconsistent: r.inconsistent });
  }
  return out;
}

export interface ConflictPart {
  /** Theory name, or 'background'. */
  source: string;
  label: string;
  formula: string;
}

export interface ConsistencyResult {
  consistent: boolean | null;
  /** When inconsistent: the axioms (and background facts) that cannot all hold. */
  conflict: ConflictPart[];
}

/** Joint consistency of theories (usually two) with the background. */
export async function crossTheoryConsistency(
  theories: readonly Microtheory[],
  background: readonly Formula[] = [],
  opts: EntailmentOptions = {},
): Promise<ConsistencyResult> {
  const parts: ConflictPart[] = [
    ...background.map((f, i) => ({ source: 'background', label: `b${i}`, formula: formulaToString(f) })),
    ...theories.flatMap((t) => t.axioms.map((a) => ({ source: t.name, label: a.label, formula: formulaToString(a.formula) }))),
  ];
  const formulas = [...background, ...theories.flatMap((t) => t.axioms.map((a) => a.formula))];
  const r = await checkConsistency(formulas, opts);
  return { consistent: r.consistent, conflict: r.consistent === false ? r.unsatCore.map((i) => parts[i]) : [] };
}

/**
 * Every maximal subset of the theories that is consistent with the background, by the
 * usual seed-grow-block loop in one incremental Z3 session: a selector s_i switches theory i
 * on; a model of the blocking clauses seeds a set, which is grown to maximal one theory at a
 * time with check-sat-assuming, then blocked (some theory outside it must be on next time).
 */
export async function maximalConsistentSubsets(
  theories: readonly Microtheory[],
  background: readonly Formula[] = [],
  opts: { timeoutMs?: number } = {},
): Promise<string[][]> {
  const sel = theories.map((_, i) => internalSymbol(`s${i}`));
  const all = [...background, ...theories.flatMap((t) => t.axioms.map((a) => a.formula))];
  const session = await openZ3Session(opts.timeoutMs ?? 10000);
  const check = async (cmd: string): Promise<boolean> => {
    const status = readStatus(await session.run(cmd));
    if (status === 'unknown' || status === null) throw new SolverError(`consistency undecided while enumerating maximal consistent subsets`);
    return status === 'sat';
  };
  try {
    await session.run(
      [
        '(set-logic ALL)',
        '(declare-sort U 0)',
        ...renderDeclarations(all),
        ...background.map((f) => `(assert ${renderFormula(f)})`),
        ...theories.map((t, i) => `(declare-const ${sel[i]} Bool)\n(assert (=> ${sel[i]} (and true ${t.axioms.map((a) => renderFormula(a.formula)).join(' ')})))`),
      ].join('\n'),
    );
    const found: number[][] = [];
    while (await check('(check-sat)')) {
      const values = readSExprs(await session.run(`(get-value (${sel.join(' ')}))`)).find(Array.isArray) ?? [];
      const set = sel.flatMap((_, i) => {
        const pair = values[i];
        return Array.isArray(pair) && pair[1] === 'true' ? [i] : [];
      });
      for (let i = 0; i < theories.length; i++) {
        if (set.includes(i)) continue;
        if (await check(`(check-sat-assuming (${[...set, i].map((k) => sel[k]).join(' ')}))`)) set.push(i);
      }
      set.sort((a, b) => a - b);
      found.push(set);
      const outside = sel.filter((_, i) => !set.includes(i));
      if (outside.length === 0) break;
      await session.run(`(assert (or ${outside.join(' ')}))`);
    }
    return found.map((s) => s.map((i) => theories[i].name));
  } finally {
    session.close();
  }
}
