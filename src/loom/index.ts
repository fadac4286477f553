// loom: collect → train → eval → export. This file re-exports the parts that need no native addon.
export * from './metrics';
export * from './stats';
export * from './manifest';
export { CHECKPOINT_FILE, EXPORT_FILE, checkpointPath, exportSidecar, saveCheckpoint, writeCheckpoint, type ExportResult } from './checkpoint';
export * from './judge';
export * from './png';
export * from './plot';
export * from './report';
// the error root (docs/errors.md), so `instanceof CogitoError` needs no other import
export { CogitoError, ERROR_CATEGORIES, errorCategory, type ErrorCategory, type ErrorCode } from '../util/errors';
