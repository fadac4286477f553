import * as fs from 'node:fs';
import { InvalidModelFileError, ModelNotFoundError, native } from './errors';
import type { GgufInfo, GgufMetadataEntry } from './gguf';
import { addon } from './native';

/**
 * The checks cogito makes on a model file before llama.cpp reads it. llama.cpp answers many bad
 * files with an exception (which the addon turns into an error), but some with GGML_ASSERT /
 * GGML_ABORT, which kill the whole process: each check here stands in front of one of those, found
 * by reading the load and first-decode paths of the pinned source and by mutating real files
 * (test/engine/mutations.test.ts). The reference beside each check names the assert it guards.
 */

/** llama-hparams.h */
export const LLAMA_MAX_LAYERS = 512;
export const LLAMA_MAX_EXPERTS = 1024;

/** llama-model.cpp, LLAMA_ROPE_SCALING_TYPES */
const ROPE_SCALING_TYPES = ['none', 'linear', 'yarn', 'longrope'];

/**
 * Architectures whose graph asserts n_embd_head_v == n_embd_head_k == n_rot and whose tensors
 * cogito knows by name and shape (src/models/llama.cpp); other architectures get the checks
 * every architecture shares.
 */
const LLAMA_FAMILY = new Set(['llama', 'llama-embed']);

/** Tensor types no weight may have: the graph's matrix and element-wise ops assert on them. */
const NON_WEIGHT_TYPES = new Set(['i8', 'i16', 'i32', 'i64', 'f64']);

function bad(message: string): never {
  throw new InvalidModelFileError(message, 'BAD_MODEL');
}

/** Metadata access that never trusts the file's types. */
class Metadata {
  constructor(
    private readonly file: string,
    private readonly entries: Record<string, GgufMetadataEntry>,
  ) {}

  entry(key: string): GgufMetadataEntry | undefined {
    return Object.prototype.hasOwnProperty.call(this.entries, key) ? this.entries[key] : undefined;
  }

  string(key: string): string | undefined {
    const e = this.entry(key);
    if (e === undefined) return undefined;
    if (typeof e.value !== 'string') bad(`${this.file}: ${key} must be a string (it is ${e.type})`);
    return e.value;
  }

  /** A numeric scalar, or undefined when absent. */
  number(key: string): number | undefined {
    const e = this.entry(key);
    if (e === undefined) return undefined;
    if (typeof e.value !== 'number') bad(`${this.file}: ${key} must be a number (it is ${e.type})`);
    return e.value;
  }

  /** A count: a non-negative integer within `max`. */
  count(key: string, options: { min?: number; max?: number } = {}): number | undefined {
    const v = this.number(key);
    if (v === undefined) return undefined;
    const min = options.min ?? 0;
    const max = options.max ?? 0xffffffff;
    if (!Number.isInteger(v) || v < min || v > max) bad(`${this.file}: ${key} is ${v}; it must be an integer from ${min} to ${max}`);
    return v;
  }

  /** A per-layer value stored either once or as an array of one value per layer (get_key_or_arr). */
  perLayer(key: string, layers: number): number[] | undefined {
    const e = this.entry(key);
    if (e === undefined) return undefined;
    if (e.length === undefined) {
      const v = this.count(key);
      return v === undefined ? undefined : new Array<number>(layers).fill(v);
    }
    if (e.length !== layers) bad(`${this.file}: ${key} has ${e.length} values for ${layers} layers`);
    const values = e.value as unknown[];
    if (values.length !== layers) bad(`${this.file}: ${key} could not be read in full`);
    values.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) bad(`${this.file}: ${key}[${i}] is ${String(v)}; it must be a non-negative integer`);
    });
    return values as number[];
  }

  /** An epsilon or other float that ggml asserts to be >= 0 (and which must be a real number to mean anything). */
  nonNegativeFloat(key: string): void {
    const v = this.number(key);
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) bad(`${this.file}: ${key} is ${v}; it must be a finite number >= 0`);
  }

  keys(): string[] {
    return Object.keys(this.entries);
  }
}

/** The hyperparameters the checks below derive, as llama.cpp derives them. */
export interface ModelShape {
  architecture: string;
  layers: number;
  embeddingSize: number;
  heads: number[];
  headsKv: number[];
  headSizeK: number;
  headSizeV: number;
  ropeDimensions: number;
  feedForward: number[];
  vocabularySize: number;
  trainContextSize: number;
}

/**
 * Throws an InvalidModelFileError (code BAD_MODEL) naming the key or tensor when a model's
 * metadata or tensor table would make llama.cpp or ggml abort; returns the shape it read.
 */
export function validateModelInfo(info: GgufInfo, file = 'model'): ModelShape {
  const md = new Metadata(file, info.metadata);
  const architecture = md.string('general.architecture') ?? bad(`${file}: general.architecture is missing`);
  const a = (key: string) => `${architecture}.${key}`;

  // llama-model.cpp load_hparams: GGML_ASSERT(n_layer_all > 0 && n_layer_all <= LLAMA_MAX_LAYERS)
  const layers = md.count(a('block_count'), { min: 1, max: LLAMA_MAX_LAYERS }) ?? bad(`${file}: ${a('block_count')} is missing`);
  // GGML_ASSERT(n_layer_nextn <= n_layer_all)
  md.count(a('nextn_predict_layers'), { max: layers });
  // wavtokenizer: GGML_ASSERT(posnet.n_layer <= n_layer_all), GGML_ASSERT(convnext.n_layer <= n_layer_all)
  md.count(a('posnet.block_count'), { max: layers });
  md.count(a('convnext.block_count'), { max: layers });

  checkExperts(md, a, layers, file);

  // GGML_ASSERT(rope_scaling_type_train != LLAMA_ROPE_SCALING_TYPE_UNSPECIFIED)
  const scaling = md.string(a('rope.scaling.type'));
  if (scaling !== undefined && !ROPE_SCALING_TYPES.includes(scaling)) bad(`${file}: ${a('rope.scaling.type')} is "${scaling}"; it must be one of ${ROPE_SCALING_TYPES.join(', ')}`);

  // ggml.c ggml_norm / ggml_rms_norm / ggml_group_norm: GGML_ASSERT(eps >= 0.0f), reached at the first decode
  for (const key of md.keys()) {
    if (key.startsWith(`${architecture}.`) && /(^|\.)[a-z_]*(epsilon|_eps)$/.test(key)) md.nonNegativeFloat(key);
  }

  const embeddingSize = md.count(a('embedding_length'), { min: 1 }) ?? bad(`${file}: ${a('embedding_length')} is missing`);
  const trainContextSize = md.count(a('context_length'), { min: 1 }) ?? bad(`${file}: ${a('context_length')} is missing`);
  const feedForward = md.perLayer(a('feed_forward_length'), layers) ?? new Array<number>(layers).fill(0);
  const heads = md.perLayer(a('attention.head_count'), layers) ?? new Array<number>(layers).fill(0);
  const headsKv = md.perLayer(a('attention.head_count_kv'), layers) ?? heads;

  // the head size llama.cpp derives, n_embd / n_head unless given; a tensor dimension of 0 asserts
  // in llama-model-loader.cpp create_tensor: GGML_ASSERT(t_meta.ne[dim] >= 1)
  let headSizeK = 0;
  let headSizeV = 0;
  let ropeDimensions = 0;
  if (heads[0] > 0) {
    headSizeK = md.count(a('attention.key_length')) ?? Math.floor(embeddingSize / heads[0]);
    headSizeV = md.count(a('attention.value_length')) ?? Math.floor(embeddingSize / heads[0]);
    if (headSizeK < 1 || headSizeV < 1) bad(`${file}: ${a('attention.head_count')} (${heads[0]}) leaves no dimensions per head of an embedding of ${embeddingSize}`);
    ropeDimensions = md.count(a('rope.dimension_count')) ?? headSizeK;
    // ggml_rope rotates pairs of dimensions within a head
    if (ropeDimensions > headSizeK) bad(`${file}: ${a('rope.dimension_count')} (${ropeDimensions}) exceeds the head size (${headSizeK})`);
    if (ropeDimensions % 2 !== 0) bad(`${file}: ${a('rope.dimension_count')} (${ropeDimensions}) must be even`);
  }
  // grouped-query attention broadcasts K/V heads over query heads: ggml_mul_mat asserts the ratio is whole
  for (let il = 0; il < layers; il++) {
    if (headsKv[il] > 0 && heads[il] % headsKv[il] !== 0) bad(`${file}: layer ${il} has ${heads[il]} attention heads, not a multiple of its ${headsKv[il]} key/value heads (${a('attention.head_count_kv')})`);
  }

  const tokens = md.entry('tokenizer.ggml.tokens');
  const vocabularySize = tokens?.length ?? 0;
  if (tokens !== undefined && vocabularySize < 1) bad(`${file}: tokenizer.ggml.tokens is empty`);

  // llama-vocab.cpp tokenize: GGML_ASSERT(special_bos_id != LLAMA_TOKEN_NULL) when BOS is to be added
  // (likewise EOS, SEP); an id read as uint32 and stored as int32 is NULL (-1) from 2^31 on
  for (const [add, id] of [['add_bos_token', 'bos_token_id'], ['add_eos_token', 'eos_token_id'], ['add_sep_token', 'seperator_token_id']]) {
    const token = md.number(`tokenizer.ggml.${id}`);
    if (md.entry(`tokenizer.ggml.${add}`)?.value === true && token !== undefined && !(Number.isInteger(token) && token >= 0 && token < 2 ** 31)) {
      bad(`${file}: tokenizer.ggml.${id} is ${token} but tokenizer.ggml.${add} asks for it to be added`);
    }
  }

  checkTensorTypes(info, file);

  const shape: ModelShape = { architecture, layers, embeddingSize, heads, headsKv, headSizeK, headSizeV, ropeDimensions, feedForward, vocabularySize, trainContextSize };
  if (LLAMA_FAMILY.has(architecture)) checkLlama(info, md, shape, file);
  return shape;
}

/** load_hparams: the expert counts and groups it asserts on. */
function checkExperts(md: Metadata, a: (key: string) => string, layers: number, file: string): void {
  const experts = md.count(a('expert_count'), { max: LLAMA_MAX_EXPERTS }) ?? 0;
  const used = md.perLayer(a('expert_used_count'), layers) ?? [0];
  const usedMax = Math.max(0, ...used);
  const groups = md.count(a('expert_group_count')) ?? 0;
  const groupsUsed = md.count(a('expert_group_used_count')) ?? 0;
  if (usedMax > experts) bad(`${file}: ${a('expert_used_count')} (${usedMax}) exceeds ${a('expert_count')} (${experts})`);
  if (experts > 0) {
    if (usedMax === 0) bad(`${file}: ${a('expert_count')} is ${experts} but ${a('expert_used_count')} is 0`);
    if (groups >= experts) bad(`${file}: ${a('expert_group_count')} (${groups}) must be below ${a('expert_count')} (${experts})`);
    if (groups > 1) {
      if (experts % groups !== 0) bad(`${file}: ${a('expert_count')} (${experts}) is not a multiple of ${a('expert_group_count')} (${groups})`);
      if (groupsUsed === 0 || groupsUsed >= groups) bad(`${file}: ${a('expert_group_used_count')} (${groupsUsed}) must be from 1 to ${a('expert_group_count')} − 1 (${groups - 1})`);
    }
  } else {
    if (groups !== 0) bad(`${file}: ${a('expert_group_count')} is ${groups} in a model without experts`);
  }
}

/**
 * Weights of integer types reach ggml_mul_mat / ggml_mul, which assert on them; one-dimensional
 * weights (norms, biases) are the second operand of element-wise ops, which the CPU backend runs
 * only in F32 (llama.cpp's converters always store them so).
 */
function checkTensorTypes(info: GgufInfo, file: string): void {
  for (const t of info.tensors) {
    if (NON_WEIGHT_TYPES.has(t.type)) bad(`${file}: tensor ${t.name} has type ${t.type}, which no weight may have`);
    if (t.shape.length === 1 && t.type !== 'f32') bad(`${file}: tensor ${t.name} is one-dimensional and ${t.type}; it must be f32`);
    for (const n of t.shape) if (!Number.isSafeInteger(n) || n < 1) bad(`${file}: tensor ${t.name} has a dimension of ${n}`);
  }
}

/** The llama graph (src/models/llama.cpp) and the shapes its tensors must have. */
function checkLlama(info: GgufInfo, md: Metadata, s: ModelShape, file: string): void {
  const a = (key: string) => `${s.architecture}.${key}`;
  // graph: GGML_ASSERT(n_embd_head == n_embd_head_k); GGML_ASSERT(n_embd_head == n_rot)
  if (s.heads[0] === 0) bad(`${file}: ${a('attention.head_count')} is 0`);
  if (s.headSizeK !== s.headSizeV) bad(`${file}: ${a('attention.key_length')} (${s.headSizeK}) and ${a('attention.value_length')} (${s.headSizeV}) must be equal`);
  if (s.ropeDimensions !== s.headSizeK) bad(`${file}: ${a('rope.dimension_count')} (${s.ropeDimensions}) must equal the head size (${s.headSizeK})`);
  for (let il = 0; il < s.layers; il++) {
    if (s.heads[il] !== s.heads[0]) continue; // per-layer head counts: leave the shapes to llama.cpp's own checks
    if (s.headsKv[il] < 1) bad(`${file}: layer ${il} has no key/value heads (${a('attention.head_count_kv')})`);
  }
  const experts = md.count(a('expert_count')) ?? 0;
  if (experts === 0) {
    s.feedForward.forEach((ff, il) => {
      if (ff < 1) bad(`${file}: layer ${il} has a feed-forward size of ${ff} (${a('feed_forward_length')})`);
    });
  }
  if (s.vocabularySize < 1) bad(`${file}: tokenizer.ggml.tokens is missing`);

  // every tensor cogito knows by name must have the shape the hyperparameters give it; llama.cpp
  // checks too, but names neither the key nor the tensor in the message it leaves
  const E = s.embeddingSize;
  const V = s.vocabularySize;
  const expected = new Map<string, number[]>([
    ['token_embd.weight', [E, V]],
    ['output.weight', [E, V]],
    ['output_norm.weight', [E]],
  ]);
  for (let il = 0; il < s.layers; il++) {
    const q = s.headSizeK * s.heads[il];
    const kv = s.headSizeK * s.headsKv[il];
    const ff = s.feedForward[il];
    const p = `blk.${il}.`;
    expected.set(`${p}attn_norm.weight`, [E]);
    expected.set(`${p}attn_q.weight`, [E, q]);
    expected.set(`${p}attn_k.weight`, [E, kv]);
    expected.set(`${p}attn_v.weight`, [E, s.headSizeV * s.headsKv[il]]);
    expected.set(`${p}attn_output.weight`, [q, E]);
    expected.set(`${p}ffn_norm.weight`, [E]);
    if (experts === 0) {
      expected.set(`${p}ffn_gate.weight`, [E, ff]);
      expected.set(`${p}ffn_up.weight`, [E, ff]);
      expected.set(`${p}ffn_down.weight`, [ff, E]);
    }
  }
  const byName = new Map(info.tensors.map((t) => [t.name, t]));
  for (const [name, shape] of expected) {
    const t = byName.get(name);
    if (!t) continue; // a missing tensor is llama.cpp's own (thrown) error, or optional
    if (t.shape.length !== shape.length || t.shape.some((n, i) => n !== shape[i])) {
      bad(`${file}: tensor ${name} has shape [${t.shape.join(', ')}]; the metadata (${a('embedding_length')}, heads, ${a('feed_forward_length')}, vocabulary) says [${shape.join(', ')}]`);
    }
  }
  if (!byName.has('token_embd.weight')) bad(`${file}: tensor token_embd.weight is missing`);
}

/** Reads a model file's metadata and tensor table and validates them (see validateModelInfo). */
export async function validateModelFile(file: string): Promise<ModelShape> {
  // per-layer arrays hold at most LLAMA_MAX_LAYERS values; longer arrays (the vocabulary) only need their length
  if (!fs.existsSync(file)) throw new ModelNotFoundError(`model file not found: ${file}`, 'ENOENT');
  const info = (await native(() => addon().readGguf(file, LLAMA_MAX_LAYERS))) as GgufInfo;
  return validateModelInfo(info, file);
}
