/** Typed errors of the corpus. */
import { CogitoError } from '../util/errors';

/** A passage to index is malformed; the message names the entry (file and line, or array index) and the field. */
export class InvalidPassageError extends CogitoError {
  constructor(message: string) {
    super(message, 'INVALID_PASSAGE');
  }
}

/** A domain pack is malformed or unreadable; the message names the file and the field. */
export class InvalidDomainPackError extends CogitoError {
  constructor(message: string) {
    super(message, 'INVALID_DOMAIN_PACK');
  }
}
