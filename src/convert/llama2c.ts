import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GgufKeyValue } from '../engine';
import { CheckpointError, TokenizerNotFoundError } from './errors';
import { ggmlShape, kv, llamaMetadata, type ConversionPlan, type LlamaHyperparameters, type PlannedTensor, type Provenance } from './plan';
import type { TensorSource } from './source';

/** llama.cpp's token types (llama.h, llama_token_type). */
export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

const HEADER_INTS = 7;
/** llama2.c's newer export format starts with this magic ("ak42"); only the legacy layout is read. */
const VERSIONED_MAGIC = 0x616b3432;

export interface Llama2cConfig {
  dim: number;
  hiddenDim: number;
  layers: number;
  heads: number;
  kvHeads: number;
  vocabSize: number;
  seqLen: number;
  /** The classifier is the embedding table (vocab_size > 0 in the header), or stored after it. */
  sharedClassifier: boolean;
}

/** Reads and checks a llama2.c checkpoint's header against the file's size. */
export function readLlama2cConfig(file: string): Llama2cConfig {
  const fail = (reason: string): never => {
    throw new CheckpointError(file, undefined, reason);
  };
  const size = fs.statSync(file).size;
  if (size < HEADER_INTS * 4) fail(`truncated llama2.c checkpoint: ${size} bytes, less than its ${HEADER_INTS * 4}-byte header`);
  const header = Buffer.alloc(HEADER_INTS * 4);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, header.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (header.readUInt32LE(0) === VERSIONED_MAGIC) fail('a versioned llama2.c export (magic "ak42"); only the legacy layout (run.c\'s) is supported');
  const ints = Array.from({ length: HEADER_INTS }, (_, i) => header.readInt32LE(4 * i));
  const [dim, hiddenDim, layers, heads, kvHeads, vocab, seqLen] = ints;
  const config: Llama2cConfig = { dim, hiddenDim, layers, heads, kvHeads, vocabSize: Math.abs(vocab), seqLen, sharedClassifier: vocab > 0 };
  if (![dim, hiddenDim, layers, heads, kvHeads, config.vocabSize, seqLen].every((v) => v > 0)) {
    fail(`header [${ints.join(', ')}] is not a llama2.c checkpoint's (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len)`);
  }
  if (dim % heads !== 0 || heads % kvHeads !== 0 || (dim / heads) % 2 !== 0) {
    fail(`header [${ints.join(', ')}]: dim must split into an even head size and n_heads into whole groups of n_kv_heads`);
  }
  const expected = HEADER_INTS * 4 + 4 * llama2cLayout(config).totalFloats;
  if (size !== expected) {
    fail(`the file is ${size} bytes; its header [${ints.join(', ')}] needs ${expected} (${config.sharedClassifier ? 'shared' : 'separate'} classifier): truncated, or not a llama2.c checkpoint`);
  }
  return config;
}

/** Where each weight starts (in floats after the header), in run.c's order. */
function llama2cLayout(c: Llama2cConfig) {
  const headSize = c.dim / c.heads;
  const kvDim = c.kvHeads * headSize;
  const sizes = {
    embeddings: c.vocabSize * c.dim,
    attnNorm: c.layers * c.dim,
    wq: c.layers * c.dim * c.dim,
    wk: c.layers * c.dim * kvDim,
    wv: c.layers * c.dim * kvDim,
    wo: c.layers * c.dim * c.dim,
    ffnNorm: c.layers * c.dim,
    w1: c.layers * c.dim * c.hiddenDim,
    w2: c.layers * c.hiddenDim * c.dim,
    w3: c.layers * c.dim * c.hiddenDim,
    finalNorm: c.dim,
    // RoPE tables run.c no longer reads: skipped
    freqCis: c.seqLen * headSize,
    classifier: c.sharedClassifier ? 0 : c.vocabSize * c.dim,
  };
  const starts: Record<string, number> = {};
  let at = 0;
  for (const [k, n] of Object.entries(sizes)) {
    starts[k] = at;
    at += n;
  }
  return { starts: starts as Record<keyof typeof sizes, number>, totalFloats: at, headSize, kvDim };
}

export interface Llama2cVocabulary {
  tokens: string[];
  scores: number[];
  types: number[];
}

/**
 * Reads llama2.c's tokenizer.bin (max token length, then per token a float score, a length and
 * the bytes) into a llama.cpp SPM vocabulary exactly as llama.cpp's convert-llama2c-to-ggml does:
 * 0/1/2 are <unk>, <s>, </s>; <0xXX> pieces are byte tokens; spaces become ▁.
 */
export function readLlama2cTokenizer(file: string, vocabSize: number): Llama2cVocabulary {
  if (!fs.existsSync(file)) throw new TokenizerNotFoundError(`tokenizer file not found: ${file}`);
  const bytes = fs.readFileSync(file);
  const fail = (reason: string): never => {
    throw new CheckpointError(file, undefined, reason);
  };
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let at = 4;
  const tokens: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  for (let id = 0; id < vocabSize; id++) {
    if (at + 8 > bytes.length) fail(`the tokenizer ends at token ${id}; the checkpoint's vocabulary has ${vocabSize}`);
    const score = bytes.readFloatLE(at);
    const length = bytes.readInt32LE(at + 4);
    at += 8;
    if (length < 0 || at + length > bytes.length) fail(`token ${id}: length ${length} runs past the end of the file`);
    let text: string;
    try {
      text = decoder.decode(bytes.subarray(at, at + length));
    } catch {
      return fail(`token ${id} is not valid UTF-8`);
    }
    at += length;
    let type: number = TOKEN_TYPE.normal;
    if (id === 0) [text, type] = ['<unk>', TOKEN_TYPE.unknown];
    else if (id === 1) [text, type] = ['<s>', TOKEN_TYPE.control];
    else if (id === 2) [text, type] = ['</s>', TOKEN_TYPE.control];
    else if (text === '') type = TOKEN_TYPE.control;
    else if (/^<0x[0-9A-Fa-f]{2}>$/.test(text)) type = TOKEN_TYPE.byte;
    tokens.push(text.replaceAll(' ', '\u2581'));
    scores.push(Number.isFinite(score) ? score : fail(`token ${id}: score is not finite`));
    types.push(type);
  }
  if (at !== bytes.length) fail(`${bytes.length - at} bytes after the last of the checkpoint's ${vocabSize} tokens: the tokenizer is for a larger vocabulary`);
  return { tokens, scores, types };
}

/** The conversion plan of a llama2.c checkpoint and its tokenizer. */
export function planLlama2c(file: string, tokenizerFile: string | undefined): ConversionPlan {
  if (tokenizerFile === undefined) {
    throw new TokenizerNotFoundError(`${file}: a llama2.c checkpoint carries no vocabulary: give its tokenizer.bin (--tokenizer)`);
  }
  const c = readLlama2cConfig(file);
  const vocab = readLlama2cTokenizer(tokenizerFile, c.vocabSize);
  const { starts, headSize, kvDim } = llama2cLayout(c);
  const provenance: Provenance = { sourceFormat: 'llama2c', architecture: 'llama2.c', tokenizer: 'llama2c-spm' };
  const hp: LlamaHyperparameters = {
    arch: 'llama', name: path.basename(file).replace(/\.bin$/, ''), contextLength: c.seqLen, embeddingLength: c.dim,
    feedForwardLength: c.hiddenDim, blockCount: c.layers, headCount: c.heads, headCountKv: c.kvHeads, headDim: headSize,
    // run.c's constants
    rmsEps: 1e-5, ropeFreqBase: 10000, vocabSize: c.vocabSize,
  };
  const metadata: GgufKeyValue[] = [
    ...llamaMetadata(hp, provenance),
    kv('tokenizer.ggml.model', 'string', 'llama'),
    kv('tokenizer.ggml.tokens', 'string[]', vocab.tokens),
    kv('tokenizer.ggml.scores', 'f32[]', vocab.scores),
    kv('tokenizer.ggml.token_type', 'i32[]', vocab.types),
    kv('tokenizer.ggml.unknown_token_id', 'u32', 0),
    kv('tokenizer.ggml.bos_token_id', 'u32', 1),
    kv('tokenizer.ggml.eos_token_id', 'u32', 2),
    kv('tokenizer.ggml.add_bos_token', 'bool', true),
    kv('tokenizer.ggml.add_eos_token', 'bool', false),
  ];
  const base = HEADER_INTS * 4;
  const at = (floats: number): number => base + 4 * floats;
  const tensor = (name: string, shape: number[], offsetFloats: number): PlannedTensor => {
    const source: TensorSource = { file, name, dtype: 'F32', shape, offset: at(offsetFloats) };
    return { name, shape: ggmlShape(shape), source };
  };
  const tensors: PlannedTensor[] = [
    tensor('token_embd.weight', [c.vocabSize, c.dim], starts.embeddings),
    tensor('output_norm.weight', [c.dim], starts.finalNorm),
  ];
  if (!c.sharedClassifier) tensors.push(tensor('output.weight', [c.vocabSize, c.dim], starts.classifier));
  for (let l = 0; l < c.layers; l++) {
    tensors.push(
      tensor(`blk.${l}.attn_norm.weight`, [c.dim], starts.attnNorm + l * c.dim),
      tensor(`blk.${l}.attn_q.weight`, [c.dim, c.dim], starts.wq + l * c.dim * c.dim),
      tensor(`blk.${l}.attn_k.weight`, [kvDim, c.dim], starts.wk + l * kvDim * c.dim),
      tensor(`blk.${l}.attn_v.weight`, [kvDim, c.dim], starts.wv + l * kvDim * c.dim),
      tensor(`blk.${l}.attn_output.weight`, [c.dim, c.dim], starts.wo + l * c.dim * c.dim),
      tensor(`blk.${l}.ffn_norm.weight`, [c.dim], starts.ffnNorm + l * c.dim),
      tensor(`blk.${l}.ffn_gate.weight`, [c.hiddenDim, c.dim], starts.w1 + l * c.hiddenDim * c.dim),
      tensor(`blk.${l}.ffn_down.weight`, [c.dim, c.hiddenDim], starts.w2 + l * c.dim * c.hiddenDim),
      tensor(`blk.${l}.ffn_up.weight`, [c.hiddenDim, c.dim], starts.w3 + l * c.hiddenDim * c.dim),
    );
  }
  return { metadata, tensors, provenance };
}
