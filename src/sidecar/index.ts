// Sidecars (sidecars/FORMAT.md): the file format, reading/validation, binding to a base,
// untrained sidecars, the output features φ, and two-pass inference. The keys, types and tensor
// shapes live in one table (sidecars/format.json), shared with the native loader, which is the validator.
export { InvalidSidecarError, SidecarMismatchError, SidecarNotFoundError } from './errors';
export {
  ENCODER_TYPES,
  GATINGS,
  KEYS as SIDECAR_KEYS,
  OUTPUT_FEATURES,
  SIDECAR_ARCHITECTURE,
  SIDECAR_KINDS,
  SIDECAR_VERSION,
  SIDECAR_VERSIONS,
  elementCount,
  parameterCount,
  tensorSpecs,
  type BaseModelInfo,
  type EncoderType,
  type Gating,
  type Sidecar,
  type SidecarConfig,
  type SidecarKind,
  type SidecarTensor,
  type SidecarVersion,
  type TensorSpec,
} from './format';
export { outputFeatures } from './features';
export { configToMetadata } from './metadata';
export { validateConfig } from './validate';
export { readSidecar, writeSidecar } from './file';
export { checkBinding, type BindOptions } from './bind';
export { createSidecar, sidecarConfig, DEFAULT_REFUSAL, type CreateSidecarOptions } from './create';
export {
  TwoPass,
  type AgcOptions,
  type CognitiveState,
  type Decision,
  type RefreshOptions,
  type TwoPassGenerateOptions,
  type TwoPassLoadOptions,
  type TwoPassResult,
} from './twopass';
export { resolveTargetLayers } from './layers';
export { inspectSidecar, type SidecarReport } from './inspect';
// the error root (docs/errors.md), so `instanceof CogitoError` needs no other import
export { CogitoError, ERROR_CATEGORIES, errorCategory, type ErrorCategory, type ErrorCode } from '../util/errors';
