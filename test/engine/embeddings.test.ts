import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ContextOverflowError, InvalidOptionError, loadModel, readGguf, readGgufTensor, type EmbeddingPooling, type Model } from '../../src/engine';
import { repoRoot, runPeer, tempDir } from '../support/engine';

// Ground truth: llama.cpp's own llama-embedding, built from the same source without cogito's patches.
const defaultModel = path.join(repoRoot, 'models', 'default.gguf');
const stories = path.resolve(repoRoot, '..', 'shared', 'data', 'models', 'stories260K');
const prompts = ['Who was Descartes?', 'Once upon a time, there was a little girl named Lily.', 'The cat sat on the mat and looked at the sun'];
const poolings: EmbeddingPooling[] = ['mean', 'last', 'cls'];
/** Float32 summation order (cogito sums in float64); raw values reach ~10, normalised ones stay under 1. */
const tolerance = { normalised: 5e-7, raw: 5e-6 };

/** A real pretrained model (Karpathy's stories260K) converted by llama.cpp's own llama2.c converter, made once per machine. */
function storiesModel(): string {
  const dir = path.join(os.tmpdir(), 'cogito-test-models');
  const final = path.join(dir, 'stories260K-llama2c.gguf');
  if (fs.existsSync(final)) return final;
  fs.mkdirSync(dir, { recursive: true });
  const mine = `${final}.${process.pid}.gguf`;
  runPeer('llama-convert-llama2c-to-ggml', [
    '--copy-vocab-from-model', path.join(stories, 'tok512.bin'),
    '--llama2c-model', path.join(stories, 'stories260K.bin'),
    '--llama2c-output-model', mine,
  ]);
  fs.renameSync(mine, final);
  return final;
}

/**
 * llama.cpp's embedding of one prompt as exact floats: llama-debug --embedding evaluates it as one
 * sequence (as cogito does), pools with llama_get_embeddings_seq and normalises with
 * common_embd_normalize, as llama-embedding does, and writes the floats to a file.
 */
function llamaDebugEmbedding(modelPath: string, prompt: string, pooling: EmbeddingPooling, normalize: number): Float32Array {
  const dir = tempDir('cogito-embed-');
  try {
    runPeer('llama-debug', ['-m', modelPath, '-p', prompt, '-c', '256', '-t', '1', '--embedding', '--pooling', pooling,
      '--embd-normalize', String(normalize), '--save-logits', '--logits-output-dir', dir]);
    const bin = fs.readdirSync(dir).find((f) => f.endsWith('-embeddings.bin'));
    if (!bin) throw new Error('llama-debug wrote no embeddings');
    const buf = fs.readFileSync(path.join(dir, bin));
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * llama-embedding's vectors for the prompts (one line each, one batch), from its OpenAI-style JSON.
 * It prints every number as its own message through llama.cpp's logger thread, which is never
 * joined at exit (a leaked singleton, llama.cpp issue 22142): on a busy machine the end of the
 * printout can be lost or garbled. A vector counts only when whole (full width, every value with
 * its 7 decimals); the run is repeated for the vectors still missing. Values are never retried:
 * every run computes the same batch.
 */
function llamaEmbedding(modelPath: string, width: number, pooling: EmbeddingPooling): Float32Array[] {
  const vectors: (Float32Array | null)[] = prompts.map(() => null);
  let failure: unknown = new Error('llama-embedding printed no whole output in 10 runs');
  for (let attempt = 0; attempt < 10 && vectors.some((v) => v === null); attempt++) {
    let stdout: string;
    try {
      ({ stdout } = runPeer('llama-embedding', [
        '-m', modelPath, '-p', prompts.join('\n'), '-c', '256', '-t', '1',
        '--pooling', pooling, '--embd-normalize', '2', '--embd-output-format', 'json',
      ]));
    } catch (err) {
      // the same race can end the process abnormally; a missing binary fails every attempt and is reported
      failure = err;
      continue;
    }
    prompts.forEach((_, index) => {
      const m = stdout.match(new RegExp(`"index": ${index},\\s*"embedding": \\[([^\\]]*)\\]`));
      const values = m ? m[1].split(',') : [];
      if (values.length === width && values.every((v) => /^-?\d+\.\d{7}$/.test(v))) vectors[index] = Float32Array.from(values, Number);
    });
  }
  if (vectors.some((v) => v === null)) throw failure;
  return vectors as Float32Array[];
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function norm(v: Float32Array, p = 2): number {
  let s = 0;
  for (const x of v) s += Math.abs(x) ** p;
  return s ** (1 / p);
}

describe.each([
  ['the default model', () => defaultModel],
  ['stories260K (pretrained, converted by llama.cpp)', storiesModel],
])('embeddings of %s', (_name, modelPath) => {
  let model: Model;
  const measured: Record<string, number> = {};

  beforeAll(async () => {
    model = await loadModel(modelPath());
  });
  afterAll(async () => {
    await model.dispose();
    // the figures the tolerance is stated from
    process.stdout.write(`embeddings vs llama.cpp, max abs diff (${_name}): ${JSON.stringify(measured)}\n`);
  });

  it.each(poolings)('final layer, %s pooling: equal to llama.cpp\'s embeddings of each prompt (llama-debug: exact floats, normalised and raw)', async (pooling) => {
    const ctx = await model.createContext({ contextSize: model.info.trainContextSize, threads: 1 });
    try {
      for (const [normalize, option] of [[2, true], [-1, false]] as const) {
        const ours = await ctx.embedBatch(prompts, { pooling, normalize: option });
        let worst = 0;
        for (let i = 0; i < prompts.length; i++) worst = Math.max(worst, maxAbsDiff(ours[i], llamaDebugEmbedding(model.info.path, prompts[i], pooling, normalize)));
        measured[`llama-debug ${pooling}${normalize === 2 ? '' : ' raw'}`] = worst;
        expect(worst).toBeLessThanOrEqual(normalize === 2 ? tolerance.normalised : tolerance.raw);
      }
    } finally {
      await ctx.dispose();
    }
  });

  it.each(poolings)('final layer, %s pooling: equal to llama-embedding\'s printout (normalised)', async (pooling) => {
    const ctx = await model.createContext({ contextSize: model.info.trainContextSize, threads: 1 });
    try {
      const reference = llamaEmbedding(model.info.path, model.info.embeddingSize, pooling);
      const ours = await ctx.embedBatch(prompts, { pooling, normalize: true });
      let worst = 0;
      for (let i = 0; i < prompts.length; i++) worst = Math.max(worst, maxAbsDiff(ours[i], reference[i]));
      measured[`llama-embedding ${pooling}`] = worst;
      // its 7 printed decimals add up to 5e-8
      expect(worst).toBeLessThanOrEqual(tolerance.normalised + 5e-8);
    } finally {
      await ctx.dispose();
    }
  });

  it('a middle layer: mean pooling is the mean of the taps, last and cls their last and first rows', async () => {
    const layer = Math.floor(model.info.layerCount / 2);
    const ctx = await model.createContext({ contextSize: model.info.trainContextSize, threads: 1 });
    try {
      const tokens = model.tokenize(prompts[1]);
      const width = model.info.embeddingSize;
      const r = await ctx.evaluate(tokens, { taps: { layers: [layer], mode: 'all' } });
      const rows = r.taps![0].data;
      expect(rows.length).toBe(tokens.length * width);
      const mean = new Float64Array(width);
      for (let p = 0; p < tokens.length; p++) for (let i = 0; i < width; i++) mean[i] += rows[p * width + i] / tokens.length;
      const pooled = await ctx.embed(tokens, { layer, pooling: 'mean' });
      expect(maxAbsDiff(pooled, Float32Array.from(mean))).toBeLessThanOrEqual(1e-6);
      expect(await ctx.embed(tokens, { layer, pooling: 'cls' })).toEqual(rows.slice(0, width));
      expect(await ctx.embed(tokens, { layer, pooling: 'last' })).toEqual(rows.slice((tokens.length - 1) * width));
      // text and its tokens give the same vector
      expect(await ctx.embed(prompts[1], { layer })).toEqual(pooled);
    } finally {
      await ctx.dispose();
    }
  });

  it('without its norm the final layer is the raw residual stream; with it, any layer gets RMS norm × output_norm.weight', async () => {
    const last = model.info.layerCount - 1;
    const info = await readGguf(model.info.path, { maxArray: 0 });
    const epsilon = info.metadata[`${model.info.architecture}.attention.layer_norm_rms_epsilon`].value as number;
    const bytes = readGgufTensor(model.info.path, 'output_norm.weight');
    const weight = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const rmsNormed = (x: Float32Array) => {
      let squares = 0;
      for (const v of x) squares += v * v;
      const scale = 1 / Math.sqrt(squares / x.length + epsilon);
      return x.map((v, i) => v * scale * weight[i]);
    };
    const ctx = await model.createContext({ contextSize: model.info.trainContextSize, threads: 1 });
    try {
      const tokens = model.tokenize(prompts[0]);
      for (const layer of [0, last]) {
        const r = await ctx.evaluate(tokens, { taps: { layers: [layer], mode: 'last' } });
        const raw = r.taps![0].data;
        expect(await ctx.embed(tokens, { layer, pooling: 'last', norm: false })).toEqual(raw);
        const normed = await ctx.embed(tokens, { layer, pooling: 'last', norm: true });
        expect(maxAbsDiff(normed, rmsNormed(raw))).toBeLessThanOrEqual(1e-6);
      }
    } finally {
      await ctx.dispose();
    }
  });

  it('normalisation: unit L2 by default when asked, and the other norms', async () => {
    const v = await model.embed(prompts[2], { normalize: true });
    expect(norm(v)).toBeCloseTo(1, 6);
    expect(await model.embed(prompts[2], { normalize: 'l2' })).toEqual(v);
    expect(await model.embed(prompts[2], { normalize: 2 })).toEqual(v);
    expect(norm(await model.embed(prompts[2], { normalize: 'l1' }), 1)).toBeCloseTo(1, 5);
    expect(norm(await model.embed(prompts[2], { normalize: 3 }), 3)).toBeCloseTo(1, 5);
    const max = await model.embed(prompts[2], { normalize: 'max' });
    expect(Math.max(...Array.from(max, Math.abs))).toBeCloseTo(1, 6);
    const raw = await model.embed(prompts[2]);
    expect(norm(raw)).not.toBeCloseTo(1, 3);
    // the direction is the raw one's
    const scale = norm(raw);
    expect(maxAbsDiff(v, raw.map((x) => x / scale))).toBeLessThanOrEqual(1e-6);
  });

  it('a batch equals its inputs one by one, on a model or a context', async () => {
    const batch = await model.embedBatch(prompts, { pooling: 'mean', normalize: true });
    const ctx = await model.createContext({ contextSize: 64 });
    try {
      for (let i = 0; i < prompts.length; i++) {
        expect(maxAbsDiff(batch[i], await ctx.embed(prompts[i], { normalize: true }))).toBeLessThanOrEqual(1e-6);
      }
    } finally {
      await ctx.dispose();
    }
  });
});

describe('embedding options are checked', () => {
  let model: Model;
  beforeAll(async () => {
    model = await loadModel(defaultModel);
  });
  afterAll(async () => {
    await model.dispose();
  });

  const bad: [string, () => Promise<unknown>][] = [
    ['a negative layer', () => model.embed('x', { layer: -1 })],
    ['a layer past the last', () => model.embed('x', { layer: model.info.layerCount })],
    ['a fractional layer', () => model.embed('x', { layer: 1.5 })],
    ['an unknown pooling', () => model.embed('x', { pooling: 'max' as EmbeddingPooling })],
    ['a p-norm below 1', () => model.embed('x', { normalize: 0.5 })],
    ['an unknown norm name', () => model.embed('x', { normalize: 'l3' as 'l2' })],
    ['NaN as normalize', () => model.embed('x', { normalize: NaN })],
    ['a non-boolean norm', () => model.embed('x', { norm: 'yes' as unknown as boolean })],
    ['options that are not an object', () => model.embed('x', null as unknown as object)],
    ['text that gives no tokens', () => model.embed('', { addSpecial: false })],
    ['no tokens', () => model.embed([])],
    ['a token outside the vocabulary', () => model.embed([1, model.info.vocabularySize])],
    ['a non-integer token', () => model.embed([1, 2.5])],
    ['an input that is neither text nor tokens', () => model.embed(42 as unknown as string)],
    ['an empty batch', () => model.embedBatch([])],
    ['a batch that is not an array', () => model.embedBatch('x' as unknown as string[])],
    ['a zero context size', () => model.embed('x', { contextSize: 0 })],
  ];
  it.each(bad)('%s → InvalidOptionError', async (_name, call) => {
    await expect(call()).rejects.toBeInstanceOf(InvalidOptionError);
  });

  it('an input longer than the context → ContextOverflowError, and the context still works', async () => {
    const ctx = await model.createContext({ contextSize: 16 });
    try {
      const long = Array.from({ length: ctx.size + 1 }, () => 5);
      await expect(ctx.embed(long)).rejects.toBeInstanceOf(ContextOverflowError);
      expect((await ctx.embed('Who was Descartes?')).length).toBe(model.info.embeddingSize);
    } finally {
      await ctx.dispose();
    }
  });
});

describe('cogito embed', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(__dirname, 'support', 'cli-child.js'), 'embed', ...args], { encoding: 'utf8', timeout: 120000 });

  it('prints the library\'s vectors, one per text, and refuses a bad option with exit 1', async () => {
    const r = cli('Who was Descartes?', 'Hello', '--pooling', 'last', '--normalize', '--json');
    expect(r.status).toBe(0);
    const printed = JSON.parse(r.stdout) as { index: number; embedding: number[] }[];
    const model = await loadModel(defaultModel);
    try {
      const expected = await model.embedBatch(['Who was Descartes?', 'Hello'], { pooling: 'last', normalize: true });
      expect(printed.map((p) => Float32Array.from(p.embedding))).toEqual(expected);
      const layer1 = cli('Hello', '--layer', '1');
      expect(layer1.stdout.trim().split(' ').map(Number).length).toBe(model.info.embeddingSize);
    } finally {
      await model.dispose();
    }
    const bad = cli('x', '--layer', '99');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('layer must be an integer from 0 to');
  });
});
