// Sidecars (sidecars/FORMAT.md): the file format, reading/validation, binding to a base,
// untrained sidecars, run-directory checkpoints and export, the output features φ, and a float64
// reference of the math.
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
export { configFromMetadata, configToMetadata } from './metadata';
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
export { agcAlpha, referenceEncode, referenceInject, referenceProbes, rmsNorm, type ReferenceEncoding } from './reference';
// the error root (docs/errors.md), so `instanceof CogitoError` needs no other import
export { CogitoError, ERROR_CATEGORIES, errorCategory, type ErrorCategory, type ErrorCode } from '../util/errors';
