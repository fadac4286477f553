import type { Context } from './context';
import { InternalError, InvalidOptionError } from './errors';
import type { Model } from './model';
import { applyOutputNorm, outputNorm, type OutputNorm } from './output-norm';

/** How the positions' hidden states become one vector: their mean, the last position's, or the first's (CLS). */
export type EmbeddingPooling = 'mean' | 'last' | 'cls';

/**
 * Scaling of the pooled vector: `false` none, `true` or `'l2'` unit Euclidean norm, `'l1'` unit
 * taxicab norm, `'max'` largest magnitude 1, a number p ≥ 1 unit p-norm (llama.cpp's
 * `--embd-normalize`, except that its int16 "max absolute" scale is plain max here).
 */
export type EmbeddingNormalization = boolean | 'l2' | 'l1' | 'max' | number;

export interface EmbedOptions {
  /** The layer whose output is read, 0 … layerCount − 1 (default the last). */
  layer?: number;
  /** Default "mean". */
  pooling?: EmbeddingPooling;
  /**
   * Apply the model's final RMS norm (`output_norm`) to every position before pooling. Default:
   * true at the last layer — llama.cpp's own embeddings — and false elsewhere, the raw residual stream.
   */
  norm?: boolean;
  /** Default false (the pooled values as they are). */
  normalize?: EmbeddingNormalization;
  /** Add BOS (and what else the vocabulary asks) when tokenizing text (default true). */
  addSpecial?: boolean;
}

export interface ModelEmbedOptions extends EmbedOptions {
  /** Positions of the temporary context (default: the longest input's token count). */
  contextSize?: number;
  /** CPU threads of the temporary context (default as for createContext). */
  threads?: number;
}

export type EmbeddingInput = string | readonly number[];

interface ResolvedOptions {
  layer: number;
  pooling: EmbeddingPooling;
  norm: boolean;
  normalize: 'l2' | 'l1' | 'max' | number | null;
  addSpecial: boolean;
}

const POOLINGS: readonly EmbeddingPooling[] = ['mean', 'last', 'cls'];

function resolveOptions(model: Model, options: EmbedOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('embed options must be an object', 'INVALID_ARGUMENT');
  const last = model.info.layerCount - 1;
  const layer = options.layer ?? last;
  if (!Number.isInteger(layer) || layer < 0 || layer > last) {
    throw new InvalidOptionError(`layer must be an integer from 0 to ${last} (got ${String(options.layer)})`, 'INVALID_ARGUMENT');
  }
  const pooling = options.pooling ?? 'mean';
  if (!POOLINGS.includes(pooling)) throw new InvalidOptionError(`pooling must be one of ${POOLINGS.join(', ')} (got ${String(options.pooling)})`, 'INVALID_ARGUMENT');
  const norm = options.norm ?? layer === last;
  if (typeof norm !== 'boolean') throw new InvalidOptionError(`norm must be a boolean (got ${String(options.norm)})`, 'INVALID_ARGUMENT');
  const addSpecial = options.addSpecial ?? true;
  if (typeof addSpecial !== 'boolean') throw new InvalidOptionError(`addSpecial must be a boolean (got ${String(options.addSpecial)})`, 'INVALID_ARGUMENT');
  return { layer, pooling, norm, normalize: resolveNormalization(options.normalize), addSpecial };
}

function resolveNormalization(value: EmbeddingNormalization | undefined): ResolvedOptions['normalize'] {
  if (value === undefined || value === false) return null;
  if (value === true || value === 'l2') return 'l2';
  if (value === 'l1' || value === 'max') return value;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 1) return value === 2 ? 'l2' : value === 1 ? 'l1' : value;
  throw new InvalidOptionError(`normalize must be a boolean, "l2", "l1", "max" or a number p >= 1 (got ${String(value)})`, 'INVALID_ARGUMENT');
}

function toTokens(model: Model, input: EmbeddingInput, addSpecial: boolean): number[] {
  if (typeof input === 'string') {
    const tokens = model.tokenize(input, { addSpecial });
    if (tokens.length === 0) throw new InvalidOptionError('the text to embed gives no tokens', 'INVALID_ARGUMENT');
    return tokens;
  }
  if (!Array.isArray(input)) throw new InvalidOptionError('embed takes a string or an array of token ids', 'INVALID_ARGUMENT');
  if (input.length === 0) throw new InvalidOptionError('embed needs at least one token', 'INVALID_ARGUMENT');
  model.checkTokens(input);
  return [...input];
}

/** The pooled, optionally normed and normalised hidden state of one input, evaluated on `context`. */
export async function embedOnContext(context: Context, input: EmbeddingInput, options: EmbedOptions = {}): Promise<Float32Array> {
  const [vector] = await embedBatchOnContext(context, [input], options);
  return vector;
}

/** One vector per input, evaluated one after another on `context` (its cache is replaced). */
export async function embedBatchOnContext(context: Context, inputs: readonly EmbeddingInput[], options: EmbedOptions = {}): Promise<Float32Array[]> {
  const { sequences, resolved } = prepare(context.model, inputs, options);
  return run(context, sequences, resolved);
}

/** Embeds with a temporary context sized to the inputs, disposed afterwards. */
export async function embedWithModel(model: Model, inputs: readonly EmbeddingInput[], options: ModelEmbedOptions = {}): Promise<Float32Array[]> {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('embed options must be an object', 'INVALID_ARGUMENT');
  const { contextSize, threads, ...embedOptions } = options;
  // everything is checked before a context is made
  const { sequences, resolved } = prepare(model, inputs, embedOptions);
  const longest = Math.max(...sequences.map((s) => s.length));
  const context = await model.createContext({ contextSize: contextSize ?? longest, threads });
  try {
    return await run(context, sequences, resolved);
  } finally {
    await context.dispose();
  }
}

function prepare(model: Model, inputs: readonly EmbeddingInput[], options: EmbedOptions): { sequences: number[][]; resolved: ResolvedOptions } {
  if (!Array.isArray(inputs) || inputs.length === 0) throw new InvalidOptionError('embedBatch takes a non-empty array of strings or token arrays', 'INVALID_ARGUMENT');
  const resolved = resolveOptions(model, options);
  return { sequences: inputs.map((input) => toTokens(model, input, resolved.addSpecial)), resolved };
}

async function run(context: Context, sequences: number[][], options: ResolvedOptions): Promise<Float32Array[]> {
  const norm = options.norm ? await outputNorm(context.model) : null;
  const out: Float32Array[] = [];
  for (const tokens of sequences) out.push(await embedTokens(context, tokens, options, norm));
  return out;
}

async function embedTokens(context: Context, tokens: number[], options: ResolvedOptions, norm: OutputNorm | null): Promise<Float32Array> {
  const model = context.model;
  const width = model.info.embeddingSize;
  const finalLayer = options.layer === model.info.layerCount - 1;
  const everyRow = options.pooling !== 'last';
  // llama.cpp keeps only the output positions' rows after the last layer: every position must be an output
  // there, which also copies positions × vocabulary logits (the cost of mean/cls at the final layer)
  const result = await context.evaluate(tokens, {
    logits: finalLayer && everyRow ? 'all' : 'last',
    taps: { layers: [options.layer], mode: everyRow ? 'all' : 'last' },
  });
  const tap = result.taps?.find((t) => t.layer === options.layer);
  const rows = everyRow ? tokens.length : 1;
  if (!tap || tap.data.length !== rows * width) throw new InternalError(`layer ${options.layer} was not read for all ${rows} positions`);

  const chosen = options.pooling === 'mean' ? range(rows) : options.pooling === 'cls' ? [0] : [rows - 1];
  const pooled = new Float64Array(width);
  const normed = new Float64Array(width);
  for (const r of chosen) {
    const row = tap.data.subarray(r * width, (r + 1) * width);
    if (norm) applyOutputNorm(norm, row, normed);
    else normed.set(row);
    for (let i = 0; i < width; i++) pooled[i] += normed[i];
  }
  for (let i = 0; i < width; i++) pooled[i] /= chosen.length;
  return normalise(Float32Array.from(pooled), options.normalize);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** As llama.cpp's common_embd_normalize: the norm summed in float64, one float32 scale; a zero vector stays zero. */
function normalise(v: Float32Array, kind: ResolvedOptions['normalize']): Float32Array {
  if (kind === null) return v;
  let size = 0;
  if (kind === 'max') for (const x of v) size = Math.max(size, Math.abs(x));
  else if (kind === 'l2') {
    for (const x of v) size += x * x;
    size = Math.sqrt(size);
  } else {
    const p = kind === 'l1' ? 1 : kind;
    for (const x of v) size += Math.abs(x) ** p;
    size = size ** (1 / p);
  }
  const scale = Math.fround(size > 0 ? 1 / size : 0);
  return v.map((x) => x * scale);
}
