import { spawn, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { AbortError, InvalidOptionError, loadModel, type Model } from '../../src/engine';
import { defaultThreads, kvBytesPerPosition, SMALL_MODEL_PARAMETERS } from '../../src/engine/resources';
import { validateModelFile } from '../../src/engine/validate-model';
import { parseLayerSelection, parseRefreshThreshold } from '../../src/cli/commands/generate';
import { repoRoot, smallModel } from '../support/engine';

let model: Model;
let modelPath: string;

beforeAll(async () => {
  modelPath = await smallModel();
  model = await loadModel(modelPath);
});
afterAll(async () => {
  await model.dispose();
});


describe('threads', () => {
  it('a request beyond the CPUs the process may use is capped, with a warning', async () => {
    const warnings: string[] = [];
    const ctx = await model.createContext({ contextSize: 32, threads: 1000, onWarning: (w) => warnings.push(w) });
    const started = Date.now();
    expect((await ctx.complete('hello', { maxTokens: 3 })).tokens.length).toBe(3);
    // 1,000 threads on 2 cores took minutes; capped, it is the usual few milliseconds
    expect(Date.now() - started).toBeLessThan(20_000);
    await ctx.dispose();
    expect(warnings).toContainEqual(`1000 threads requested but this process may use ${os.availableParallelism()} CPUs; using ${os.availableParallelism()}`);
  });

  it('non-integer and non-positive thread counts are refused', async () => {
    for (const threads of [0, -1, 1.5, NaN, 2 ** 32]) await expect(model.createContext({ threads })).rejects.toBeInstanceOf(InvalidOptionError);
  });

  it('the default is one thread for a small model, at least one and at most the CPUs otherwise', () => {
    expect(defaultThreads(800_000)).toBe(1);
    expect(defaultThreads(SMALL_MODEL_PARAMETERS - 1)).toBe(1);
    const big = defaultThreads(1e9);
    expect(big).toBeGreaterThanOrEqual(1);
    expect(big).toBeLessThanOrEqual(os.availableParallelism());
  });
});

describe('context size', () => {
  it('2**32, fractions and zero are refused, not wrapped', async () => {
    for (const contextSize of [2 ** 32, 2 ** 31, 1.5, 0, Infinity]) {
      await expect(model.createContext({ contextSize })).rejects.toThrow(/contextSize must be a positive integer below 2\^31/);
    }
    await expect(model.createContext({ batchSize: 2 ** 32 })).rejects.toBeInstanceOf(InvalidOptionError);
  });

  it('a KV cache larger than the memory there is is refused before it is allocated', async () => {
    const rss = process.memoryUsage().rss;
    const err = await model.createContext({ contextSize: 1e9 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect((err as InvalidOptionError).code).toBe('INSUFFICIENT_MEMORY');
    expect((err as Error).message).toMatch(/contextSize 1000000000 needs about 1024\.00 GB of KV cache .* but .* GB of memory is available/);
    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * 1024 * 1024);
  });

  it('the KV estimate is layers × (n_embd_k_gqa + n_embd_v_gqa) × 2 bytes a position', async () => {
    // 4 layers, 4 heads of 32, 2 key/value heads: (64 + 64) × 2 bytes per layer
    expect(kvBytesPerPosition(await validateModelFile(modelPath))).toBe(4 * 128 * 2);
  });

  it('beyond the training context: allowed, with a warning', async () => {
    const warnings: string[] = [];
    const ctx = await model.createContext({ contextSize: model.info.trainContextSize + 256, threads: 1, onWarning: (w) => warnings.push(w) });
    await ctx.dispose();
    expect(warnings.join('\n')).toMatch(/exceeds the 2048 positions this model was trained on/);
  });
});

describe('token ids and signals', () => {
  it('fractional, negative and out-of-vocabulary token ids are refused everywhere', async () => {
    const ctx = await model.createContext({ contextSize: 32, threads: 1 });
    await expect(ctx.evaluate([1, 2.5])).rejects.toThrow(/token 2\.5 is not a token id/);
    await expect(ctx.complete([1, 0.5])).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(ctx.complete([1, NaN])).rejects.toBeInstanceOf(InvalidOptionError);
    expect(() => model.detokenize([1.5])).toThrow(InvalidOptionError);
    expect(() => model.tokenBytes(3.5)).toThrow(InvalidOptionError);
    await ctx.dispose();
  });

  it('evaluate([]) is refused', async () => {
    const ctx = await model.createContext({ contextSize: 32, threads: 1 });
    await expect(ctx.evaluate([])).rejects.toThrow(/evaluate\(\) needs at least one token/);
    await ctx.dispose();
  });

  it('an already-aborted signal throws AbortError, not the signal\'s DOMException', async () => {
    const ctx = await model.createContext({ contextSize: 32, threads: 1 });
    const err = await ctx.complete('hello', { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as AbortError).code).toBe('ABORTED');
    await ctx.dispose();
  });
});

describe('command-line bounds', () => {
  it('--taps with an empty entry and --dynamic-refresh out of [0, 1] are refused', () => {
    expect(() => parseLayerSelection(',,')).toThrow(/--taps expects an integer/);
    expect(() => parseLayerSelection('1,')).toThrow(/--taps expects an integer/);
    expect(parseLayerSelection('0, 2')).toEqual([0, 2]);
    expect(() => parseRefreshThreshold('-1')).toThrow(/--dynamic-refresh expects a cosine similarity from 0 to 1/);
    expect(() => parseRefreshThreshold('1.5')).toThrow(/from 0 to 1/);
    expect(parseRefreshThreshold('0.8')).toBe(0.8);
  });

  const cli = path.join(__dirname, 'support', 'cli-child.js');
  const defaultModel = path.join(repoRoot, 'models', 'default.gguf');

  it('a bad sampling option is reported before the prompt is echoed', () => {
    const r = spawnSync(process.execPath, [cli, 'generate', 'Once upon a time', '-m', defaultModel, '--no-sidecar', '--top-p', '0', '-n', '2'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/topP must be in \(0, 1\]/);
    expect(r.stdout).toBe('');
  });

  it('`cogito gguf … | head` exits quietly when the reader goes away', async () => {
    const child = spawn(process.execPath, [cli, 'gguf', defaultModel], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // the reader is gone before the first line, as `| head -0` (or a reader that quit): every write meets EPIPE
    child.stdout.destroy();
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  });
});
