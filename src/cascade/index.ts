/** `cogito ask` as a library: the verified answer, and the contract it returns (./types.ts). */
export * from './types';
export { Cascade, type AnswerTrace, type AskOptions } from './cascade';
export type { DraftGeneration } from './draft';
export type { ClaimOrigin } from './work';
export type { CascadeOptions, Router } from './options';
export { InvalidQuestionError, QuestionTooLongError, QuestionFileError } from './errors';
export { createOracle, isOracleRefusal, OracleError, type OracleApi, type OracleOptions, type OracleStyle } from './oracle';
export { readQuestionFile, summarise, unmetExpectations, type BatchQuestion, type BatchSummary, type Expectation } from './batch';
// the error root (docs/errors.md), so `instanceof CogitoError` needs no other import
export { CogitoError, ERROR_CATEGORIES, errorCategory, type ErrorCategory, type ErrorCode } from '../util/errors';
