/** Typed errors of the logic module, so callers can tell bad input from solver trouble. */

export class FormulaParseError extends Error {
  override readonly name = 'FormulaParseError';
  constructor(
    readonly reason: string,
    /** 0-based index into `text` (in UTF-16 code units) where parsing failed. */
    readonly position: number,
    readonly text: string,
    /** What the parser wanted and what it found there (token text, '' at end of input). */
    readonly expected: string = '',
    readonly found: string = '',
  ) {
    super(`${reason} at position ${position}\n  ${text}\n  ${' '.repeat(Math.max(0, position))}^`);
  }
}

/** A solver failed to run or its answers conflict; never used for "unknown" answers. */
export class SolverError extends Error {
  override readonly name = 'SolverError';
}
