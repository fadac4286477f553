import { readGguf, writeGguf, type GgufKeyValue, type GgufTensorData } from '../../../src/engine';

/** readGguf's type names → writeGguf's ("str" → "string", "array<f32>" → "f32[]"). */
function writeType(type: string): string {
  if (type.startsWith('array<')) return `${writeType(type.slice(6, -1))}[]`;
  return type === 'str' ? 'string' : type;
}

export interface CraftedShape {
  embeddingSize: number;
  layers: number;
  heads: number;
  headsKv: number;
  headSize: number;
  feedForward: number;
}

/**
 * Writes a llama model whose metadata and tensor shapes agree with each other, from any shape at
 * all: the hostile files a byte mutation cannot make (each tensor's shape follows the hyperparameters,
 * so llama.cpp's own shape checks pass and only the graph would notice). The tokenizer is `from`'s.
 */
export async function craftLlamaModel(from: string, out: string, s: CraftedShape): Promise<void> {
  const info = await readGguf(from, { maxArray: 1 << 20 });
  const metadata: GgufKeyValue[] = Object.entries(info.metadata).map(([key, v]) => ({ key, type: writeType(v.type), value: v.value }));
  const set = (key: string, value: number) => {
    const kv = metadata.find((m) => m.key === key);
    if (kv) kv.value = value;
    else metadata.push({ key, type: 'u32', value });
  };
  set('llama.embedding_length', s.embeddingSize);
  set('llama.block_count', s.layers);
  set('llama.attention.head_count', s.heads);
  set('llama.attention.head_count_kv', s.headsKv);
  set('llama.attention.key_length', s.headSize);
  set('llama.attention.value_length', s.headSize);
  set('llama.rope.dimension_count', s.headSize);
  set('llama.feed_forward_length', s.feedForward);
  const vocab = info.metadata['tokenizer.ggml.tokens'].length ?? 0;
  const E = s.embeddingSize;
  const q = s.headSize * s.heads;
  const kv = s.headSize * s.headsKv;
  let seed = 1;
  const weights = (n: number) => Float32Array.from({ length: n }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.1);
  const tensor = (name: string, shape: number[]): GgufTensorData => ({
    name, shape, data: shape.length === 1 ? new Float32Array(shape[0]).fill(1) : weights(shape.reduce((a, b) => a * b, 1)),
  });
  const tensors = [tensor('token_embd.weight', [E, vocab]), tensor('output_norm.weight', [E]), tensor('output.weight', [E, vocab])];
  for (let i = 0; i < s.layers; i++) {
    const p = `blk.${i}.`;
    tensors.push(
      tensor(`${p}attn_norm.weight`, [E]), tensor(`${p}attn_q.weight`, [E, q]), tensor(`${p}attn_k.weight`, [E, kv]),
      tensor(`${p}attn_v.weight`, [E, kv]), tensor(`${p}attn_output.weight`, [q, E]), tensor(`${p}ffn_norm.weight`, [E]),
      tensor(`${p}ffn_gate.weight`, [E, s.feedForward]), tensor(`${p}ffn_up.weight`, [E, s.feedForward]), tensor(`${p}ffn_down.weight`, [s.feedForward, E]),
    );
  }
  writeGguf(out, metadata, tensors);
}
