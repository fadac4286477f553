/**
 * The one error root: every failure cogito reports is a CogitoError with a stable `code`
 * (listed in docs/errors.md). Programs branch on `code` or on the class; people read `message`.
 * Each code belongs to one category, so every front end (the CLI's exit statuses, an HTTP
 * layer's statuses) maps codes to its own outcomes from one table.
 */

/** What kind of failure a code is, independent of how a front end reports it. */
export type ErrorCategory =
  /** The caller asked for something malformed: a bad option, argument or value out of range. */
  | 'usage'
  /** Data handed in (a file, a record, a formula) is malformed or inconsistent. */
  | 'invalid-input'
  /** A named thing (file, record, library entry) does not exist. */
  | 'not-found'
  /** The request is well formed but clashes with the current state (another model, a busy context, a tier rule). */
  | 'conflict'
  /** Stored data fails its own verification (a tampered hash chain). */
  | 'integrity'
  /** The caller cancelled the operation. */
  | 'aborted'
  /** Something cogito needs is not there: the native addon is not built. */
  | 'unavailable'
  /** The operation was attempted and failed at run time (native decode, training, a solver). */
  | 'failed'
  /** A broken invariant: a bug in cogito, to be reported. */
  | 'internal';

/**
 * Every code, and its category. A code thrown anywhere (TypeScript or native/) is listed here
 * and in docs/errors.md; test/errors.test.ts checks both.
 */
export const ERROR_CATEGORIES = {
  // options and arguments
  INVALID_ARGUMENT: 'usage',
  UNAUTHORIZED: 'usage',
  OUT_OF_RANGE: 'usage',
  UNSUPPORTED_FORMULA: 'usage',
  INVALID_CHAT_MESSAGE: 'usage',
  INVALID_QUESTION: 'usage',
  // files and records handed in
  BAD_GGUF: 'invalid-input',
  BAD_MODEL: 'invalid-input',
  INVALID_SIDECAR: 'invalid-input',
  INVALID_MANIFEST: 'invalid-input',
  INVALID_RUN_DATA: 'invalid-input',
  INVALID_DATASET: 'invalid-input',
  INVALID_QUESTION_FILE: 'invalid-input',
  CHECKER_LOAD: 'invalid-input',
  INVALID_PNG: 'invalid-input',
  INVALID_PASSAGE: 'invalid-input',
  INVALID_DOMAIN_PACK: 'invalid-input',
  FORMULA_PARSE: 'invalid-input',
  INVALID_PROBLEM: 'invalid-input',
  VKS_INVALID: 'invalid-input',
  VKS_SCHEMA: 'invalid-input',
  CHAT_TEMPLATE: 'invalid-input',
  INVALID_GRAMMAR: 'invalid-input',
  INVALID_JSON_SCHEMA: 'invalid-input',
  INVALID_CHECKPOINT: 'invalid-input',
  UNSUPPORTED_ARCHITECTURE: 'invalid-input',
  META_INVALID: 'invalid-input',
  FEEDBACK_SCHEMA: 'invalid-input',
  META_LEARNER_FILE: 'invalid-input',
  // lookups
  ENOENT: 'not-found',
  NOT_FOUND: 'not-found',
  SIDECAR_NOT_FOUND: 'not-found',
  MANIFEST_NOT_FOUND: 'not-found',
  VKS_NOT_FOUND: 'not-found',
  FEEDBACK_UNKNOWN_ANSWER: 'not-found',
  FEEDBACK_NOT_FOUND: 'not-found',
  TOKENIZER_NOT_FOUND: 'not-found',
  // state
  SIDECAR_MISMATCH: 'conflict',
  META_LEARNER_MISMATCH: 'conflict',
  RUN_MODEL_MISMATCH: 'conflict',
  FEEDBACK_MODEL_MISMATCH: 'conflict',
  RUN_STATE: 'conflict',
  NO_CHAT_TEMPLATE: 'conflict',
  CONTEXT_OVERFLOW: 'conflict',
  INSUFFICIENT_MEMORY: 'conflict',
  DISPOSED: 'conflict',
  BUSY: 'conflict',
  NO_FREE_SEQUENCE: 'conflict',
  INVALID_STATE: 'conflict',
  VKS_TIER_RULE: 'conflict',
  VKS_BUSY: 'conflict',
  FEEDBACK_BUSY: 'conflict',
  QUEUE_FULL: 'conflict',
  VKS_INTEGRITY: 'integrity',
  FEEDBACK_INTEGRITY: 'integrity',
  ABORTED: 'aborted',
  NO_ADDON: 'unavailable',
  NO_CPU_BACKEND: 'unavailable',
  NOT_READY: 'unavailable',
  // run-time failures
  NATIVE: 'failed',
  DECODE: 'failed',
  CONTEXT: 'failed',
  SIDECAR: 'failed',
  TRAIN: 'failed',
  TRAIN_OPEN: 'failed',
  QUANTIZE: 'failed',
  MAKE_MODEL: 'failed',
  IO: 'failed',
  TOKENIZE: 'failed',
  GRAMMAR_DEAD_END: 'failed',
  SOLVER: 'failed',
  ORACLE_UNREACHABLE: 'failed',
  ORACLE_TIMEOUT: 'failed',
  ORACLE_HTTP: 'failed',
  ORACLE_MALFORMED: 'failed',
  INTERNAL: 'internal',
} as const satisfies Record<string, ErrorCategory>;

export type ErrorCode = keyof typeof ERROR_CATEGORIES;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CATEGORIES, code);
}

/**
 * Marks an error class as a CogitoError without CogitoError.prototype in its chain. Only for
 * errors that must also stay a built-in (OutOfRangeError is a RangeError, as callers have
 * always been able to test); `instanceof CogitoError` honours the mark.
 */
const COGITO_ERROR = Symbol.for('cogito.error');

export class CogitoError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode,
  ) {
    super(message);
    this.name = new.target.name;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    return this === CogitoError && typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[COGITO_ERROR] === true;
  }
}

/** The category of any thrown value: its code's, or null for an error that is not cogito's. */
export function errorCategory(err: unknown): ErrorCategory | null {
  return err instanceof CogitoError && isErrorCode(err.code) ? ERROR_CATEGORIES[err.code] : null;
}

/** An option or argument the function cannot take. */
export class InvalidOptionError extends CogitoError {
  constructor(message: string, code: ErrorCode = 'INVALID_ARGUMENT') {
    super(message, code);
  }
}

/**
 * A number, index or size outside what the function accepts. Also a RangeError, so
 * `instanceof RangeError` keeps working for callers of the numeric helpers.
 */
export class OutOfRangeError extends RangeError {
  readonly code: ErrorCode = 'OUT_OF_RANGE';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
Object.defineProperty(OutOfRangeError.prototype, COGITO_ERROR, { value: true });

/** A named thing — a file given on the command line, a library entry — does not exist. */
export class NotFoundError extends CogitoError {
  constructor(message: string) {
    super(message, 'NOT_FOUND');
  }
}

/** A broken invariant: cogito's own bug, never the caller's mistake. */
export class InternalError extends CogitoError {
  constructor(message: string) {
    super(message, 'INTERNAL');
  }
}
