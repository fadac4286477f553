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
