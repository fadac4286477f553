import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeAtomically, writeAtomicallySync } from './atomic-write';
import { InvalidOptionError, ModelNotFoundError, native, nativeSync } from './errors';
import { addon, packageRoot, type GgufKeyValue } from './native';
import { availableCpus, capThreads } from './resources';
import { LLAMA_MAX_LAYERS, validateModelFile } from './validate-model';

export interface GgufMetadataEntry {
  type: string;
  value: unknown;
  /** For arrays: the full length (values may be truncated to `maxArray`). */
  length?: number;
}

export interface GgufTensorInfo {
  name: string;
  type: string;
  shape: number[];
  offset: number;
  size: number;
}

export interface GgufInfo {
  version: number;
  alignment: number;
  dataOffset: number;
  fileSize: number;
  metadata: Record<string, GgufMetadataEntry>;
  tensors: GgufTensorInfo[];
}

/** Reads a GGUF's metadata and tensor table with ggml's gguf reader (arrays cut to `maxArray` values). */
export async function readGguf(file: string, options: { maxArray?: number } = {}): Promise<GgufInfo> {
  if (!fs.existsSync(file)) throw new ModelNotFoundError(`GGUF file not found: ${file}`, 'ENOENT');
  return (await native(() => addon().readGguf(file, options.maxArray ?? 64))) as GgufInfo;
}

/** The raw bytes of one tensor of a GGUF file. */
export function readGgufTensor(file: string, name: string): Buffer {
  return nativeSync(() => addon().readGgufTensor(file, name));
}

export interface GgufTensorData {
  name: string;
  /** ggml order: shape[0] is the fastest-varying dimension. */
  shape: number[];
  type?: 'f32' | 'f16';
  data: Float32Array;
}

/** Writes a GGUF with ggml's gguf writer (to a temporary file beside it, then renamed). */
export function writeGguf(file: string, metadata: GgufKeyValue[], tensors: GgufTensorData[]): void {
  writeAtomicallySync(file, (temporary) => nativeSync(() => addon().writeGguf(temporary, metadata, tensors)));
}

export type { GgufKeyValue };

export interface MakeModelOptions {
  /** Output path of the GGUF. */
  out: string;
  /** A vocabulary GGUF (default: llama.cpp's ggml-vocab-llama-spm.gguf). */
  vocab?: string;
  embeddingSize?: number;
  layers?: number;
  heads?: number;
  headsKv?: number;
  feedForwardSize?: number;
  contextSize?: number;
  seed?: number;
  /** Store the weights as F16 instead of F32. */
  f16?: boolean;
  /** Standard deviation of the random weights (default 0.02). */
  initStd?: number;
  name?: string;
}

/** The folder of llama.cpp's vocabulary files in the source the addon was built from. */
export function vocabDirectory(): string {
  return path.join(packageRoot, 'build', 'llama.cpp', 'models');
}

export function vocabPath(name: string): string {
  return path.join(vocabDirectory(), `ggml-vocab-${name}.gguf`);
}

/** Writes a randomly initialised llama-architecture model with a real tokenizer. */
export async function makeModel(options: MakeModelOptions): Promise<{ path: string; parameters: number }> {
  const vocab = options.vocab ?? vocabPath('llama-spm');
  if (!fs.existsSync(vocab)) throw new ModelNotFoundError(`vocabulary file not found: ${vocab}`, 'ENOENT');
  const sizes: [string, number | undefined][] = [
    ['embeddingSize', options.embeddingSize], ['layers', options.layers], ['heads', options.heads],
    ['headsKv', options.headsKv], ['feedForwardSize', options.feedForwardSize], ['contextSize', options.contextSize],
  ];
  for (const [name, v] of sizes) {
    // u32 in the file; beyond 2^31 the addon's integer conversion would wrap
    if (v !== undefined && (!Number.isInteger(v) || v <= 0 || v > 0x7fffffff)) throw new InvalidOptionError(`${name} must be a positive integer`, 'INVALID_ARGUMENT');
  }
  if (options.layers !== undefined && options.layers > LLAMA_MAX_LAYERS) {
    throw new InvalidOptionError(`layers must be at most ${LLAMA_MAX_LAYERS} (llama.cpp's limit)`, 'INVALID_ARGUMENT');
  }
  if (options.initStd !== undefined && !(Number.isFinite(options.initStd) && options.initStd >= 0)) {
    throw new InvalidOptionError('initStd must be a finite number >= 0', 'INVALID_ARGUMENT');
  }
  return writeAtomically(options.out, async (temporary) => {
    const r = await native(() => addon().makeModel({
      out: temporary, vocab, name: options.name ?? 'cogito-random',
      nEmbd: options.embeddingSize, nLayer: options.layers, nHead: options.heads, nHeadKv: options.headsKv ?? options.heads,
      nFf: options.feedForwardSize, nCtx: options.contextSize, seed: options.seed ?? 42, f16: options.f16 ?? false, initStd: options.initStd,
    }));
    // what llama.cpp would assert on is refused before the file takes its name
    await validateModelFile(temporary);
    return { ...r, path: options.out };
  });
}

export const QUANTIZATION_TYPES = ['q8_0', 'q4_0', 'f16', 'q4_k_m', 'q5_k_m', 'q6_k'] as const;
export type QuantizationType = (typeof QUANTIZATION_TYPES)[number];

/**
 * Quantizes a model with llama.cpp's quantizer. The output is written beside its final name and
 * renamed, so `output` may be `input` itself (the input stays mapped and whole until the end).
 * llama.cpp refuses to quantize an already quantized model unless `allowRequantize` (the result
 * carries both roundings). The k-quants fall back to other types for rows not a multiple of 256.
 */
export async function quantize(input: string, output: string, type: QuantizationType, options: { threads?: number; allowRequantize?: boolean } = {}): Promise<string> {
  if (!fs.existsSync(input)) throw new ModelNotFoundError(`model file not found: ${input}`, 'ENOENT');
  if (!(QUANTIZATION_TYPES as readonly string[]).includes(type)) throw new InvalidOptionError(`type must be one of ${QUANTIZATION_TYPES.join(', ')} (got '${type}')`, 'INVALID_ARGUMENT');
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 0)) {
    throw new InvalidOptionError('threads must be a non-negative integer', 'INVALID_ARGUMENT');
  }
  await validateModelFile(input);
  // 0 lets llama.cpp take every hardware thread; more than the CPUs there are only slows it down
  const threads = capThreads(options.threads || availableCpus()).threads;
  await writeAtomically(output, (temporary) => native(() => addon().quantize(input, temporary, type, threads, options.allowRequantize ?? false)));
  return output;
}
