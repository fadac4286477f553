export * from './types';
export { splitSentences } from './splitter';
export type { Sentence } from './splitter';
export { classifyClaim } from './classifier';
export { formalise } from './formal';
export type { FormalBackend, FormalResult, FormalAnswer, FormalProblem } from './formal';
export { ClaimRouter, extractClaims } from './router';
export type { RouterDeps } from './router';
export { loadLogicBackend } from './logic-backend';
// the error root (docs/errors.md), so `instanceof CogitoError` needs no other import
export { CogitoError, ERROR_CATEGORIES, errorCategory, type ErrorCategory, type ErrorCode } from '../util/errors';
export { matchQuestion, claimForAnswer, factForAnswer, otherPhrasings, readFrameStatement } from './frames';
export type { FrameMatch } from './frames';
export { readQuestion } from './question';
export type { QuestionShape } from './question';
export type { DomainPack, Frame } from '../corpus/domain';
export { lookupOptions } from './lookup';
