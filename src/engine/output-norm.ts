import { InvalidModelFileError, InvalidOptionError } from './errors';
import { readGguf, readGgufTensor, type GgufInfo } from './gguf';
import type { Model } from './model';

/**
 * The model's final norm (`output_norm`), the step between the last layer's residual stream and
 * what llama.cpp calls the embeddings (`result_norm`): y = x / sqrt(mean(x²) + ε) · w.
 * Read once per model from its GGUF; only RMS norms are supported, the norm of the llama family
 * and of most models llama.cpp runs (Qwen, Mistral, Gemma, Phi-3, …).
 */
export interface OutputNorm {
  weight: Float32Array;
  epsilon: number;
}

const cache = new WeakMap<Model, Promise<OutputNorm>>();

/** The final RMS norm of a loaded model (read from its file once, then cached). */
export function outputNorm(model: Model): Promise<OutputNorm> {
  let norm = cache.get(model);
  if (!norm) {
    norm = readOutputNorm(model.info.path, model.info.architecture, model.info.embeddingSize);
    // a failed read is not remembered: the next call reports it again rather than a stale promise
    norm.catch(() => cache.delete(model));
    cache.set(model, norm);
  }
  return norm;
}

async function readOutputNorm(file: string, architecture: string, embeddingSize: number): Promise<OutputNorm> {
  const info = await readGguf(file, { maxArray: 0 });
  const unsupported = (why: string) =>
    new InvalidOptionError(`the final norm of this ${architecture} model is not supported for embeddings (${why}); pass norm: false for the raw residual stream`, 'INVALID_ARGUMENT');
  const tensor = info.tensors.find((t) => t.name === 'output_norm.weight');
  if (!tensor) throw unsupported('it has no output_norm.weight tensor');
  if (info.tensors.some((t) => t.name === 'output_norm.bias')) throw unsupported('output_norm has a bias: a LayerNorm, not an RMS norm');
  const epsilon = rmsEpsilon(info, architecture);
  if (epsilon === undefined) throw unsupported(`no ${architecture}.attention.layer_norm_rms_epsilon key`);
  const count = tensor.shape.reduce((a, b) => a * b, 1);
  if (count !== embeddingSize) {
    throw new InvalidModelFileError(`output_norm.weight has ${count} values but the model is ${embeddingSize} wide`, 'BAD_MODEL');
  }
  return { weight: decodeWeights(readGgufTensor(file, 'output_norm.weight'), tensor.type, count), epsilon };
}

function rmsEpsilon(info: GgufInfo, architecture: string): number | undefined {
  const value = info.metadata[`${architecture}.attention.layer_norm_rms_epsilon`]?.value;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** F32 as stored; F16 and BF16 widened exactly; quantized norms (llama.cpp never makes them) refused. */
function decodeWeights(bytes: Buffer, type: string, count: number): Float32Array {
  const width = type === 'f32' ? 4 : type === 'f16' || type === 'bf16' ? 2 : 0;
  if (width === 0) throw new InvalidModelFileError(`output_norm.weight is stored as ${type}; only f32, f16 and bf16 norms are supported`, 'BAD_MODEL');
  if (bytes.byteLength !== count * width) {
    throw new InvalidModelFileError(`output_norm.weight holds ${bytes.byteLength} bytes, not the ${count * width} its ${type} shape needs`, 'BAD_MODEL');
  }
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    if (type === 'f32') out[i] = bytes.readFloatLE(i * 4);
    else if (type === 'bf16') out[i] = bf16ToFloat(bytes.readUInt16LE(i * 2));
    else out[i] = f16ToFloat(bytes.readUInt16LE(i * 2));
  }
  return out;
}

const widen = new DataView(new ArrayBuffer(4));

function bf16ToFloat(bits: number): number {
  widen.setUint32(0, bits << 16);
  return widen.getFloat32(0);
}

export function f16ToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Applies the norm to one row, in float64 (ggml sums the squares in double too). */
export function applyOutputNorm(norm: OutputNorm, row: Float32Array | Float64Array, out: Float64Array): void {
  let squares = 0;
  for (let i = 0; i < row.length; i++) squares += row[i] * row[i];
  const scale = 1 / Math.sqrt(squares / row.length + norm.epsilon);
  for (let i = 0; i < row.length; i++) out[i] = row[i] * scale * norm.weight[i];
}
