/** Typed failures of the VKS, so callers can tell tampering from misuse. */

export class VksError extends Error {
  constructor(message: string) {
    super(message);
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
    super(`VKS integrity check failed at AXIOM #${seq}${recordId ? ` (${recordId})` : ''}: ${problem}: ${detail}`);
    this.name = 'VksIntegrityError';
  }
}

/** An operation that the tier rules forbid, e.g. editing or invalidating an AXIOM. */
export class VksTierError extends VksError {
  constructor(message: string) {
    super(message);
    this.name = 'VksTierError';
  }
}

export class VksNotFoundError extends VksError {
  constructor(readonly id: string) {
    super(`no VKS record ${id}`);
    this.name = 'VksNotFoundError';
  }
}
