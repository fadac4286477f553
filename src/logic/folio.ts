/**
 * FOLIO ground truth: decide every example from its gold FOL annotation and compare with the
 * gold label. FOLIO v0.0 annotations contain slips (an unbalanced parenthesis, a comma or a
 * missing connective between atoms, a name with a space); `repairFolioFormula` fixes those
 * few by fixed rules driven by the parser's error, and every fix is reported, never silent.
 */
import { readFileSync } from 'node:fs';
import type { Formula } from './ast';
import type { EntailmentOptions, Verdict } from './classical';
import { checkEntailment } from './classical';
import { FormulaParseError } from './errors';
import { parseFormula } from './parser';

export interface FolioExample {
  id?: string | number;
  premisesFol: string[];
  conclusionFol?: string;
  label?: Verdict;
}

export interface Repaired {
  formula: Formula;
  /** What was changed to make the annotation parse (empty when it parsed as written). */
  repairs: string[];
}

const MAX_REPAIRS = 6;

/** Parses a FOLIO annotation, applying the documented repairs; throws when none applies. */
export function repairFolioFormula(text: string): Repaired {
  const repairs: string[] = [];
  let t = text;
  for (;;) {
    try {
      return { formula: parseFormula(t), repairs };
    } catch (e) {
      if (!(e instanceof FormulaParseError) || repairs.length >= MAX_REPAIRS || !t.trim()) throw e;
      const at = e.position;
      if (e.expected === 'end of formula' && e.found === ')') {
        t = `(${t}`;
        repairs.push(`unmatched ')' at ${at}: opened a '(' at the start`);
      } else if (e.expected === "')'" && e.found === '') {
        t = `${t.trimEnd()})`;
        repairs.push("unclosed '(': closed it at the end");
      } else if (e.expected === "')'" && e.found === ',') {
        t = `${t.slice(0, at)} ∧${t.slice(at + 1)}`;
        repairs.push(`',' between formulas at ${at}: read as ∧`);
      } else if (e.expected === "')' or ','" && /^[\p{L}\p{N}_]/u.test(e.found) && /\s$/.test(t.slice(0, at))) {
        const start = t.slice(0, at).trimEnd().length;
        t = `${t.slice(0, start)}_${t.slice(at)}`;
        repairs.push(`name with a space at ${at}: joined with '_'`);
      } else if (e.expected === "')'" && /^[\p{L}\p{N}_¬∀∃(]/u.test(e.found)) {
        t = `${t.slice(0, at)}∧ ${t.slice(at)}`;
        repairs.push(`missing connective at ${at}: read as ∧`);
      } else throw e;
    }
  }
}

function asLabel(x: unknown): Verdict | undefined {
  return x === 'True' || x === 'False' || x === 'Uncertain' ? x : undefined;
}

export function readFolioFile(path: string): FolioExample[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((line, i) => {
      const o = JSON.parse(line) as Record<string, unknown>;
      const id = (o.example_id ?? o.id ?? i) as string | number;
      return {
        id,
        premisesFol: (o['premises-FOL'] ?? []) as string[],
        conclusionFol: o['conclusion-FOL'] as string | undefined,
        label: asLabel(o.label),
      };
    });
}

export interface FolioDisagreement {
  id?: string | number;
  expected: Verdict | null;
  got: Verdict | 'error';
  reason: string;
}

export interface FolioReport {
  total: number;
  agree: number;
  disagreements: FolioDisagreement[];
  /** Examples whose annotation needed a repair to parse, with the repairs. */
  repaired: { id?: string | number; repairs: string[] }[];
  ms: number;
}

function explain(r: Awaited<ReturnType<typeof checkEntailment>>): string {
  if (r.inconsistent) return `premises inconsistent (core: ${r.unsatCore?.map((c) => c.formula).join('; ')})`;
  if (r.undecided) return 'a solver answered unknown or timed out';
  if (r.answer === 'True') return 'the conclusion is entailed by the gold premises';
  if (r.answer === 'False') return 'the negation of the conclusion is entailed by the gold premises';
  const atoms = r.counterModel ? Object.entries(r.counterModel.atoms).filter(([, v]) => v).map(([k]) => k) : [];
  return `neither the conclusion nor its negation is entailed; countermodel true atoms: ${atoms.slice(0, 12).join(', ') || '(none)'}`;
}

export async function runFolio(examples: readonly FolioExample[], opts: EntailmentOptions = {}): Promise<FolioReport> {
  const t0 = Date.now();
  const report: FolioReport = { total: 0, agree: 0, disagreements: [], repaired: [], ms: 0 };
  for (const ex of examples) {
    if (ex.conclusionFol === undefined) continue; // train-style rows carry no conclusion FOL
    report.total++;
    const expected = ex.label ?? null;
    try {
      const parsed = [...ex.premisesFol, ex.conclusionFol].map(repairFolioFormula);
      const repairs = parsed.flatMap((p) => p.repairs);
      if (repairs.length) report.repaired.push({ id: ex.id, repairs });
      const formulas = parsed.map((p) => p.formula);
      const r = await checkEntailment(formulas.slice(0, -1), formulas[formulas.length - 1], opts);
      if (r.answer === expected && !r.undecided) report.agree++;
      else report.disagreements.push({ id: ex.id, expected, got: r.answer, reason: explain(r) });
    } catch (e) {
      report.disagreements.push({ id: ex.id, expected, got: 'error', reason: (e as Error).message });
    }
  }
  report.ms = Date.now() - t0;
  return report;
}
