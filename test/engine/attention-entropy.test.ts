/**
 * createContext({ attentionEntropy }): the entropy of the last token's attention, read from
 * llama.cpp's softmaxed weights (kq_soft_max) through the eval callback (native/attention.cpp).
 * A model with near-zero weights attends uniformly, so its entropy must be exactly ln(positions):
 * that checks the row, the heads and the masking (masked cells are exact zeros) against arithmetic.
 */
import { InvalidOptionError, loadModel, type Model } from '../../src/engine';
import { smallModel, testModel } from '../support/engine';

let uniform: Model;
let random: Model;

beforeAll(async () => {
  // weights of std 1e-4: every query·key is ~1e-6, so softmax is uniform to ~1e-6
  uniform = await loadModel(await testModel('uniform-attention', { embeddingSize: 64, layers: 3, heads: 4, headsKv: 2, feedForwardSize: 128, seed: 5, initStd: 1e-4 }));
  random = await loadModel(await smallModel());
});

afterAll(async () => {
  await uniform?.dispose();
  await random?.dispose();
});

const tokens = (model: Model, n: number): number[] => model.tokenize('one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four twenty-five twenty-six twenty-seven twenty-eight twenty-nine thirty thirty-one thirty-two thirty-three thirty-four thirty-five', { addSpecial: false }).slice(0, n);

test('uniform attention over n positions reads ln(n) at every wanted layer; one position reads 0', async () => {
  const ctx = await uniform.createContext({ contextSize: 128, threads: 1, attentionEntropy: { layers: [2, 1] } });
  try {
    for (const n of [1, 2, 7, 32]) {
      const t = tokens(uniform, n);
      expect(t).toHaveLength(n);
      const { attentionEntropy } = await ctx.evaluate(t);
      expect(attentionEntropy?.map((a) => a.layer)).toEqual([1, 2]);
      for (const a of attentionEntropy!) {
        expect(a.mean).toBeCloseTo(Math.log(n), 4);
        expect(a.max).toBeCloseTo(Math.log(n), 4);
      }
    }
  } finally {
    await ctx.dispose();
  }
});

test('random weights: finite, within [0, ln(n)], max ≥ mean; the cached-prefix path reads what a fresh evaluation reads; logits unchanged', async () => {
  const ctx = await random.createContext({ contextSize: 128, threads: 1, attentionEntropy: { layers: [0, 3] } });
  const plain = await random.createContext({ contextSize: 128, threads: 1 });
  try {
    const t = tokens(random, 24);
    const fresh = await ctx.evaluate(t);
    const readings = fresh.attentionEntropy!;
    expect(readings).toHaveLength(2);
    for (const a of readings) {
      expect(Number.isFinite(a.mean) && Number.isFinite(a.max)).toBe(true);
      expect(a.mean).toBeGreaterThanOrEqual(0);
      expect(a.max).toBeGreaterThanOrEqual(a.mean);
      expect(a.max).toBeLessThanOrEqual(Math.log(t.length) + 1e-5);
    }
    // not uniform: some head of these weights prefers some positions
    expect(Math.min(...readings.map((a) => a.mean))).toBeLessThan(Math.log(t.length) - 1e-3);
    // prefill reuses the cached prefix and evaluates only the last token: the same row of attention
    await ctx.evaluate(t.slice(0, 10));
    const again = await ctx.prefill(t, { layers: [0] });
    again.attentionEntropy!.forEach((a, i) => {
      expect(a.layer).toBe(readings[i].layer);
      expect(a.mean).toBeCloseTo(readings[i].mean, 4);
      expect(a.max).toBeCloseTo(readings[i].max, 4);
    });
    // without flash attention the logits are llama.cpp's other kernel: the same up to rounding
    const reference = (await plain.evaluate(t)).logits;
    const diff = fresh.logits.reduce((m, x, i) => Math.max(m, Math.abs(x - reference[i])), 0);
    expect(diff).toBeLessThan(1e-2);
    // a context without the option reports none
    expect((await plain.evaluate(t)).attentionEntropy).toBeUndefined();
  } finally {
    await ctx.dispose();
    await plain.dispose();
  }
});

test('generation after a read does not disturb the next read', async () => {
  const ctx = await uniform.createContext({ contextSize: 64, threads: 1, attentionEntropy: { layers: [0] } });
  try {
    await ctx.complete(tokens(uniform, 3), { maxTokens: 4, temperature: 0 });
    const { attentionEntropy } = await ctx.evaluate(tokens(uniform, 5));
    expect(attentionEntropy![0].mean).toBeCloseTo(Math.log(5), 4);
  } finally {
    await ctx.dispose();
  }
});

test('invalid options are refused before native code sees them', async () => {
  const bad = (option: unknown) => random.createContext({ contextSize: 32, threads: 1, attentionEntropy: option as { layers: number[] } });
  await expect(bad({ layers: [] })).rejects.toThrow(new InvalidOptionError('attentionEntropy.layers must be a non-empty list of layer indices'));
  await expect(bad({})).rejects.toThrow(/non-empty list of layer indices/);
  await expect(bad(null)).rejects.toThrow(/non-empty list of layer indices/);
  await expect(bad({ layers: [4] })).rejects.toThrow(new InvalidOptionError('attentionEntropy: layer 4 does not exist (the model has layers 0..3)'));
  await expect(bad({ layers: [-1] })).rejects.toThrow(/layer -1 does not exist/);
  await expect(bad({ layers: [1.5] })).rejects.toThrow(/layer 1.5 does not exist/);
  // a q8_0 cache needs flash attention, which hides the weights
  await expect(random.createContext({ contextSize: 32, threads: 1, kvCacheType: 'q8_0', attentionEntropy: { layers: [0] } })).rejects.toThrow(/attentionEntropy needs flash attention off/);
  await expect(random.createSequencePool({ sequences: 2, contextSize: 32, threads: 1, attentionEntropy: { layers: [0] } })).rejects.toThrow(/single-sequence context/);
});
