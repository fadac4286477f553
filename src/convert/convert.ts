import * as fs from 'node:fs';
import * as path from 'node:path';
import { quantize, validateModelFile, writeAtomically, writeGgufStream, InvalidOptionError, NotFoundError, type GgufStreamTensor } from '../engine';
import { planHuggingFace } from './huggingface';
import { planLlama2c } from './llama2c';
import type { ConversionPlan, PlannedTensor, Provenance } from './plan';
import { permuteRotaryRows, readF32Chunks } from './source';

export const CONVERT_TYPES = ['f32', 'f16', 'q8_0', 'q4_0', 'q4_k_m', 'q5_k_m', 'q6_k'] as const;
export type ConvertType = (typeof CONVERT_TYPES)[number];

export interface ConvertOptions {
  /** A llama2.c checkpoint (.bin) or a Hugging Face model folder. */
  input: string;
  /** The GGUF to write (written beside itself and renamed once complete). */
  output: string;
  /** Weight type of the output (default f32). */
  type?: ConvertType;
  /** A llama2.c checkpoint's tokenizer.bin. */
  tokenizer?: string;
  /** Threads for quantizing (default: all CPUs). */
  threads?: number;
}

export interface ConvertResult {
  output: string;
  type: ConvertType;
  provenance: Provenance;
  tensors: number;
  /** Bytes of tensor data read from the input. */
  bytesRead: number;
}

/** Reads a checkpoint's plan: a folder is Hugging Face, a file is llama2.c. */
export function planConversion(input: string, tokenizer?: string): ConversionPlan {
  if (!fs.existsSync(input)) throw new NotFoundError(`input not found: ${input}`);
  return fs.statSync(input).isDirectory() ? planHuggingFace(input) : planLlama2c(input, tokenizer);
}

function streamTensor(t: PlannedTensor): GgufStreamTensor {
  if ('values' in t) {
    const { values } = t;
    return { name: t.name, shape: t.shape, type: 'f32', chunks: () => [new Uint8Array(values.buffer, values.byteOffset, values.byteLength)] };
  }
  const headDim = t.rotaryHeadDim;
  return {
    name: t.name, shape: t.shape, type: 'f32',
    chunks: () => readF32Chunks(t.source, headDim === undefined ? {} : {
      rowsPerBlock: headDim,
      transform: (rows, rowLength) => permuteRotaryRows(rows, rowLength, headDim),
    }),
  };
}

/**
 * Converts a llama2.c checkpoint or a Hugging Face folder to a GGUF llama.cpp loads, one tensor
 * at a time. The f32 GGUF is written to a temporary file and checked as a model; other types are
 * made from it by llama.cpp's quantizer; only a complete, valid file takes the output's name.
 */
export async function convertModel(options: ConvertOptions): Promise<ConvertResult> {
  const type = options.type ?? 'f32';
  if (!(CONVERT_TYPES as readonly string[]).includes(type)) throw new InvalidOptionError(`type must be one of ${CONVERT_TYPES.join(', ')} (got '${type}')`);
  if (!options.output) throw new InvalidOptionError('an output path is required');
  const plan = planConversion(options.input, options.tokenizer);
  const bytesRead = plan.tensors.reduce((n, t) => n + ('source' in t ? t.shape.reduce((a, b) => a * b, 1) * (t.source.dtype === 'F32' ? 4 : 2) : 0), 0);
  const writeF32 = async (file: string): Promise<void> => {
    await writeGgufStream(file, plan.metadata, plan.tensors.map(streamTensor));
    await validateModelFile(file);
  };
  await writeAtomically(options.output, async (temporary) => {
    if (type === 'f32') return writeF32(temporary);
    // the f32 intermediate lives beside the output, under a name no other writer uses
    const f32 = path.join(path.dirname(temporary), `${path.basename(temporary)}.f32`);
    try {
      await writeF32(f32);
      await quantize(f32, temporary, type, { threads: options.threads });
    } finally {
      fs.rmSync(f32, { force: true });
    }
    await validateModelFile(temporary);
  });
  return { output: options.output, type, provenance: plan.provenance, tensors: plan.tensors.length, bytesRead };
}
