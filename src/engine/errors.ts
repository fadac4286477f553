/** Typed errors: every failure of the engine is a CogitoError with a stable code. */
export class CogitoError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ModelNotFoundError extends CogitoError {}
export class InvalidModelFileError extends CogitoError {}
export class ContextOverflowError extends CogitoError {}
export class InvalidOptionError extends CogitoError {}
export class DisposedError extends CogitoError {}
export class BusyError extends CogitoError {}
export class NativeAddonError extends CogitoError {}

export class AbortError extends CogitoError {
  constructor(message = 'the operation was aborted') {
    super(message, 'ABORTED');
  }
}

const byCode: Record<string, new (message: string, code: string) => CogitoError> = {
  ENOENT: ModelNotFoundError,
  BAD_GGUF: InvalidModelFileError,
  BAD_MODEL: InvalidModelFileError,
  CONTEXT_OVERFLOW: ContextOverflowError,
  INVALID_ARGUMENT: InvalidOptionError,
  DISPOSED: DisposedError,
  BUSY: BusyError,
};

/** Turns an error thrown by the addon (an Error with a `code`) into its typed class. */
export function fromNative(err: unknown): Error {
  if (err instanceof CogitoError) return err;
  // not `instanceof Error`: the addon's errors may come from another realm (vm contexts, jest)
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    const { message, code = 'NATIVE' } = err as { message: string; code?: string };
    const Ctor = byCode[code] ?? CogitoError;
    return new Ctor(message, code);
  }
  return new CogitoError(String(err), 'NATIVE');
}

/** Runs a native call and rethrows its failure as a typed error. */
export async function native<T>(call: () => Promise<T> | T): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw fromNative(err);
  }
}

export function nativeSync<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw fromNative(err);
  }
}
