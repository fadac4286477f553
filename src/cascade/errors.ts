/** Errors of `cogito ask`: a question the cascade cannot take, a batch file it cannot read. */
import { ContextOverflowError } from '../engine/errors';
import { CogitoError, type ErrorCode } from '../util/errors';

/** An empty question, one with NUL characters, or one that is not text (INVALID_QUESTION). */
export class InvalidQuestionError extends CogitoError {
  constructor(message: string, code: ErrorCode = 'INVALID_QUESTION') {
    super(message, code);
  }
}

/** A question longer than the model's context leaves room for (CONTEXT_OVERFLOW). */
export class QuestionTooLongError extends ContextOverflowError {
  constructor(message: string) {
    super(message, 'CONTEXT_OVERFLOW');
  }
}

/** A line of a `cogito ask --batch` file that is not a question (INVALID_QUESTION_FILE); names file and line. */
export class QuestionFileError extends CogitoError {
  constructor(source: string, line: number | null, message: string) {
    super(`${source}${line === null ? '' : `:${line}`}: ${message}`, 'INVALID_QUESTION_FILE');
  }
}
