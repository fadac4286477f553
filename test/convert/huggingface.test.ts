/**
 * Hugging Face folders beyond the one shipped: the same real model (tinystories-656k) re-saved
 * sharded, as F16 and BF16, with the other tied-embedding name, as Mistral, with llama 3's RoPE
 * scaling; a Qwen2 and a Llama 3 with GPT-2 byte-level vocabularies (llama.cpp's own qwen2 and
 * llama-bpe vocabularies and their tokenizer test vectors).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { convertModel } from '../../src/convert';
import { loadModel, readGguf, readGgufTensor, validateModelFile } from '../../src/engine';
import { tempDir } from '../support/engine';
import { copyFolderFiles, editConfig, readTensors, writeSafetensors, writeSharded, type TestTensor } from '../support/hf-folder';
import { referenceCases, tinyStories656k } from '../support/shared-models';
import { readVocabVectors, vocabModelsDir } from '../support/vocab-vectors';

let work: string;
let original: TestTensor[];
let baseline: string;

beforeAll(async () => {
  work = tempDir('cogito-hf-');
  original = readTensors(path.join(tinyStories656k, 'model.safetensors'));
  baseline = path.join(work, 'baseline.gguf');
  await convertModel({ input: tinyStories656k, output: baseline });
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function sameTensors(a: string, b: string): Promise<void> {
  const ta = (await readGguf(a)).tensors;
  const tb = (await readGguf(b)).tensors;
  expect(tb.map((t) => [t.name, t.type, t.shape])).toEqual(ta.map((t) => [t.name, t.type, t.shape]));
  for (const t of ta) expect({ name: t.name, equal: readGgufTensor(a, t.name).equals(readGgufTensor(b, t.name)) }).toEqual({ name: t.name, equal: true });
}

/** Max abs difference of the first logits over the reference prompts, and how many greedy continuations agree. */
async function logitError(file: string): Promise<number> {
  const model = await loadModel(file);
  const ctx = await model.createContext({ contextSize: 128, threads: 1 });
  try {
    let worst = 0;
    for (const c of referenceCases(tinyStories656k)) {
      const r = await ctx.evaluate(c.prompt_tokens);
      for (let i = 0; i < r.logits.length; i++) worst = Math.max(worst, Math.abs(r.logits[i] - c.first_logits[i]));
    }
    return worst;
  } finally {
    await ctx.dispose();
    await model.dispose();
  }
}

test('a sharded checkpoint with its index converts to the same tensors as the single file', async () => {
  const dir = path.join(work, 'sharded');
  copyFolderFiles(tinyStories656k, dir);
  writeSharded(dir, original, 3);
  const out = path.join(work, 'sharded.gguf');
  await convertModel({ input: dir, output: out });
  await sameTensors(baseline, out);
});

test('tied embeddings stored under model.embed_tokens.weight convert to the same tensors', async () => {
  const dir = path.join(work, 'embed-name');
  copyFolderFiles(tinyStories656k, dir);
  writeSafetensors(path.join(dir, 'model.safetensors'), original.map((t) => (t.name === 'lm_head.weight' ? { ...t, name: 'model.embed_tokens.weight' } : t)));
  const out = path.join(work, 'embed-name.gguf');
  await convertModel({ input: dir, output: out });
  await sameTensors(baseline, out);
});

test('MistralForCausalLM converts as llama, like llama.cpp\'s converter', async () => {
  const dir = path.join(work, 'mistral');
  copyFolderFiles(tinyStories656k, dir);
  fs.copyFileSync(path.join(tinyStories656k, 'model.safetensors'), path.join(dir, 'model.safetensors'));
  editConfig(dir, (c) => {
    c.architectures = ['MistralForCausalLM'];
    c.model_type = 'mistral';
    c.sliding_window = null;
  });
  const out = path.join(work, 'mistral.gguf');
  const r = await convertModel({ input: dir, output: out });
  expect(r.provenance).toEqual({ sourceFormat: 'huggingface', architecture: 'MistralForCausalLM', tokenizer: 'sentencepiece-bpe' });
  await sameTensors(baseline, out);
});

test('llama 3 RoPE scaling becomes llama.cpp\'s rope_freqs factors, and llama.cpp uses them', async () => {
  const dir = path.join(work, 'llama3-rope');
  copyFolderFiles(tinyStories656k, dir);
  fs.copyFileSync(path.join(tinyStories656k, 'model.safetensors'), path.join(dir, 'model.safetensors'));
  const scaling = { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 256 };
  editConfig(dir, (c) => {
    c.rope_scaling = scaling;
  });
  const out = path.join(work, 'llama3-rope.gguf');
  await convertModel({ input: dir, output: out });
  const factors = new Float32Array(new Uint8Array(readGgufTensor(out, 'rope_freqs.weight')).buffer);
  // head 16, θ 10000: wavelengths 2π·10000^(i/8) for i < 8, against 256/4 = 64 and 256/1 = 256
  const expected = Array.from({ length: 8 }, (_, i) => {
    const wavelen = 2 * Math.PI * 10000 ** (i / 8);
    if (wavelen < 64) return 1;
    if (wavelen > 256) return 8;
    const smooth = (256 / wavelen - 1) / 3;
    return 1 / ((1 - smooth) / 8 + smooth);
  });
  expect(Array.from(factors).map((x) => +x.toFixed(5))).toEqual(expected.map((x) => +x.toFixed(5)));
  expect(new Set(expected).size).toBeGreaterThan(2);
  // the factors change what the model computes past the first position
  const c = referenceCases(tinyStories656k)[0];
  const logitsOf = async (file: string): Promise<Float32Array> => {
    const model = await loadModel(file);
    const ctx = await model.createContext({ contextSize: 64, threads: 1 });
    try {
      return (await ctx.evaluate(c.prompt_tokens)).logits;
    } finally {
      await ctx.dispose();
      await model.dispose();
    }
  };
  const [scaled, plain] = [await logitsOf(out), await logitsOf(baseline)];
  expect(scaled.some((x, i) => Math.abs(x - plain[i]) > 1e-3)).toBe(true);
});

test.each(['F16', 'BF16'] as const)('%s weights widen to f32 and stay within the rounding of the reference logits', async (dtype) => {
  const dir = path.join(work, dtype);
  copyFolderFiles(tinyStories656k, dir);
  writeSafetensors(path.join(dir, 'model.safetensors'), original, dtype);
  const out = path.join(work, `${dtype}.gguf`);
  await convertModel({ input: dir, output: out });
  const error = await logitError(out);
  // f16 keeps 11 bits, bf16 8: the rounding of the weights, not a conversion error, sets these
  expect(error).toBeLessThan(dtype === 'F16' ? 2e-2 : 0.25);
  expect(error).toBeGreaterThan(0);
});

const QWEN2_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

describe.each([
  { arch: 'Qwen2ForCausalLM', modelType: 'qwen2', gguf: 'qwen2', vocabFile: 'ggml-vocab-qwen2.gguf', split: QWEN2_SPLIT, pre: 'qwen2', biases: true, ignoreMerges: false },
  { arch: 'LlamaForCausalLM', modelType: 'llama', gguf: 'llama', vocabFile: 'ggml-vocab-llama-bpe.gguf', split: LLAMA3_SPLIT, pre: 'llama-bpe', biases: false, ignoreMerges: true },
])('$arch with a GPT-2 byte-level BPE vocabulary ($vocabFile)', ({ arch, modelType, gguf, vocabFile, split, pre, biases, ignoreMerges }) => {
  let out: string;
  let eos: number;

  beforeAll(async () => {
    const vocab = await readGguf(path.join(vocabModelsDir, vocabFile), { maxArray: 1 << 20 });
    const tokens = vocab.metadata['tokenizer.ggml.tokens'].value as string[];
    const types = vocab.metadata['tokenizer.ggml.token_type'].value as number[];
    const merges = vocab.metadata['tokenizer.ggml.merges'].value as string[];
    eos = vocab.metadata['tokenizer.ggml.eos_token_id'].value as number;
    const dir = path.join(work, gguf);
    fs.mkdirSync(dir);
    // tokenizer.json as Hugging Face writes these: byte-level BPE, its split pattern, added special tokens
    const added = tokens.map((content, id) => ({ id, content, special: types[id] === 3 })).filter((_, id) => types[id] === 3 || types[id] === 4);
    const addedIds = new Set(added.map((a) => a.id));
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify({
      version: '1.0', added_tokens: added,
      normalizer: modelType === 'qwen2' ? { type: 'NFC' } : null,
      pre_tokenizer: { type: 'Sequence', pretokenizers: [
        { type: 'Split', pattern: { Regex: split }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
      ] },
      decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
      model: {
        type: 'BPE', byte_fallback: false, ignore_merges: ignoreMerges,
        vocab: Object.fromEntries(tokens.map((t, id) => [t, id]).filter(([, id]) => !addedIds.has(id as number) && types[id as number] === 1)),
        merges,
      },
    }));
    const template = '{% for message in messages %}{{ \'<|im_start|>\' + message[\'role\'] + \'\\n\' + message[\'content\'] + \'<|im_end|>\' + \'\\n\' }}{% endfor %}{% if add_generation_prompt %}{{ \'<|im_start|>assistant\\n\' }}{% endif %}';
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({
      add_bos_token: false, eos_token: tokens[eos], chat_template: template,
    }));
    const vocabSize = tokens.length;
    const [hidden, heads, kvHeads, headDim, ff] = [16, 2, 1, 8, 32];
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({
      architectures: [arch], model_type: modelType, hidden_size: hidden, intermediate_size: ff, num_attention_heads: heads,
      num_key_value_heads: kvHeads, num_hidden_layers: 1, vocab_size: vocabSize, max_position_embeddings: 256, rms_norm_eps: 1e-6,
      rope_theta: 1000000, tie_word_embeddings: true, eos_token_id: eos,
    }));
    let seed = 7;
    const random = (n: number): Float32Array => Float32Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.1);
    const t = (name: string, shape: number[]): TestTensor => ({ name, shape, data: random(shape.reduce((a, b) => a * b, 1)) });
    const a = 'model.layers.0.self_attn.';
    writeSafetensors(path.join(dir, 'model.safetensors'), [
      t('model.embed_tokens.weight', [vocabSize, hidden]), t('model.norm.weight', [hidden]),
      t('model.layers.0.input_layernorm.weight', [hidden]), t('model.layers.0.post_attention_layernorm.weight', [hidden]),
      t(`${a}q_proj.weight`, [heads * headDim, hidden]), t(`${a}k_proj.weight`, [kvHeads * headDim, hidden]),
      t(`${a}v_proj.weight`, [kvHeads * headDim, hidden]), t(`${a}o_proj.weight`, [hidden, heads * headDim]),
      ...(biases ? [t(`${a}q_proj.bias`, [heads * headDim]), t(`${a}k_proj.bias`, [kvHeads * headDim]), t(`${a}v_proj.bias`, [kvHeads * headDim])] : []),
      t('model.layers.0.mlp.gate_proj.weight', [ff, hidden]), t('model.layers.0.mlp.up_proj.weight', [ff, hidden]), t('model.layers.0.mlp.down_proj.weight', [hidden, ff]),
    ], 'BF16');
    out = path.join(work, `${gguf}.gguf`);
    await convertModel({ input: dir, output: out });
  });

  test('converts to llama.cpp\'s architecture, its vocabulary, merges, pre-tokenizer, special tokens and chat template', async () => {
    await validateModelFile(out);
    const info = await readGguf(out, { maxArray: 4 });
    const m = info.metadata;
    expect([m['general.architecture'].value, m['tokenizer.ggml.model'].value, m['tokenizer.ggml.pre'].value]).toEqual([gguf, 'gpt2', pre]);
    expect(m['cogito.convert.tokenizer'].value).toBe('gpt2-bpe');
    expect(m['tokenizer.chat_template'].value).toContain('<|im_start|>');
    expect(m['tokenizer.ggml.eos_token_id'].value).toBe(eos);
    const names = info.tensors.map((x) => x.name);
    for (const bias of ['blk.0.attn_q.bias', 'blk.0.attn_k.bias', 'blk.0.attn_v.bias']) expect({ bias, present: names.includes(bias) }).toEqual({ bias, present: biases });
  });

  test('tokenizes llama.cpp\'s test vectors for this vocabulary exactly', async () => {
    const model = await loadModel(out);
    try {
      const cases = readVocabVectors(vocabFile);
      expect(cases.length).toBeGreaterThan(10);
      for (const c of cases) expect({ text: c.text, tokens: model.tokenize(c.text, { addSpecial: false }) }).toEqual({ text: c.text, tokens: c.tokens });
      expect(model.applyChatTemplate([{ role: 'user', content: 'hi' }])).toContain('<|im_start|>user\nhi<|im_end|>');
    } finally {
      await model.dispose();
    }
  });
});
