import type { GgufKeyValue } from '../engine';
import type { TensorSource } from './source';
import { PROVENANCE_KEYS } from './provenance';

/** One tensor of the GGUF to write, and where its data comes from: a checkpoint, or computed by the converter. */
export type PlannedTensor = CopiedTensor | ComputedTensor;

export interface CopiedTensor {
  /** llama.cpp's name (token_embd.weight, blk.0.attn_q.weight, …). */
  name: string;
  /** ggml order: the source's row-major shape reversed. */
  shape: number[];
  source: TensorSource;
  /** Set for Q and K from a rotate-half checkpoint: rows are permuted within heads of this size. */
  rotaryHeadDim?: number;
}

/** A small tensor the converter derives from config.json (llama 3's RoPE frequency factors). */
export interface ComputedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Where a converted model came from, written into its metadata (cogito.convert.*). */
export interface Provenance {
  /** 'llama2c' or 'huggingface'. */
  sourceFormat: 'llama2c' | 'huggingface';
  /** The source's own architecture name (LlamaForCausalLM, llama2.c). */
  architecture: string;
  /** 'llama2c-spm', 'sentencepiece-bpe' (SPM vocabulary from a ▁/byte-fallback BPE) or 'gpt2-bpe'. */
  tokenizer: string;
}

export interface ConversionPlan {
  metadata: GgufKeyValue[];
  tensors: PlannedTensor[];
  provenance: Provenance;
}

/** The numbers of a llama-family model that shape its GGUF. */
export interface LlamaHyperparameters {
  /** 'llama' or 'qwen2': llama.cpp's architecture, the prefix of its keys. */
  arch: 'llama' | 'qwen2';
  name: string;
  contextLength: number;
  embeddingLength: number;
  feedForwardLength: number;
  blockCount: number;
  headCount: number;
  headCountKv: number;
  headDim: number;
  rmsEps: number;
  ropeFreqBase: number;
  /** Linear RoPE scaling factor, when the checkpoint has one. */
  ropeScaleLinear?: number;
  vocabSize: number;
}

export function kv(key: string, type: string, value: unknown): GgufKeyValue {
  return { key, type, value };
}

/** The architecture keys llama.cpp reads for a llama-family model. */
export function llamaMetadata(hp: LlamaHyperparameters, provenance: Provenance): GgufKeyValue[] {
  const a = hp.arch;
  const out = [
    kv('general.architecture', 'string', a),
    kv('general.name', 'string', hp.name),
    // LLAMA_FTYPE_ALL_F32: the converter writes f32, llama.cpp's quantizer takes it from there
    kv('general.file_type', 'u32', 0),
    kv(`${a}.context_length`, 'u32', hp.contextLength),
    kv(`${a}.embedding_length`, 'u32', hp.embeddingLength),
    kv(`${a}.feed_forward_length`, 'u32', hp.feedForwardLength),
    kv(`${a}.block_count`, 'u32', hp.blockCount),
    kv(`${a}.attention.head_count`, 'u32', hp.headCount),
    kv(`${a}.attention.head_count_kv`, 'u32', hp.headCountKv),
    kv(`${a}.attention.layer_norm_rms_epsilon`, 'f32', hp.rmsEps),
    kv(`${a}.rope.freq_base`, 'f32', hp.ropeFreqBase),
    kv(`${a}.rope.dimension_count`, 'u32', hp.headDim),
    kv(`${a}.vocab_size`, 'u32', hp.vocabSize),
    kv(PROVENANCE_KEYS.sourceFormat, 'string', provenance.sourceFormat),
    kv(PROVENANCE_KEYS.architecture, 'string', provenance.architecture),
    kv(PROVENANCE_KEYS.tokenizer, 'string', provenance.tokenizer),
  ];
  if (hp.headDim * hp.headCount !== hp.embeddingLength) {
    out.push(kv(`${a}.attention.key_length`, 'u32', hp.headDim), kv(`${a}.attention.value_length`, 'u32', hp.headDim));
  }
  if (hp.ropeScaleLinear !== undefined) {
    out.push(kv(`${a}.rope.scaling.type`, 'string', 'linear'), kv(`${a}.rope.scaling.factor`, 'f32', hp.ropeScaleLinear));
  }
  return out;
}

/** The source's row-major shape in ggml's order. */
export function ggmlShape(rowMajor: readonly number[]): number[] {
  return [...rowMajor].reverse();
}
