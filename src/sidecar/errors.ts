import { CogitoError } from '../util/errors';

/**
 * The file is not a sidecar this cogito can use: corrupt or truncated GGUF, a missing or
 * ill-typed key, inconsistent sizes, a missing/extra/misshapen tensor. The message names the
 * key or tensor so the user knows what is wrong without a hex dump.
 */
export class InvalidSidecarError extends CogitoError {
  constructor(message: string, readonly file: string | null = null) {
    super(file ? `${file}: ${message}` : message, 'INVALID_SIDECAR');
  }
}

/** The sidecar was made for another base model (shape, layers, or — without force — fingerprint). */
export class SidecarMismatchError extends CogitoError {
  constructor(message: string) {
    super(message, 'SIDECAR_MISMATCH');
  }
}

export class SidecarNotFoundError extends CogitoError {
  constructor(file: string) {
    super(`sidecar file not found: ${file}`, 'SIDECAR_NOT_FOUND');
  }
}
