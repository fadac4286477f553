/** Typed failures of the VKS, so callers can tell tampering from misuse. */
import { CogitoError, type ErrorCode } from '../util/errors';

/** Input the VKS rejects (a malformed record or export, a dependency cycle); the root of the VKS's errors. */
export class VksError extends CogitoError {
  constructor(message: string, code: ErrorCode = 'VKS_INVALID') {
    super(message, code);
    this.name = 'VksError';
  }
}

export type IntegrityProblem =
  | 'hash-mismatch'
  | 'prev-hash-mismatch'
  | 'sequence-gap'
  | 'head-mismatch'
  | 'length-mismatch'
  | 'missing-chain-fields';

/** The AXIOM hash chain does not verify: the store was edited outside the VKS. */
export class VksIntegrityError extends VksError {
  constructor(
    readonly problem: IntegrityProblem,
    /** Chain position of the first bad record (or where the chain ends for head/length problems). */
    readonly seq: number,
    /** Id of the first bad record, when one exists at that position. */
    readonly recordId: string | null,
    detail: string,
  ) {
    super(`VKS integrity check failed at AXIOM #${seq}${recordId ? ` (${recordId})` : ''}: ${problem}: ${detail}`, 'VKS_INTEGRITY');
    this.name = 'VksIntegrityError';
  }
}

/** An operation that the tier rules forbid, e.g. editing or invalidating an AXIOM. */
export class VksTierError extends VksError {
  constructor(message: string) {
    super(message, 'VKS_TIER_RULE');
    this.name = 'VksTierError';
  }
}

export class VksNotFoundError extends VksError {
  constructor(readonly id: string) {
    super(`no VKS record ${id}`, 'VKS_NOT_FOUND');
    this.name = 'VksNotFoundError';
  }
}

/** What the record ledger and the lookup tables can be found to disagree on. */
export type RecordIntegrityProblem =
  | 'ledger-hash-mismatch'
  | 'ledger-prev-hash-mismatch'
  | 'ledger-sequence-gap'
  | 'ledger-length-mismatch'
  | 'ledger-head-mismatch'
  /** A record that no ledger entry seals: inserted outside the VKS. */
  | 'unsealed-record'
  /** A record, or one of its phrasings, differs from the digest its latest ledger entry holds. */
  | 'record-mismatch'
  /** A ledger entry for a record that is no longer in the store. */
  | 'missing-record'
  /** A phrasing that points to no record. */
  | 'orphan-phrasing'
  /** The dependency links or token counts differ from what the sealed records imply. */
  | 'index-mismatch';

/**
 * A record of any tier, its phrasings or the record ledger does not verify: the store was
 * edited outside the VKS. Lookups throw it rather than serve a record that fails its seal.
 */
export class VksRecordIntegrityError extends VksError {
  constructor(
    readonly problem: RecordIntegrityProblem,
    /** Id of the first bad record, when the problem has one. */
    readonly recordId: string | null,
    readonly detail: string,
  ) {
    super(`VKS integrity check failed${recordId ? ` at record ${recordId}` : ''}: ${problem}: ${detail}`, 'VKS_INTEGRITY');
    this.name = 'VksRecordIntegrityError';
  }
}

/** Another connection held the store's lock for longer than this one was told to wait. */
export class VksBusyError extends VksError {
  constructor(
    readonly path: string,
    readonly waitedMs: number,
  ) {
    super(
      `${path}: the VKS is locked by another connection; gave up after waiting ${waitedMs} ms ` +
        '(raise busyTimeoutMs, or --busy-timeout on the command line)',
      'VKS_BUSY',
    );
    this.name = 'VksBusyError';
  }
}

/** The file's schema version is one this VKS cannot read as it stands. */
export class VksSchemaError extends VksError {
  constructor(
    readonly path: string,
    readonly found: string | null,
    detail: string,
  ) {
    super(`${path}: VKS schema version ${found ?? '(none)'}: ${detail}`, 'VKS_SCHEMA');
    this.name = 'VksSchemaError';
  }
}
