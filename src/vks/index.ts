export * from './types';
export * from './errors';
export { Vks, symbolsOf } from './store';
export type { OpenOptions, Canonicaliser, EquivalenceConfirmer, LookupHint, ChainReport, AuditReport, ExpectedHeads, InvalidationReport, VksExport, ExportedRecord, ImportReport } from './store';
export { DEFAULT_BUSY_TIMEOUT_MS } from './connection';
export { normaliseText, fuzzyTokens, fuzzySequence, jaccard, claimSimilarity } from '../util/normalise';
export { GENESIS_HASH, canonicalJson, chainHash } from './chain';
export { SEED_AXIOMS, seedVks } from './seed';
export type { SeedAxiom } from './seed';
// the error root (docs/errors.md), so `instanceof CogitoError` needs no other import
export { CogitoError, ERROR_CATEGORIES, errorCategory, type ErrorCategory, type ErrorCode } from '../util/errors';
export { readMeaning, sameMeaning } from './meaning';
export type { Meaning, MeaningPart, MeaningShape } from './meaning';
