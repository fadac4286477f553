/**
 * How the CLI reports a failure, in one place: one line on stderr and an exit status chosen by
 * the error's category (src/util/errors.ts). Commands only throw typed errors; bin/cogito.js and
 * main() end here. An HTTP layer maps the same categories to its statuses the same way.
 */
import { CogitoError, errorCategory, type ErrorCategory, type ErrorCode } from '../util/errors';

/**
 * Exit status per category. Every failure the user can fix exits 1, as commander's own usage
 * errors do; what needs someone else (a build, a bug report) or was cancelled gets its own
 * status (sysexits.h EX_UNAVAILABLE and EX_SOFTWARE; 128 + SIGINT).
 */
export const EXIT_STATUS: Readonly<Record<ErrorCategory, number>> = {
  usage: 1,
  'invalid-input': 1,
  'not-found': 1,
  conflict: 1,
  integrity: 1,
  failed: 1,
  aborted: 130,
  unavailable: 69,
  internal: 70,
};

/** The status of a failure that is not a CogitoError (a file system error from Node, say). */
export const EXIT_OTHER = 1;

/** A word put before the message where the code alone should stop the reader. */
const HEADLINE: Partial<Record<ErrorCode, string>> = {
  VKS_INTEGRITY: 'TAMPERED',
};

/** What a failure was about (a store file, an export), kept beside the error so its class, code and message stay as thrown. */
const subjects = new WeakMap<object, string>();

/**
 * Runs `work`; a CogitoError escaping it is reported as being about `subject` (a path, say).
 * The innermost subject wins.
 */
export function about<T>(subject: string, work: () => T): T {
  const mark = (err: unknown): never => {
    if (err instanceof CogitoError && !subjects.has(err)) subjects.set(err, subject);
    throw err;
  };
  try {
    const result = work();
    return result instanceof Promise ? (result.catch(mark) as T) : result;
  } catch (err) {
    return mark(err);
  }
}

/** The exit status for a thrown value. */
export function exitStatus(err: unknown): number {
  const category = errorCategory(err);
  return category === null ? EXIT_OTHER : EXIT_STATUS[category];
}

/** The one line the CLI prints for a thrown value: `cogito: [subject: ][HEADLINE: ]message [CODE]`. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // multi-line messages (a parse error's caret diagram) keep their first line, which says what went wrong
  const parts = [message.split('\n', 1)[0]];
  if (err instanceof CogitoError) {
    const headline = HEADLINE[err.code];
    if (headline) parts.unshift(headline);
    const subject = subjects.get(err);
    // a message that already names its file (a busy or schema error) is not prefixed twice
    if (subject && !message.startsWith(`${subject}:`)) parts.unshift(subject);
    return `cogito: ${parts.join(': ')} [${err.code}]`;
  }
  return `cogito: ${parts[0]}`;
}

/** Prints the failure's line on stderr and returns its exit status (for process.exitCode). */
export function reportFailure(err: unknown): number {
  process.stderr.write(`${errorLine(err)}\n`);
  return exitStatus(err);
}
