/** Typed errors of the engine: the root and the shared classes live in util/errors.ts (docs/errors.md). */
import { CogitoError, InvalidOptionError, type ErrorCode } from '../util/errors';

export { CogitoError, InvalidOptionError, InternalError, NotFoundError, OutOfRangeError, ERROR_CATEGORIES, errorCategory, isErrorCode } from '../util/errors';
export type { ErrorCategory, ErrorCode } from '../util/errors';

export class ModelNotFoundError extends CogitoError {}
export class InvalidModelFileError extends CogitoError {}
export class ContextOverflowError extends CogitoError {}
export class DisposedError extends CogitoError {}
export class BusyError extends CogitoError {}
export class NativeAddonError extends CogitoError {}
/** gpuLayers asked of a build or machine with no GPU device: refused rather than run on the CPU unasked. */
export class NoGpuError extends CogitoError {}
/** A GBNF grammar given to constrain generation that llama.cpp cannot use (INVALID_GRAMMAR). */
export class InvalidGrammarError extends CogitoError {}
/** A JSON Schema llama.cpp's converter cannot turn into a grammar (INVALID_JSON_SCHEMA). */
export class InvalidJsonSchemaError extends CogitoError {}
/** A chat template that cannot be rendered (CHAT_TEMPLATE), or none to render with (NO_CHAT_TEMPLATE). */
export class ChatTemplateError extends CogitoError {}

export class AbortError extends CogitoError {
  constructor(message = 'the operation was aborted') {
    super(message, 'ABORTED');
  }
}

/**
 * Throws an AbortError when the signal has fired. Not `signal.throwIfAborted()`: that throws the
 * signal's reason (a DOMException by default), which is not a CogitoError.
 */
export function throwIfAborted(signal: AbortSignal | undefined, message?: string): void {
  if (signal?.aborted) throw new AbortError(message);
}

const byCode: Partial<Record<ErrorCode, new (message: string, code: ErrorCode) => CogitoError>> = {
  ENOENT: ModelNotFoundError,
  BAD_GGUF: InvalidModelFileError,
  BAD_MODEL: InvalidModelFileError,
  CONTEXT_OVERFLOW: ContextOverflowError,
  INVALID_ARGUMENT: InvalidOptionError,
  DISPOSED: DisposedError,
  BUSY: BusyError,
  INVALID_GRAMMAR: InvalidGrammarError,
  INVALID_JSON_SCHEMA: InvalidJsonSchemaError,
  CHAT_TEMPLATE: ChatTemplateError,
  NO_CHAT_TEMPLATE: ChatTemplateError,
};

/** Turns an error thrown by the addon (an Error with a `code`) into its typed class. */
export function fromNative(err: unknown): Error {
  if (err instanceof CogitoError) return err;
  // not `instanceof Error`: the addon's errors may come from another realm (vm contexts, jest)
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    const { message, code = 'NATIVE' } = err as { message: string; code?: string };
    // every code native/ throws is listed in ERROR_CATEGORIES (test/errors.test.ts checks); keep it even if not
    const Ctor = byCode[code as ErrorCode] ?? CogitoError;
    return new Ctor(message, code as ErrorCode);
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
