/**
 * An SMT solver as a child process (cvc5, the native z3 binary) in interactive mode: the
 * script goes to stdin, and each batch of commands ends with an echo marker so we know
 * where its output stops. Killing the process is the cancellation.
 */
import { spawn, spawnSync } from 'node:child_process';
import { SolverError } from '../errors';
import type { SmtSession, SolverName } from './session';

const MARK = '@@cogito-end@@';

interface Launch {
  command: string;
  args(timeoutMs: number): string[];
}

const LAUNCH: Record<Exclude<SolverName, 'z3'>, Launch> = {
  // fmf lets cvc5 answer sat for quantified problems with finite models (FOLIO, Kripke encodings).
  cvc5: {
    command: 'cvc5',
    args: (t) => ['--lang=smt2', '--incremental', '--produce-models', '--produce-unsat-cores', '--finite-model-find', `--tlimit-per=${Math.max(1, Math.round(t))}`],
  },
  'z3-native': { command: 'z3', args: (t) => ['-in', '-smt2', `-t:${Math.max(1, Math.round(t))}`] },
};

const found = new Map<string, string | null>();

/** The solver's version line when its binary is on PATH, else null (cached per process). */
export function binaryVersion(solver: Exclude<SolverName, 'z3'>): string | null {
  const cmd = LAUNCH[solver].command;
  if (!found.has(cmd)) {
    const r = spawnSync(cmd, ['--version'], { encoding: 'utf8', timeout: 10000 });
    found.set(cmd, r.status === 0 ? r.stdout.split('\n')[0].trim() : null);
  }
  return found.get(cmd) ?? null;
}

export function openProcessSession(solver: Exclude<SolverName, 'z3'>, timeoutMs: number): SmtSession {
  const { command, args } = LAUNCH[solver];
  const child = spawn(command, args(timeoutMs), { stdio: ['pipe', 'pipe', 'pipe'] });
  let buffer = '';
  let stderr = '';
  let waiting: { resolve: (s: string) => void; reject: (e: Error) => void } | null = null;
  let exited = false;
  const settle = (): void => {
    const at = buffer.indexOf(MARK);
    if (at < 0 || !waiting) return;
    const out = buffer.slice(0, at);
    buffer = buffer.slice(buffer.indexOf('\n', at) + 1);
    const w = waiting;
    waiting = null;
    w.resolve(out);
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    buffer += d;
    settle();
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  child.stdin.on('error', () => undefined); // the process may be gone when we write
  const onGone = (why: string): void => {
    exited = true;
    if (waiting) {
      const w = waiting;
      waiting = null;
      // A killed or crashed solver has no answer; the output so far may still say something.
      if (buffer.trim()) w.resolve(buffer);
      else w.reject(new SolverError(`${command} ${why}${stderr ? `: ${stderr.trim()}` : ''}`));
    }
  };
  child.on('exit', (code, signal) => onGone(signal ? `killed by ${signal}` : `exited with ${code}`));
  child.on('error', (e) => onGone(`failed to start (${e.message})`));
  return {
    solver,
    run(commands: string): Promise<string> {
      if (exited) return Promise.reject(new SolverError(`${command} is not running`));
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        child.stdin.write(`${commands}\n(echo "${MARK}")\n`);
      });
    },
    interrupt(): void {
      if (!exited) child.kill('SIGKILL');
    },
    close(): void {
      if (exited) return;
      child.stdin.end('(exit)\n');
      setTimeout(() => !exited && child.kill('SIGKILL'), 2000).unref();
    },
  };
}
