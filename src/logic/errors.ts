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

/**
 * A problem file that poses no problem to decide: a statement that does not close or parse,
 * or no conjecture. A kind of FormulaParseError (bad input, not solver trouble) that names
 * the file; `reason` says what is wrong with it.
 */
export class ProblemFileError extends FormulaParseError {
  constructor(
    readonly file: string,
    reason: string,
    /** The parse error inside a statement, when that is what is wrong. */
    readonly inner?: FormulaParseError,
  ) {
    super(reason, inner?.position ?? 0, inner?.text ?? '', inner?.expected, inner?.found);
    // The file and the reason only: the inherited message would quote the whole formula.
    this.message = `${file}: ${reason}`;
  }
}
