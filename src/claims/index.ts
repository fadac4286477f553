export * from './types';
export { splitSentences } from './splitter';
export type { Sentence } from './splitter';
export { classifyClaim } from './classifier';
export { formalise } from './formal';
export type { FormalBackend, FormalResult, FormalAnswer, FormalProblem } from './formal';
export { ClaimRouter, extractClaims } from './router';
export type { RouterDeps } from './router';
export { loadLogicBackend } from './logic-backend';
