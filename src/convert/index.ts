/** Checkpoints trained elsewhere → GGUF, without Python: llama2.c and Hugging Face safetensors. */
export { convertModel, planConversion, CONVERT_TYPES, type ConvertOptions, type ConvertResult, type ConvertType } from './convert';
export { CheckpointError, TokenizerNotFoundError, UnsupportedArchitectureError } from './errors';
export { SUPPORTED_ARCHITECTURES } from './huggingface';
export { readSafetensorsHeader, type SafetensorsFile, type SafetensorsTensor } from './safetensors';
export type { ConversionPlan, PlannedTensor, Provenance } from './plan';
export { describeProvenance, provenanceOf, readProvenance, PROVENANCE_KEYS } from './provenance';
