/**
 * Runs one SMT-LIB2 problem in every available solver at once. The first definitive answer
 * (sat/unsat) wins and the others are cancelled; a definitive answer that contradicts another
 * is a SolverError, never hidden. Without cvc5 on PATH this is Z3 alone, and says so.
 */
import { SolverError } from '../errors';
import { binaryVersion, openProcessSession } from './process';
import type { SatStatus, SmtSession, SolverName } from './session';
import { readStatus } from './session';
import { openZ3Session } from './z3wasm';

export interface SolveOptions {
  timeoutMs?: number;
  /** Solvers to use; default: z3 (in-process) plus cvc5 when installed. */
  solvers?: SolverName[];
  /** Commands to run in the winning solver after sat (e.g. get-value) or unsat (get-unsat-core). */
  onSat?: string;
  onUnsat?: string;
  /** Wait for every solver and compare, instead of cancelling the losers. */
  crossCheck?: boolean;
  /** A solver that prints an error anywhere in its answer gives no answer (it may have skipped a command). */
  strict?: boolean;
}

export interface SolverReport {
  solver: SolverName;
  status: SatStatus | 'cancelled' | 'error';
  ms: number;
  detail?: string;
}

export interface SolveResult {
  status: SatStatus;
  /** The solver whose answer counts (first definitive), or null when none was definitive. */
  winner: SolverName | null;
  /** Output of onSat/onUnsat in the winner. */
  followUp: string | null;
  reports: SolverReport[];
  ms: number;
}

export const DEFAULT_TIMEOUT_MS = 10000;

export function defaultSolvers(): SolverName[] {
  return binaryVersion('cvc5') ? ['z3', 'cvc5'] : ['z3'];
}

/** A line for users: which solvers run here and why. */
export function solverNote(): string {
  const v = binaryVersion('cvc5');
  return v ? `Z3 (z3-solver) and cvc5 (${v}) in parallel` : 'Z3 only (no cvc5 binary on PATH; scripts/install-cvc5.sh installs it)';
}

async function open(solver: SolverName, timeoutMs: number): Promise<SmtSession> {
  return solver === 'z3' ? openZ3Session(timeoutMs) : openProcessSession(solver, timeoutMs);
}

/** Throws when two solvers gave opposite definitive answers. */
export function checkAgreement(reports: readonly SolverReport[]): void {
  const definitive = reports.filter((r) => r.status === 'sat' || r.status === 'unsat');
  const first = definitive[0];
  const other = definitive.find((r) => r.status !== first?.status);
  if (first && other) {
    throw new SolverError(`solvers disagree: ${first.solver} says ${first.status}, ${other.solver} says ${other.status}`);
  }
}

export async function solve(problem: string, opts: SolveOptions = {}): Promise<SolveResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const solvers = opts.solvers ?? defaultSolvers();
  const t0 = Date.now();
  const reports: SolverReport[] = [];
  const sessions: SmtSession[] = [];
  // An interrupted solver can still print an answer, and it is not to be trusted: Z3 cancelled
  // mid-script skips the rest of the assertions and may then say sat to what is left.
  const interrupted = new Set<SmtSession>();
  const interrupt = (s: SmtSession): void => {
    interrupted.add(s);
    s.interrupt();
  };
  let winner: { session: SmtSession; status: 'sat' | 'unsat' } | null = null;
  let announceWinner = (): void => undefined;
  const winnerFound = new Promise<void>((resolve) => (announceWinner = resolve));

  const attempt = async (solver: SolverName): Promise<void> => {
    const started = Date.now();
    const report: SolverReport = { solver, status: 'error', ms: 0 };
    reports.push(report);
    let session: SmtSession;
    try {
      session = await open(solver, timeoutMs);
    } catch (e) {
      report.detail = (e as Error).message;
      return;
    }
    if (winner && !opts.crossCheck) {
      report.status = 'cancelled';
      session.close(); // opened after the race was decided: nothing else will close it
      return;
    }
    sessions.push(session);
    try {
      const out = await session.run(`${problem}\n(check-sat)`);
      const status = readStatus(out);
      report.ms = Date.now() - started;
      if (interrupted.has(session)) {
        report.status = winner ? 'cancelled' : 'unknown';
        report.detail = 'interrupted';
        return;
      }
      if (!status || (opts.strict && /\(error\b/.test(out))) {
        report.detail = out.trim().slice(0, 500);
        return;
      }
      if (winner && !opts.crossCheck && status === 'unknown') {
        report.status = 'cancelled';
        return;
      }
      report.status = status;
      if (status !== 'unknown' && !winner) {
        winner = { session, status };
        if (!opts.crossCheck) for (const s of sessions) if (s !== session) interrupt(s);
        announceWinner();
      }
    } catch (e) {
      report.ms = Date.now() - started;
      report.status = winner && !opts.crossCheck ? 'cancelled' : 'error';
      report.detail = (e as Error).message;
    }
  };

  // The wall-clock bound holds even if a solver ignores its own limit.
  const timer = setTimeout(() => sessions.forEach(interrupt), timeoutMs + 1000);
  try {
    const all = Promise.all(solvers.map(attempt));
    // Once one solver has answered, the others are interrupted and not waited for: Z3 can take
    // a second to notice an interrupt (not at all while parsing), and its queue absorbs that.
    await (opts.crossCheck ? all : Promise.race([all, winnerFound]));
  } finally {
    clearTimeout(timer);
  }
  // A snapshot: solvers not waited for still hold their report objects and may update them.
  const final = reports.map((r) => (r.status === 'error' && r.ms === 0 && !r.detail ? { ...r, status: 'cancelled' as const, detail: 'not waited for' } : { ...r }));
  try {
    checkAgreement(final);
    const w = winner as { session: SmtSession; status: 'sat' | 'unsat' } | null;
    let followUp: string | null = null;
    const cmds = w ? (w.status === 'sat' ? opts.onSat : opts.onUnsat) : undefined;
    if (w && cmds) followUp = await w.session.run(cmds);
    if (!w && final.every((r) => r.status === 'error')) {
      throw new SolverError(`every solver failed: ${final.map((r) => `${r.solver}: ${r.detail ?? 'no answer'}`).join('; ')}`);
    }
    return { status: w ? w.status : 'unknown', winner: w ? w.session.solver : null, followUp, reports: final, ms: Date.now() - t0 };
  } finally {
    for (const s of sessions) s.close();
  }
}
