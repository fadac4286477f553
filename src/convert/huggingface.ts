import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckpointError, UnsupportedArchitectureError } from './errors';
import { readHuggingFaceTokenizer } from './hf-tokenizer';
import { ggmlShape, llamaMetadata, type ConversionPlan, type LlamaHyperparameters, type PlannedTensor, type Provenance } from './plan';
import { readSafetensorsHeader, weightSource, type SafetensorsTensor } from './safetensors';

/** Hugging Face architectures → llama.cpp's, as llama.cpp's convert_hf_to_gguf maps them. */
const ARCHITECTURES: Record<string, { arch: 'llama' | 'qwen2'; rotateHalf: boolean }> = {
  LlamaForCausalLM: { arch: 'llama', rotateHalf: true },
  MistralForCausalLM: { arch: 'llama', rotateHalf: true },
  // Qwen2's converter writes Q and K as they are: llama.cpp runs qwen2 with NEOX (rotate-half) RoPE
  Qwen2ForCausalLM: { arch: 'qwen2', rotateHalf: false },
};
export const SUPPORTED_ARCHITECTURES = Object.keys(ARCHITECTURES);

/** Tensors a checkpoint may hold that the GGUF does not need. */
const IGNORED = /(^|\.)rotary_emb\.inv_freq$/;

function readJson(file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CheckpointError(file, undefined, `not readable JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CheckpointError(file, undefined, 'not a JSON object');
  return value as Record<string, unknown>;
}

/** The safetensors files of a folder: the index's shards, or the one model.safetensors. */
function checkpointFiles(dir: string): string[] {
  const index = path.join(dir, 'model.safetensors.index.json');
  if (fs.existsSync(index)) {
    const map = readJson(index).weight_map;
    if (typeof map !== 'object' || map === null) throw new CheckpointError(index, undefined, 'no weight_map');
    const files = [...new Set(Object.values(map as Record<string, unknown>))];
    if (!files.every((f): f is string => typeof f === 'string' && f === path.basename(f))) throw new CheckpointError(index, undefined, 'weight_map names a file outside the folder');
    for (const f of files) if (!fs.existsSync(path.join(dir, f))) throw new CheckpointError(path.join(dir, f), undefined, `shard named by ${path.basename(index)} is missing`);
    return files.sort().map((f) => path.join(dir, f));
  }
  const single = path.join(dir, 'model.safetensors');
  if (fs.existsSync(single)) return [single];
  const any = fs.readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort();
  if (any.length === 0) throw new CheckpointError(dir, undefined, 'no *.safetensors file (PyTorch .bin checkpoints are not read: save the model with safetensors)');
  return any.map((f) => path.join(dir, f));
}

function positiveInt(file: string, config: Record<string, unknown>, key: string, fallback?: number): number {
  const v = config[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new CheckpointError(file, undefined, `${key} must be a positive integer (it is ${JSON.stringify(v)})`);
  return v;
}

function positiveNumber(file: string, config: Record<string, unknown>, key: string, fallback: number): number {
  const v = config[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new CheckpointError(file, undefined, `${key} must be a positive number (it is ${JSON.stringify(v)})`);
  return v;
}

/**
 * Llama 3's RoPE scaling as per-frequency factors (the rope_freqs tensor llama.cpp reads), computed
 * as llama.cpp's convert_hf_to_gguf computes them: long wavelengths divided by `factor`, short ones
 * kept, the band between interpolated.
 */
function llama3RopeFactors(file: string, s: Record<string, unknown>, theta: number, headDim: number): Float32Array {
  const num = (key: string, fallback: number): number => {
    const v = s[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new CheckpointError(file, undefined, `rope_scaling.${key} must be a positive number (it is ${JSON.stringify(v)})`);
    return v;
  };
  const factor = num('factor', 8);
  const low = num('low_freq_factor', 1);
  const high = num('high_freq_factor', 4);
  const oldContext = num('original_max_position_embeddings', 8192);
  if (high === low) throw new CheckpointError(file, undefined, 'rope_scaling: high_freq_factor equals low_freq_factor');
  const lowWavelen = oldContext / low;
  const highWavelen = oldContext / high;
  const factors = new Float32Array(headDim / 2);
  for (let i = 0; i < factors.length; i++) {
    // float32 as torch computes the frequencies
    const freq = Math.fround(1 / Math.fround(theta ** Math.fround((2 * i) / headDim)));
    const wavelen = (2 * Math.PI) / freq;
    if (wavelen < highWavelen) factors[i] = 1;
    else if (wavelen > lowWavelen) factors[i] = factor;
    else {
      const smooth = (oldContext / wavelen - low) / (high - low);
      factors[i] = 1 / ((1 - smooth) / factor + smooth);
    }
  }
  return factors;
}

/** The conversion plan of a Hugging Face folder: config.json, safetensors (sharded or not), tokenizer.json. */
export function planHuggingFace(dir: string): ConversionPlan {
  const configFile = path.join(dir, 'config.json');
  if (!fs.existsSync(configFile)) throw new CheckpointError(dir, undefined, 'no config.json: not a Hugging Face model folder');
  const config = readJson(configFile);
  const architectures = config.architectures;
  const hfArch = Array.isArray(architectures) && typeof architectures[0] === 'string' ? architectures[0] : String(config.model_type ?? 'unknown');
  const known = ARCHITECTURES[hfArch];
  if (!known) throw new UnsupportedArchitectureError(configFile, hfArch, SUPPORTED_ARCHITECTURES);

  const hidden = positiveInt(configFile, config, 'hidden_size');
  const heads = positiveInt(configFile, config, 'num_attention_heads');
  const kvHeads = positiveInt(configFile, config, 'num_key_value_heads', heads);
  const headDim = positiveInt(configFile, config, 'head_dim', Math.floor(hidden / heads));
  if (heads % kvHeads !== 0 || headDim % 2 !== 0) throw new CheckpointError(configFile, undefined, `num_attention_heads ${heads} must be a multiple of num_key_value_heads ${kvHeads}, and the head size ${headDim} even`);
  const layers = positiveInt(configFile, config, 'num_hidden_layers');
  const ff = positiveInt(configFile, config, 'intermediate_size');
  const vocabSize = positiveInt(configFile, config, 'vocab_size');
  const ropeTheta = positiveNumber(configFile, config, 'rope_theta', 10000);
  let ropeScaleLinear: number | undefined;
  let ropeFactors: Float32Array | undefined;
  const scaling = config.rope_scaling;
  if (scaling !== null && scaling !== undefined) {
    const s = scaling as Record<string, unknown>;
    const rawKind = s.rope_type ?? s.type;
    const kind = typeof rawKind === 'string' ? rawKind.toLowerCase() : rawKind;
    if (kind === 'linear' && typeof s.factor === 'number' && s.factor > 0) ropeScaleLinear = s.factor;
    else if (kind === 'llama3' && known.arch === 'llama') ropeFactors = llama3RopeFactors(configFile, s, ropeTheta, headDim);
    else if (kind !== 'default') throw new CheckpointError(configFile, undefined, `rope_scaling ${JSON.stringify(scaling)} is not supported (linear, and llama3 for llama)`);
  }

  // every tensor of every file, by name; a name in two files is a contradiction
  const found = new Map<string, { file: string; tensor: SafetensorsTensor }>();
  for (const file of checkpointFiles(dir)) {
    for (const [name, tensor] of readSafetensorsHeader(file).tensors) {
      const previous = found.get(name);
      if (previous) throw new CheckpointError(file, name, `also stored in ${previous.file}`);
      found.set(name, { file, tensor });
    }
  }
  const used = new Set<string>();
  const take = (hfName: string, ggufName: string, shape: number[], rotaryHeadDim?: number): PlannedTensor => {
    const entry = found.get(hfName);
    if (!entry) throw new CheckpointError(dir, hfName, 'missing from the checkpoint');
    if (entry.tensor.shape.join(',') !== shape.join(',')) {
      throw new CheckpointError(entry.file, hfName, `shape [${entry.tensor.shape.join(', ')}] contradicts config.json, which makes it [${shape.join(', ')}]`);
    }
    used.add(hfName);
    const source = weightSource(entry.file, entry.tensor);
    // a permuted bias is read as a column, one element per row, so the permutation moves elements
    if (rotaryHeadDim !== undefined && shape.length === 1) source.shape = [shape[0], 1];
    return { name: ggufName, shape: ggmlShape(shape), source, rotaryHeadDim };
  };
  const optional = (hfName: string, ggufName: string, shape: number[], rotaryHeadDim?: number): PlannedTensor[] =>
    found.has(hfName) ? [take(hfName, ggufName, shape, rotaryHeadDim)] : [];

  // tied embeddings: either name may be the one stored
  const tied = config.tie_word_embeddings === true;
  const embeddingName = found.has('model.embed_tokens.weight') ? 'model.embed_tokens.weight' : tied ? 'lm_head.weight' : 'model.embed_tokens.weight';
  const embeddingEntry = found.get(embeddingName);
  if (embeddingEntry && embeddingEntry.tensor.shape.length === 2 && embeddingEntry.tensor.shape[0] !== vocabSize) {
    throw new CheckpointError(embeddingEntry.file, embeddingName, `${embeddingEntry.tensor.shape[0]} embedding rows, config.json's vocab_size is ${vocabSize}`);
  }
  const tensors: PlannedTensor[] = [take(embeddingName, 'token_embd.weight', [vocabSize, hidden]), take('model.norm.weight', 'output_norm.weight', [hidden])];
  if (!tied) tensors.push(take('lm_head.weight', 'output.weight', [vocabSize, hidden]));
  else if (embeddingName !== 'lm_head.weight') used.add('lm_head.weight');
  const rope = known.rotateHalf ? headDim : undefined;
  for (let l = 0; l < layers; l++) {
    const p = `model.layers.${l}.`;
    const b = `blk.${l}.`;
    tensors.push(
      take(`${p}input_layernorm.weight`, `${b}attn_norm.weight`, [hidden]),
      take(`${p}self_attn.q_proj.weight`, `${b}attn_q.weight`, [heads * headDim, hidden], rope),
      take(`${p}self_attn.k_proj.weight`, `${b}attn_k.weight`, [kvHeads * headDim, hidden], rope),
      take(`${p}self_attn.v_proj.weight`, `${b}attn_v.weight`, [kvHeads * headDim, hidden]),
      take(`${p}self_attn.o_proj.weight`, `${b}attn_output.weight`, [hidden, heads * headDim]),
      ...optional(`${p}self_attn.q_proj.bias`, `${b}attn_q.bias`, [heads * headDim], rope),
      ...optional(`${p}self_attn.k_proj.bias`, `${b}attn_k.bias`, [kvHeads * headDim], rope),
      ...optional(`${p}self_attn.v_proj.bias`, `${b}attn_v.bias`, [kvHeads * headDim]),
      take(`${p}post_attention_layernorm.weight`, `${b}ffn_norm.weight`, [hidden]),
      take(`${p}mlp.gate_proj.weight`, `${b}ffn_gate.weight`, [ff, hidden]),
      take(`${p}mlp.down_proj.weight`, `${b}ffn_down.weight`, [hidden, ff]),
      take(`${p}mlp.up_proj.weight`, `${b}ffn_up.weight`, [ff, hidden]),
    );
  }
  if (ropeFactors) tensors.push({ name: 'rope_freqs.weight', shape: [ropeFactors.length], values: ropeFactors });
  for (const [name, { file }] of found) {
    if (!used.has(name) && !IGNORED.test(name)) throw new CheckpointError(file, name, `not a tensor of a ${hfArch} with ${layers} layers`);
  }

  const tokenizer = readHuggingFaceTokenizer(dir, config, vocabSize);
  const provenance: Provenance = { sourceFormat: 'huggingface', architecture: hfArch, tokenizer: tokenizer.kind };
  const hp: LlamaHyperparameters = {
    arch: known.arch, name: path.basename(path.resolve(dir)),
    contextLength: positiveInt(configFile, config, 'max_position_embeddings', 2048),
    embeddingLength: hidden, feedForwardLength: ff, blockCount: layers, headCount: heads, headCountKv: kvHeads, headDim,
    rmsEps: positiveNumber(configFile, config, 'rms_norm_eps', 1e-6),
    ropeFreqBase: ropeTheta,
    ropeScaleLinear, vocabSize,
  };
  return { metadata: [...llamaMetadata(hp, provenance), ...tokenizer.metadata], tensors, provenance };
}
