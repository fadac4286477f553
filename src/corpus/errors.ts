/** Typed errors of the corpus. */
import { CogitoError } from '../util/errors';

/** A passage to index is malformed; the message names the entry (file and line, or array index) and the field. */
export class InvalidPassageError extends CogitoError {
  constructor(message: string) {
    super(message, 'INVALID_PASSAGE');
  }
}
