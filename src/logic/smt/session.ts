/** A conversation with one SMT solver: send SMT-LIB2 commands, read what it prints. */
export type SolverName = 'z3' | 'cvc5' | 'z3-native';

export interface SmtSession {
  readonly solver: SolverName;
  /** Runs commands and resolves with everything they printed. */
  run(commands: string): Promise<string>;
  /** Stops the running command as soon as the solver allows; run() then resolves or rejects. */
  interrupt(): void;
  close(): void;
}

export type SatStatus = 'sat' | 'unsat' | 'unknown';

/** The answer of a check-sat, from the first line that is one. */
export function readStatus(output: string): SatStatus | null {
  for (const line of output.split('\n')) {
    const t = line.trim();
    if (t === 'sat' || t === 'unsat' || t === 'unknown') return t;
  }
  return null;
}
