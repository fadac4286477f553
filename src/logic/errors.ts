/** Typed errors of the logic module, so callers can tell bad input from solver trouble. */
import { CogitoError } from '../util/errors';

export class FormulaParseError extends CogitoError {
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
    super(`${reason} at position ${position}\n  ${text}\n  ${' '.repeat(Math.max(0, position))}^`, 'FORMULA_PARSE');
  }
}

/** A solver failed to run or its answers conflict; never used for "unknown" answers. */
export class SolverError extends CogitoError {
  override readonly name = 'SolverError';
  constructor(message: string) {
    super(message, 'SOLVER');
  }
}

/** A formula outside what the chosen check takes (a modal formula in a classical check, a quantifier in a propositional one). */
export class UnsupportedFormulaError extends CogitoError {
  constructor(message: string) {
    super(message, 'UNSUPPORTED_FORMULA');
  }
}

/**
 * A TPTP/QMLTP problem file that poses no problem to decide: a statement that does not close
 * or parse, not exactly one conjecture, an include() it does not follow. Names the file;
 * `reason` says what is wrong with it.
 */
export class ProblemFileError extends CogitoError {
  constructor(
    readonly file: string,
    readonly reason: string,
    /** The parse error inside a statement, when that is what is wrong. */
    readonly inner?: FormulaParseError,
  ) {
    super(`${file}: ${reason}`, 'INVALID_PROBLEM');
  }
}
