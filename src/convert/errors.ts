/** Typed errors of the converter (docs/errors.md): each names the file and, where there is one, the tensor. */
import { CogitoError } from '../util/errors';

/** A checkpoint the converter cannot read as it stands (INVALID_CHECKPOINT). */
export class CheckpointError extends CogitoError {
  constructor(
    readonly file: string,
    readonly tensor: string | undefined,
    readonly reason: string,
  ) {
    super(`${file}${tensor === undefined ? '' : `: tensor '${tensor}'`}: ${reason}`, 'INVALID_CHECKPOINT');
  }
}

/** A Hugging Face architecture the converter does not know (UNSUPPORTED_ARCHITECTURE). */
export class UnsupportedArchitectureError extends CogitoError {
  constructor(
    readonly file: string,
    readonly architecture: string,
    readonly supported: readonly string[],
  ) {
    super(`${file}: unsupported architecture ${architecture} (supported: ${supported.join(', ')})`, 'UNSUPPORTED_ARCHITECTURE');
  }
}

/** No tokenizer where the checkpoint needs one (TOKENIZER_NOT_FOUND). */
export class TokenizerNotFoundError extends CogitoError {
  constructor(message: string) {
    super(message, 'TOKENIZER_NOT_FOUND');
  }
}
