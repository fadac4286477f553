/**
 * FOLIO ground truth: decide every example from its gold FOL annotation and compare with the
 * gold label. FOLIO v0.0 annotations contain slips (an unbalanced parenthesis, a comma or a
 * missing connective between atoms, a name with a space); `repairFolioFormula` fixes those
 * few by fixed rules driven by the parser's error, and every fix is reported, never silent.
 *
 * One bad entry never sinks a run: a line that is not a JSON object, a field of the wrong
 * type, an entry without a conclusion or a label, a formula that does not parse — each is
 * reported in `skipped` with its line and why, never scored, and the run goes on.
 */
import { readFileSync } from 'node:fs';
import type { Formula } from './ast';
import { isModal } from './ast';
import type { EntailmentOptions, Verdict } from './classical';
import { checkEntailment } from './classical';
import { FormulaParseError } from './errors';
import { parseFormula } from './parser';

export interface FolioExample {
  id?: string | number;
  premisesFol: string[];
  conclusionFol?: string;
  label?: Verdict;
  /** 1-based line of the file the example was read from. */
  line?: number;
  /** Why the entry cannot be scored, when its line could not be read as an example. */
  invalid?: string;
}

/** An entry that was not scored, and why. */
export interface FolioSkipped {
  /** 1-based line in the file, when read from one. */
  line?: number;
  id?: string | number;
  reason: string;
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

// FOLIO's train split writes Unknown where the validation split writes Uncertain.
const LABELS: Record<string, Verdict> = { True: 'True', False: 'False', Uncertain: 'Uncertain', Unknown: 'Uncertain' };

/** What a JSON value is, in the words of a report: `null`, `an array`, `a number`, … */
function describeJson(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  return typeof x === 'object' ? 'an object' : `a ${typeof x}`;
}

/** One JSON line as an example; a malformed field makes it `invalid`, with the field named. */
function folioExample(text: string, line: number, ordinal: number): FolioExample {
  const bad = (invalid: string, id?: string | number): FolioExample => ({ id, premisesFol: [], line, invalid });
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    return bad(`malformed JSON: ${(e as Error).message}`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return bad(`expected a JSON object, found ${describeJson(o)}`);
  const r = o as Record<string, unknown>;
  const rawId = r.example_id ?? r.id;
  const id = typeof rawId === 'string' || typeof rawId === 'number' ? rawId : ordinal;
  const premises = r['premises-FOL'] ?? [];
  if (!Array.isArray(premises)) return bad(`premises-FOL is ${describeJson(premises)}, expected an array of strings`, id);
  const nonString = premises.findIndex((p) => typeof p !== 'string');
  if (nonString >= 0) return bad(`premises-FOL[${nonString}] is ${describeJson(premises[nonString])}, expected a string`, id);
  const conclusion = r['conclusion-FOL'];
  if (conclusion !== undefined && typeof conclusion !== 'string') return bad(`conclusion-FOL is ${describeJson(conclusion)}, expected a string`, id);
  const label = r.label;
  if (label !== undefined && (typeof label !== 'string' || !Object.hasOwn(LABELS, label))) {
    return bad(`label is ${typeof label === 'string' ? JSON.stringify(label) : describeJson(label)}, expected True, False or Uncertain`, id);
  }
  return { id, premisesFol: premises as string[], conclusionFol: conclusion, label: label === undefined ? undefined : LABELS[label], line };
}

/**
 * Every non-blank line of a FOLIO-format JSONL file, in order; a line that cannot be read as
 * an example comes back with `invalid` set (and is skipped by runFolio), so none is lost.
 */
export function readFolioFile(path: string): FolioExample[] {
  const lines = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').split('\n');
  const out: FolioExample[] = [];
  lines.forEach((text, i) => {
    if (text.trim()) out.push(folioExample(text, i + 1, out.length));
  });
  return out;
}

/** Why an example cannot be scored (also for examples built in code rather than read), or null. */
function unscorable(ex: FolioExample): string | null {
  if (ex.invalid !== undefined) return ex.invalid;
  if (!Array.isArray(ex.premisesFol)) return `premises are ${describeJson(ex.premisesFol)}, expected an array of strings`;
  const nonString = ex.premisesFol.findIndex((p) => typeof p !== 'string');
  if (nonString >= 0) return `premise ${nonString + 1} is ${describeJson(ex.premisesFol[nonString])}, expected a string`;
  if (ex.conclusionFol === undefined) return 'no conclusion-FOL';
  if (typeof ex.conclusionFol !== 'string') return `conclusion-FOL is ${describeJson(ex.conclusionFol)}, expected a string`;
  if (ex.label === undefined) return 'no label to compare with';
  if (!Object.values(LABELS).includes(ex.label)) return `label is ${JSON.stringify(ex.label)}, expected True, False or Uncertain`;
  return null;
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
  /** Entries that were not scored (not in `total`), each with its line and why. */
  skipped: FolioSkipped[];
  ms: number;
}

type Parsed = { ok: true; formulas: Formula[]; repairs: string[] } | { ok: false; reason: string };

/** The premises and the conclusion, repaired where a documented repair applies; else why not. */
function parseExample(premises: readonly string[], conclusion: string): Parsed {
  const texts = [...premises, conclusion];
  const formulas: Formula[] = [];
  const repairs: string[] = [];
  for (const [k, text] of texts.entries()) {
    const which = k < premises.length ? `premise ${k + 1}` : 'the conclusion';
    try {
      const r = repairFolioFormula(text);
      formulas.push(r.formula);
      repairs.push(...r.repairs);
    } catch (e) {
      if (!(e instanceof FormulaParseError)) throw e;
      return { ok: false, reason: text.trim() ? `${which} does not parse: ${e.reason} at position ${e.position}` : `${which} is empty` };
    }
    // FOLIO is first-order: a modal operator is not an annotation the classical check can read.
    if (isModal(formulas[k])) return { ok: false, reason: `${which} has a modal operator (□/◇); FOLIO is first-order` };
  }
  return { ok: true, formulas, repairs };
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
  const report: FolioReport = { total: 0, agree: 0, disagreements: [], repaired: [], skipped: [], ms: 0 };
  const skip = (ex: FolioExample, reason: string): void => {
    report.skipped.push({ ...(ex.line !== undefined && { line: ex.line }), ...(ex.id !== undefined && { id: ex.id }), reason });
  };
  for (const ex of examples) {
    const why = unscorable(ex);
    if (why !== null) {
      skip(ex, why);
      continue;
    }
    const parsed = parseExample(ex.premisesFol, ex.conclusionFol!);
    if (!parsed.ok) {
      skip(ex, parsed.reason);
      continue;
    }
    report.total++;
    const expected = ex.label!;
    if (parsed.repairs.length) report.repaired.push({ id: ex.id, repairs: parsed.repairs });
    const formulas = parsed.formulas;
    try {
      const r = await checkEntailment(formulas.slice(0, -1), formulas[formulas.length - 1], opts);
      if (r.answer === expected && !r.undecided) report.agree++;
      else report.disagreements.push({ id: ex.id, expected, got: r.answer, reason: explain(r) });
    } catch (e) {
      // Solver trouble, not the entry's fault: it stays in the score as an error.
      report.disagreements.push({ id: ex.id, expected, got: 'error', reason: (e as Error).message });
    }
  }
  report.ms = Date.now() - t0;
  return report;
}
