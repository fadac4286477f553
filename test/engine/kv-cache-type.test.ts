/** createContext({ kvCacheType }): llama.cpp's type_k/type_v, checked where ggml would assert. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { convertModel } from '../../src/convert';
import { InvalidOptionError, loadModel, type KvCacheType, type Model } from '../../src/engine';
import { smallModel, tempDir } from '../support/engine';
import { referenceCases, tinyStories656k } from '../support/shared-models';

async function logits(model: Model, tokens: number[], kvCacheType?: KvCacheType): Promise<Float32Array> {
  const ctx = await model.createContext({ contextSize: 128, threads: 1, kvCacheType });
  try {
    return (await ctx.evaluate(tokens)).logits;
  } finally {
    await ctx.dispose();
  }
}

const maxAbs = (a: Float32Array, b: ArrayLike<number>) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

test('tinystories-656k: an f32 and an f16 cache both stay within 2e-2 of the reference; q8_0 is refused for 16-wide heads', async () => {
  const work = tempDir('cogito-kv-');
  try {
    const file = path.join(work, 'ts.gguf');
    await convertModel({ input: tinyStories656k, output: file });
    const model = await loadModel(file);
    try {
      const c = referenceCases(tinyStories656k)[1];
      const tokens = [...c.prompt_tokens];
      // (on the CPU, where flash attention is on, llama.cpp's kernel gives f32 and f16 caches the same logits here)
      for (const type of ['f32', 'f16'] as const) expect(maxAbs(await logits(model, tokens, type), c.first_logits)).toBeLessThan(2e-2);
      await expect(model.createContext({ kvCacheType: 'q8_0' })).rejects.toThrow(new InvalidOptionError('kvCacheType q8_0 needs head sizes that are multiples of 32 (this model\'s: keys 16, values 16)'));
      await expect(model.createContext({ kvCacheType: 'q4_0' as KvCacheType })).rejects.toThrow(/kvCacheType must be one of f32, f16, q8_0/);
    } finally {
      await model.dispose();
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test('a q8_0 cache runs (with flash attention) and stays near the f32 cache on 32-wide heads', async () => {
  const model = await loadModel(await smallModel());
  try {
    const tokens = model.tokenize('The quick brown fox jumps over the lazy dog, again and again.');
    const exact = await logits(model, tokens, 'f32');
    const q8 = await logits(model, tokens, 'q8_0');
    const diff = maxAbs(q8, exact);
    expect(diff).toBeGreaterThan(0);
    expect(diff).toBeLessThan(0.1);
  } finally {
    await model.dispose();
  }
});
