/**
 * QMLTP ground truth: read `qmf(...)` problems with the statuses in their headers, decide each
 * in K, D, T, S4 and S5, and compare. A header can be wrong: where it says Theorem and a
 * countermodel is found that passes the independent evaluation, the countermodel is reported
 * instead of agreeing. Every verdict that contradicts a header (either way) is decided again by
 * a second procedure that shares no code with the first (modal/treemodel.ts), with its own
 * budget, and the case says "confirmed by …" or "not confirmed: why".
 *
 * Axioms and hypotheses are read as local assumptions (true at the world where the conjecture
 * is evaluated), by default. The headers decide it: SYM322+1 (a PSAT problem) is marked
 * Non-Theorem in K and Theorem in T; with its axioms global, K has no model of them at all
 * (both solvers prove it unsat), while with them local a K countermodel exists and checks.
 *
 * A file that poses no problem — empty, not TPTP, no conjecture, a statement that does not
 * close or parse, one nested deeper than the parser's limit, or an include() of axioms this
 * reader does not follow — is reported in `skipped` by name with the reason and never
 * scored: no verdict, right or wrong, is made up for it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Formula } from './ast';
import type { PremiseMode } from './modal/encode';
import type { ModalLogic } from './modal/frames';
import type { ModalResult } from './modal/check';
import { checkModal } from './modal/check';
import { FormulaParseError, ProblemFileError } from './errors';
import { decideByTreeModel, treeModelApplies } from './modal/treemodel';
import { parseFormula } from './parser';
import type { SolverName } from './smt/session';

export type QmltpLogic = 'K' | 'D' | 'T' | 'S4' | 'S5';
export const QMLTP_LOGICS: readonly QmltpLogic[] = ['K', 'D', 'T', 'S4', 'S5'];
export type QmltpStatus = 'Theorem' | 'Non-Theorem' | 'Unsolved';
export type QmltpVerdict = 'Theorem' | 'Non-Theorem' | 'undecided';

export interface QmltpProblem {
  name: string;
  /** Logic → statuses in the varying, cumulative and constant domain columns. */
  status: Partial<Record<QmltpLogic, QmltpStatus[]>>;
  axioms: { name: string; formula: Formula }[];
  conjecture: Formula;
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** The `qmf(name, role, formula).` statements (also fof/tff) of a TPTP file, comments removed. */
export function readStatements(text: string): { name: string; role: string; formula: string }[] {
  const body = text
    .split('\n')
    .map((l) => (l.trimStart().startsWith('%') ? '' : l))
    .join('\n');
  const out: { name: string; role: string; formula: string }[] = [];
  const re = /\b(qmf|fof|tff)\s*\(/g;
  let m: RegExpExecArray | null;
  // Errors quote the statement's opening and say its line, not the whole text.
  const fault = (reason: string, at: number): FormulaParseError => {
    const line = body.slice(0, at).split('\n').length;
    return new FormulaParseError(`${reason} (line ${line})`, 0, body.slice(at, at + 80).split('\n')[0]);
  };
  while ((m = re.exec(body))) {
    let depth = 1;
    let i = m.index + m[0].length;
    for (; i < body.length && depth > 0; i++) {
      if (body[i] === '(') depth++;
      else if (body[i] === ')') depth--;
    }
    if (depth !== 0) throw fault(`unbalanced ${m[1]}( statement: ${depth} '(' left open`, m.index);
    const [name, role, formula] = splitTopLevel(body.slice(m.index + m[0].length, i - 1));
    if (formula === undefined) throw fault(`${m[1]}( statement has no formula`, m.index);
    out.push({ name: name.trim(), role: role.trim(), formula: formula.trim() });
    re.lastIndex = i;
  }
  return out;
}

/**
 * One QMLTP problem file. Throws ProblemFileError, naming the file, when it poses no problem:
 * a statement that does not close or parse, not exactly one conjecture, or an include().
 */
export function readQmltpProblem(file: string): QmltpProblem {
  const text = readFileSync(file, 'utf8');
  const status: QmltpProblem['status'] = {};
  for (const line of text.split('\n')) {
    const m = /^%\s+(K|D|T|S4|S5)\s+((?:(?:Theorem|Non-Theorem|Unsolved)\s+)+)/.exec(line);
    if (m) status[m[1] as QmltpLogic] = m[2].trim().split(/\s+/) as QmltpStatus[];
  }
  // Axioms an include() would bring in are not read: deciding without them could be wrong.
  const include = /^[ \t]*include\s*\(\s*'([^']*)'/m.exec(text);
  if (include) throw new ProblemFileError(file, `include('${include[1]}') is not supported: its axioms would be missing`);
  let statements;
  try {
    statements = readStatements(text);
  } catch (e) {
    if (e instanceof FormulaParseError) throw new ProblemFileError(file, e.reason, e);
    throw e;
  }
  const axioms: QmltpProblem['axioms'] = [];
  const conjectures: Formula[] = [];
  for (const s of statements) {
    let f: Formula;
    try {
      f = parseFormula(s.formula);
    } catch (e) {
      if (e instanceof FormulaParseError) throw new ProblemFileError(file, `${s.role} ${s.name}: ${e.reason} at position ${e.position}`, e);
      throw e;
    }
    if (s.role === 'conjecture') conjectures.push(f);
    else if (s.role === 'axiom' || s.role === 'hypothesis' || s.role === 'definition' || s.role === 'lemma') axioms.push({ name: s.name, formula: f });
  }
  // Without a conjecture there is nothing to call a Theorem or a Non-Theorem.
  if (conjectures.length === 0) {
    throw new ProblemFileError(file, statements.length ? `no conjecture among its ${statements.length} statements` : 'no qmf, fof or tff statements (not a TPTP problem)');
  }
  if (conjectures.length > 1) throw new ProblemFileError(file, `${conjectures.length} conjectures (a problem has one)`);
  return { name: path.basename(file).replace(/\.p$/, ''), status, axioms, conjecture: conjectures[0] };
}

/** A file of the folder that was not decided, and why. */
export interface QmltpSkipped {
  problem: string;
  file: string;
  reason: string;
}

/** Reading errors a runner reports per file and goes on from: bad content, or a file it cannot read. */
function unreadable(e: unknown): string | null {
  if (e instanceof ProblemFileError) return e.reason;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return `cannot read it: ${(e as Error).message}`;
  return null;
}

export interface QmltpCase {
  problem: string;
  logic: QmltpLogic;
  header: QmltpStatus[];
  got: QmltpVerdict;
  note: string;
  countermodel?: ModalResult['countermodel'];
  check?: ModalResult['check'];
  /** Where the verdict contradicts the header: what a second, independent procedure says. */
  confirmation?: QmltpConfirmation;
}

/**
 * A verdict that contradicts a header re-decided by a procedure that shares no code with the
 * one that decided it (modal/treemodel.ts: the bounded tree model as one SMT problem).
 */
export interface QmltpConfirmation {
  /** The second procedure, e.g. "K tree-model SMT encoding". */
  method: string;
  /** True only when it gave the same verdict. */
  confirmed: boolean;
  /** Its verdict: Theorem (unsat), Non-Theorem (sat) or null (none). */
  answer: 'Theorem' | 'Non-Theorem' | null;
  ms: number;
  /** Worlds in the tree it wrote (absent when it does not apply). */
  worlds?: number;
  solver?: SolverName | null;
  /** Why there is no confirmation. */
  reason?: string;
}

export interface QmltpLogicReport {
  /** Problems whose header gives a status (not Unsolved) in this logic. */
  known: number;
  agree: number;
  undecided: number;
}

export interface QmltpReport {
  logics: Partial<Record<QmltpLogic, QmltpLogicReport>>;
  /** Headers contradicted by a checked countermodel, columns that disagree, and every mismatch. */
  cases: QmltpCase[];
  /** Decisions for problems whose header says Unsolved. */
  unsolvedDecided: { problem: string; logic: QmltpLogic; got: string }[];
  /** Files that pose no problem (see readQmltpProblem), by name with the reason; never scored. */
  skipped: QmltpSkipped[];
  slowest: { problem: string; logic: QmltpLogic; ms: number };
  /** Second-procedure runs on verdicts that contradict a header (their time is not in `slowest`). */
  confirmations: { attempted: number; confirmed: number; ms: number };
  ms: number;
}

export interface QmltpOptions {
  logics?: readonly QmltpLogic[];
  /** Budget per problem and logic (default 7 s, so each decision stays within 10 s). */
  timeoutMs?: number;
  /** How axioms hold: at the conjecture's world (local, default) or at every world. */
  axioms?: PremiseMode;
  solvers?: SolverName[];
  /** Re-decide verdicts that contradict a header with the tree-model encoding (default true). */
  confirm?: boolean;
  /** Budget of each confirmation (default 60 s), apart from the decision's own. */
  confirmTimeoutMs?: number;
  /** Largest tree a confirmation writes (default 50,000 worlds). */
  confirmMaxWorlds?: number;
}

function describe(c: QmltpConfirmation): string {
  if (c.confirmed) {
    const what = c.answer === 'Theorem' ? 'unsat' : 'sat';
    return `confirmed by ${c.method}, ${c.worlds} worlds (${what} in ${(c.ms / 1000).toFixed(1)} s${c.solver ? `, ${c.solver}` : ''})`;
  }
  return `not confirmed: ${c.reason}`;
}

/** Re-decides one problem in one logic with the tree-model encoding, to set beside a verdict. */
export async function confirmVerdict(
  problem: QmltpProblem,
  logic: QmltpLogic,
  got: 'Theorem' | 'Non-Theorem',
  opts: QmltpOptions = {},
): Promise<QmltpConfirmation> {
  const mode = opts.axioms ?? 'local';
  if (!treeModelApplies(logic, mode)) {
    return { method: 'tree-model SMT encoding', confirmed: false, answer: null, ms: 0, reason: `no second procedure for ${logic} with ${mode} axioms (the tree-model encoding covers K, D and T with local axioms)` };
  }
  let r;
  try {
    r = await decideByTreeModel(
      problem.axioms.map((a) => a.formula),
      problem.conjecture,
      logic,
      { timeoutMs: opts.confirmTimeoutMs ?? 60_000, maxWorlds: opts.confirmMaxWorlds ?? 50_000 },
    );
  } catch (e) {
    return { method: `${logic} tree-model SMT encoding`, confirmed: false, answer: null, ms: 0, reason: (e as Error).message };
  }
  const answer = r.valid === true ? 'Theorem' : r.valid === false ? 'Non-Theorem' : null;
  const base = { method: r.method, answer, ms: r.ms, worlds: r.shape.worlds, solver: r.solver } as const;
  if (answer === null) return { ...base, confirmed: false, reason: r.reason ?? 'no answer' };
  if (answer !== got) return { ...base, confirmed: false, reason: `the ${r.method} says ${answer} (${r.solver}): the two procedures DISAGREE` };
  return { ...base, confirmed: true };
}

export async function runQmltp(dir: string, opts: QmltpOptions = {}): Promise<QmltpReport> {
  const t0 = Date.now();
  const logics = opts.logics ?? QMLTP_LOGICS;
  const files = readdirSync(dir).filter((f) => f.endsWith('.p')).sort();
  const report: QmltpReport = {
    logics: {},
    cases: [],
    unsolvedDecided: [],
    skipped: [],
    slowest: { problem: '', logic: 'K', ms: 0 },
    confirmations: { attempted: 0, confirmed: 0, ms: 0 },
    ms: 0,
  };
  // A verdict against the header gets a second opinion, outside the decision's own budget.
  const confirm = async (p: QmltpProblem, logic: QmltpLogic, got: QmltpVerdict): Promise<QmltpConfirmation | undefined> => {
    if (opts.confirm === false || got === 'undecided') return undefined;
    const c = await confirmVerdict(p, logic, got, opts);
    report.confirmations.attempted++;
    if (c.confirmed) report.confirmations.confirmed++;
    report.confirmations.ms += c.ms;
    return c;
  };
  const withConfirmation = (note: string, c: QmltpConfirmation | undefined): string => (c ? `${note}; ${describe(c)}` : note);
  for (const l of logics) report.logics[l] = { known: 0, agree: 0, undecided: 0 };
  for (const file of files) {
    let p: QmltpProblem;
    try {
      p = readQmltpProblem(path.join(dir, file));
    } catch (e) {
      const reason = unreadable(e);
      if (reason === null) throw e;
      report.skipped.push({ problem: file.replace(/\.p$/, ''), file, reason });
      continue;
    }
    for (const logic of logics) {
      const header = p.status[logic] ?? [];
      const r = await checkModal(p.axioms.map((a) => a.formula), p.conjecture, {
        logic: logic as ModalLogic,
        premises: opts.axioms ?? 'local',
        timeoutMs: opts.timeoutMs ?? 7000,
        solvers: opts.solvers,
      });
      if (r.ms > report.slowest.ms) report.slowest = { problem: p.name, logic, ms: r.ms };
      const got: QmltpVerdict = r.valid === true ? 'Theorem' : r.valid === false ? 'Non-Theorem' : 'undecided';
      const stated = [...new Set(header.filter((s) => s !== 'Unsolved'))];
      const lr = report.logics[logic]!;
      if (stated.length === 0) {
        if (got !== 'undecided') report.unsolvedDecided.push({ problem: p.name, logic, got });
        continue;
      }
      lr.known++;
      if (got === 'undecided') lr.undecided++;
      const base = { problem: p.name, logic, header, got };
      if (stated.length > 1) {
        // Without quantifiers the domain columns cannot differ: one of them is wrong.
        const confirmation = await confirm(p, logic, got);
        report.cases.push({
          ...base,
          note: withConfirmation(`header columns disagree (${header.join(' / ')}); decided ${got}`, confirmation),
          countermodel: r.countermodel,
          check: r.check,
          confirmation,
        });
        if (got !== 'undecided' && stated.includes(got)) lr.agree++;
        continue;
      }
      if (got === stated[0]) {
        lr.agree++;
        continue;
      }
      const confirmation = await confirm(p, logic, got);
      if (stated[0] === 'Theorem' && got === 'Non-Theorem') {
        const checked = r.check?.holds === true;
        report.cases.push({
          ...base,
          note: withConfirmation(
            checked
              ? 'header says Theorem, but a countermodel exists and passes the independent evaluation'
              : 'header says Theorem, the solver found a model of axioms ∧ ¬conjecture (not re-checked)',
            confirmation,
          ),
          countermodel: r.countermodel,
          check: r.check,
          confirmation,
        });
      } else report.cases.push({ ...base, note: withConfirmation(`header says ${stated[0]}, decided ${got}${r.method ? ` (${r.method})` : ''}`, confirmation), confirmation });
    }
  }
  report.ms = Date.now() - t0;
  return report;
}
