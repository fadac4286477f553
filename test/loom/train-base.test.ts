import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModel } from '../../src/engine';
import { addon as nativeAddon, packageRoot } from '../../src/engine/native';
import { BaseTrainer, countWindows, packSamples, type TrainSample } from '../../src/loom/train-base';

// A tiny llama model with llama.cpp's SPM vocabulary, trained for real through the addon.
const vocab = path.join(packageRoot, 'build', 'llama.cpp', 'models', 'ggml-vocab-llama-spm.gguf');
let dir: string;
let init: string;
let bos: number;
let eos: number;
let words: number[][];

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'cogito-train-'));
  init = path.join(dir, 'init.gguf');
  await nativeAddon().makeModel({ out: init, vocab, nEmbd: 32, nLayer: 1, nHead: 2, nHeadKv: 2, nFf: 64, nCtx: 64, seed: 7 });
  const m = await loadModel(init);
  bos = m.info.bosToken;
  eos = m.info.eosToken;
  words = ['The capital of Trovia is Selia.', 'Malia plays the harp.', 'Question: What does Divin play?\nAnswer: lute']
    .map((t) => m.tokenize(t, { addSpecial: false }));
  await m.dispose();
});

afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const open = (freeze: string[] = []): Promise<BaseTrainer> => BaseTrainer.open(init, { contextSize: 64, threads: 2, freeze });
const schedule = { learningRate: 2e-2, warmupSteps: 2, weightDecay: 0 };

function tensor(file: string, name: string): Float32Array {
  const b = nativeAddon().readGgufTensor(file, name);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

describe('packSamples / countWindows', () => {
  test('flat layout with target masks and sample offsets', () => {
    const p = packSamples([{ tokens: [1, 5, 6] }, { tokens: [1, 7, 8, 9], targetStart: 3 }]);
    expect([...p.tokens]).toEqual([1, 5, 6, 1, 7, 8, 9]);
    expect([...p.targets]).toEqual([0, 1, 1, 0, 0, 0, 1]);
    expect([...p.starts]).toEqual([0, 3, 7]);
    expect(() => packSamples([{ tokens: [1, 2], targetStart: 0 }])).toThrow(RangeError);
  });
  test('whole samples per window', () => {
    const s = (n: number): TrainSample => ({ tokens: Array(n).fill(1) });
    expect(countWindows([s(30), s(30), s(30)], 64)).toBe(2);
    expect(countWindows([s(32), s(32), s(1)], 64)).toBe(2);
  });
});

describe('BaseTrainer (llama_opt_* through the addon)', () => {
  test('loss decreases and the weights change, token embeddings included', async () => {
    const samples = words.map((w) => ({ tokens: [bos, ...w, eos] }));
    const t = await open();
    expect(t.info().trainableParameters).toBe(t.info().parameters);
    const before = await t.evaluate(samples);
    const progress: number[] = [];
    const r = await t.train(samples, { epochs: 12, seed: 1, schedule, onProgress: (p) => progress.push(p.loss) });
    const after = await t.evaluate(samples);
    expect(progress.length).toBe(12);
    expect(r.steps).toBe(12);
    expect(before).toBeGreaterThan(9); // ~ln(32000) at random init
    expect(after).toBeLessThan(before / 2);
    expect(r.epochLoss[r.epochLoss.length - 1]).toBeLessThan(r.epochLoss[0]);
    const out = path.join(dir, 'trained.gguf');
    t.save(out);
    t.dispose();
    // attn_k/attn_v train only because llama_patch/0003 bypasses the KV cache in training graphs
    for (const name of ['blk.0.attn_q.weight', 'blk.0.attn_k.weight', 'blk.0.attn_v.weight', 'output.weight', 'token_embd.weight']) {
      const a = tensor(init, name);
      const b = tensor(out, name);
      expect(b.length).toBe(a.length);
      expect(b.some((x, i) => x !== a[i])).toBe(true);
    }
  });

  test('frozen tensors stay as they were', async () => {
    const t = await open(['^token_embd\\.']);
    expect(t.info().trainableParameters).toBeLessThan(t.info().parameters);
    await t.train(words.map((w) => ({ tokens: [bos, ...w, eos] })), { epochs: 3, schedule });
    const out = path.join(dir, 'frozen.gguf');
    t.save(out);
    t.dispose();
    expect(tensor(out, 'token_embd.weight')).toEqual(tensor(init, 'token_embd.weight'));
    expect(tensor(out, 'output.weight')).not.toEqual(tensor(init, 'output.weight'));
  });

  test('loss only on targets: a repeated prompt is not learned when it carries no labels', async () => {
    // prompts of one repeated token, then a fixed target; the prompt is trivially learnable
    const [a, target] = [words[0][0], words[1][2]];
    const prompt = [bos, ...Array(12).fill(a)];
    const masked = [{ tokens: [...prompt, target], targetStart: prompt.length }];
    const full = [{ tokens: [...prompt, target] }];
    const promptOnly = [{ tokens: prompt }];
    const targetOnly = masked;

    const tm = await open();
    const promptBefore = await tm.evaluate(promptOnly);
    const targetBefore = await tm.evaluate(targetOnly);
    await tm.train(masked, { epochs: 12, schedule });
    const promptMasked = await tm.evaluate(promptOnly);
    const targetMasked = await tm.evaluate(targetOnly);
    tm.dispose();

    const tf = await open();
    await tf.train(full, { epochs: 12, schedule });
    const promptFull = await tf.evaluate(promptOnly);
    tf.dispose();

    expect(targetMasked).toBeLessThan(targetBefore / 3); // the target is learned
    expect(promptFull).toBeLessThan(promptBefore / 3); // with labels the prompt is learned too
    expect(promptMasked).toBeGreaterThan(promptBefore * 0.8); // without labels it is not
  });

  test('same init, data and seed: the same losses and weights', async () => {
    const samples = words.map((w) => ({ tokens: [bos, ...w, eos] }));
    const run = async (file: string): Promise<number[]> => {
      const t = await open();
      const r = await t.train([...samples, ...samples], { epochs: 3, seed: 5, schedule });
      t.save(file);
      t.dispose();
      return r.epochLoss;
    };
    const a = path.join(dir, 'a.gguf');
    const b = path.join(dir, 'b.gguf');
    expect(await run(a)).toEqual(await run(b));
    expect(tensor(a, 'blk.0.ffn_up.weight')).toEqual(tensor(b, 'blk.0.ffn_up.weight'));
  });

  test('attention learns a value three tokens back, in a window shorter than the KV cache', async () => {
    // key, two fillers, then the key's value (the only target): without attention the best loss is
    // ln 4 ≈ 1.39. Caught three llama_patch/0004 bugs: every step used the sum of all gradients so
    // far (training oscillated, then diverged), K/V got no gradients in windows shorter than the KV
    // cache, and the optimizer ran on the backend's default threads. Four layers, as the default model.
    const deep = path.join(dir, 'deep.gguf');
    await nativeAddon().makeModel({ out: deep, vocab, nEmbd: 64, nLayer: 4, nHead: 4, nHeadKv: 4, nFf: 192, nCtx: 64, seed: 11 });
    const [keys, values, filler] = [words[0].slice(0, 4), words[1].slice(0, 4), words[2][0]];
    const samples = keys.map((k, i) => ({ tokens: [bos, k, filler, filler, values[i]], targetStart: 4 }));
    // one thread: at this size ggml's spinning barriers cost more than a second core gives on a busy machine
    const t = await BaseTrainer.open(deep, { contextSize: 64, window: 16, threads: 1 });
    const before = await t.evaluate(samples, { pack: false });
    const r = await t.train(samples, { epochs: 60, seed: 3, pack: false, schedule: { learningRate: 3e-3, warmupSteps: 4, weightDecay: 0 } });
    const after = await t.evaluate(samples, { pack: false });
    const out = path.join(dir, 'keyvalue.gguf');
    t.save(out);
    t.dispose();
    expect(before).toBeGreaterThan(5);
    expect(after).toBeLessThan(0.1);
    expect(Math.max(...r.epochLoss.slice(-10))).toBeLessThan(0.3); // settled, not oscillating
    for (const name of ['blk.0.attn_k.weight', 'blk.0.attn_v.weight']) {
      expect(tensor(out, name)).not.toEqual(tensor(deep, name));
    }
  });

  test('an AbortSignal cancels between steps', async () => {
    const t = await open();
    const abort = new AbortController();
    const samples = words.map((w) => ({ tokens: [bos, ...w, eos] }));
    const r = await t.train(samples, { epochs: 50, schedule, signal: abort.signal, onProgress: () => abort.abort() });
    expect(r.cancelled).toBe(true);
    expect(r.steps).toBeLessThan(50);
    t.dispose();
  });
});
