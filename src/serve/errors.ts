/**
 * The server's errors and how every failure becomes an HTTP status, in one place: a CogitoError by
 * its category (src/util/errors.ts), with a few codes that HTTP names more precisely; fastify's own
 * errors (a malformed body, a failed schema, a body over the limit) by the status they carry.
 * Each API module only shapes the body (`{"error": "..."}` for both Ollama and OpenAI's `error` key).
 */
import { CogitoError, errorCategory, type ErrorCategory, type ErrorCode } from '../util/errors';

/** Every slot is busy and the queue behind them is full (HTTP 429 with Retry-After). */
export class QueueFullError extends CogitoError {
  constructor(
    message: string,
    /** Seconds after which a retry has a fair chance. */
    readonly retryAfterSeconds: number,
  ) {
    super(message, 'QUEUE_FULL');
  }
}

/** The server has an API key and the request does not carry it (HTTP 401). */
export class UnauthorizedError extends CogitoError {
  constructor(message: string) {
    super(message, 'UNAUTHORIZED');
  }
}

/** The model is still loading, or the server is draining for shutdown (HTTP 503). */
export class NotReadyError extends CogitoError {
  constructor(message: string) {
    super(message, 'NOT_READY');
  }
}

/** HTTP status per category: what the caller can fix is a 4xx, what went wrong here a 5xx. */
export const HTTP_STATUS: Readonly<Record<ErrorCategory, number>> = {
  usage: 400,
  'invalid-input': 400,
  'not-found': 404,
  conflict: 409,
  integrity: 500,
  // the client went away or cancelled: nginx's 499 ("client closed request"), logged, rarely seen
  aborted: 499,
  unavailable: 503,
  failed: 500,
  internal: 500,
};

/** Codes whose HTTP status is more precise than their category's. */
const BY_CODE: Partial<Record<ErrorCode, number>> = {
  UNAUTHORIZED: 401,
  QUEUE_FULL: 429,
  // a prompt longer than the context is a bad request, not a clash with the server's state
  CONTEXT_OVERFLOW: 400,
  // the model has no chat template and none was configured: the request cannot be served as asked
  NO_CHAT_TEMPLATE: 400,
  // the requested format (JSON Schema, "json") needs text the model's vocabulary cannot write:
  // the request is well formed but cannot be served by this model
  GRAMMAR_DEAD_END: 422,
};

/** The HTTP status for any thrown value. */
export function httpStatus(err: unknown): number {
  if (err instanceof CogitoError) return BY_CODE[err.code] ?? HTTP_STATUS[errorCategory(err) ?? 'internal'];
  // fastify's errors (FST_ERR_*: bad JSON, validation, body too large, bad content type) carry their status
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 600) return status;
  return 500;
}

/** The message a person reads; a 500 that is not cogito's says no more than that (details go to the log). */
export function errorMessage(err: unknown, status: number): string {
  if (err instanceof CogitoError) return err.message;
  if (status >= 500) return 'internal server error (see the server log)';
  const message = err instanceof Error ? err.message : String(err);
  return message;
}
