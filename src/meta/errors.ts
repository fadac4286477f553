/** Typed failures of the meta layer (signals, hidden-state distribution, feedback buffer); docs/errors.md. */
import { CogitoError, type ErrorCode } from '../util/errors';

/** Input the meta layer rejects (a malformed outcome, signals vector or distribution); the root of its errors. */
export class MetaError extends CogitoError {
  constructor(message: string, code: ErrorCode = 'META_INVALID') {
    super(message, code);
    this.name = 'MetaError';
  }
}

/** The feedback buffer's file has a schema version this cogito cannot read. */
export class FeedbackSchemaError extends MetaError {
  constructor(
    readonly path: string,
    readonly found: string | null,
    detail: string,
  ) {
    super(`${path}: feedback buffer schema version ${found ?? 'missing'}: ${detail}`, 'FEEDBACK_SCHEMA');
    this.name = 'FeedbackSchemaError';
  }
}

/** Another connection held the buffer's lock for longer than the busy timeout. */
export class FeedbackBusyError extends MetaError {
  constructor(
    readonly path: string,
    readonly busyTimeoutMs: number,
  ) {
    super(`${path}: the feedback buffer stayed locked by another connection for ${busyTimeoutMs} ms`, 'FEEDBACK_BUSY');
    this.name = 'FeedbackBusyError';
  }
}

/** SQLite's quick_check of the buffer's file did not come back `ok`. */
export class FeedbackIntegrityError extends MetaError {
  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    super(`${path}: the feedback buffer's file is damaged: ${problems.slice(0, 3).join('; ')}`, 'FEEDBACK_INTEGRITY');
    this.name = 'FeedbackIntegrityError';
  }
}

/** A user's judgement names an answer the feedback buffer never registered. */
export class UnknownAnswerError extends MetaError {
  constructor(
    readonly path: string,
    readonly answerId: string,
  ) {
    super(`${path}: the feedback buffer knows no answer with id ${JSON.stringify(answerId)} (answers are registered by cogito ask with feedback on, against the VKS beside this buffer)`, 'FEEDBACK_UNKNOWN_ANSWER');
    this.name = 'UnknownAnswerError';
  }
}

/** A meta-learner file cogito cannot read: not a GGUF, another kind, a missing or misshapen tensor, a damaged or truncated file. */
export class MetaLearnerFileError extends MetaError {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: not a usable meta-learner: ${detail}`, 'META_LEARNER_FILE');
    this.name = 'MetaLearnerFileError';
  }
}

/** A meta-learner made for another base model or another layout of the signals vector. */
export class MetaLearnerMismatchError extends MetaError {
  constructor(message: string) {
    super(message, 'META_LEARNER_MISMATCH');
    this.name = 'MetaLearnerMismatchError';
  }
}

/** A sidecar run from the feedback buffer names a buffer file that does not exist. */
export class FeedbackNotFoundError extends MetaError {
  constructor(readonly path: string) {
    super(`${path}: no feedback buffer here (cogito ask writes it beside its VKS, with feedback on)`, 'FEEDBACK_NOT_FOUND');
    this.name = 'FeedbackNotFoundError';
  }
}

/** No answer of the feedback buffer was drafted by the base model given: its verdicts are about another model's answers. */
export class FeedbackModelMismatchError extends MetaError {
  constructor(
    readonly path: string,
    readonly fingerprint: string,
    /** The fingerprints the buffer's answers name (null: answers registered without one). */
    readonly found: (string | null)[],
  ) {
    const named = found.map((f) => f ?? 'none recorded').join(', ');
    super(`${path}: none of the feedback buffer's answers was drafted by the model given (fingerprint ${fingerprint}); its answers name ${named || 'no model'}: its verdicts are about another model's answers`, 'FEEDBACK_MODEL_MISMATCH');
    this.name = 'FeedbackModelMismatchError';
  }
}
