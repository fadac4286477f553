import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AbortError, CogitoError } from '../../src/engine';
import { packageRoot } from '../../src/engine/native';
import { collect } from '../../src/loom/collect';
import { evaluate } from '../../src/loom/eval';
import { BaseTrainer } from '../../src/loom/train-base';
import { trainSidecar } from '../../src/loom/train-sidecar';
import { tempDir } from '../support/engine';

// The default model and the first questions of its sidecar's training set: a real run, small.
const modelPath = path.join(packageRoot, 'models', 'default.gguf');
const sidecarPath = path.join(packageRoot, 'sidecars', 'default.gguf');
const dir = tempDir('cogito-abort-');
const dataset = path.join(dir, 'qa.jsonl');
const runDir = path.join(dir, 'run');
const cpus = os.availableParallelism();

beforeAll(async () => {
  const lines = fs.readFileSync(path.join(packageRoot, 'models', 'default.sidecar-train.jsonl'), 'utf8').trim().split('\n');
  fs.writeFileSync(dataset, lines.slice(0, 24).join('\n') + '\n');
  await collect({ runDir, model: modelPath, dataset, maxTokens: 4, threads: 1 });
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The rejection of a promise, which must be a typed AbortError (not the DOMException signal.throwIfAborted() throws). */
async function abortOf(p: Promise<unknown>): Promise<AbortError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AbortError);
  expect(err).toBeInstanceOf(CogitoError);
  expect((err as AbortError).code).toBe('ABORTED');
  return err as AbortError;
}

describe('aborts in the loom are AbortErrors', () => {
  test('collect: an already-aborted signal, and one aborted after the first question', async () => {
    await abortOf(collect({ runDir: path.join(dir, 'collect-1'), model: modelPath, dataset, maxTokens: 4, threads: 1, signal: AbortSignal.abort() }));
    const ac = new AbortController();
    const done: number[] = [];
    await abortOf(collect({ runDir: path.join(dir, 'collect-2'), model: modelPath, dataset, maxTokens: 4, threads: 1, signal: ac.signal, onProgress: (n) => { done.push(n); ac.abort(); } }));
    expect(done).toEqual([1]);
  });

  test('eval: an already-aborted signal', async () => {
    await abortOf(evaluate({ runDir, sidecar: sidecarPath, threads: 1, outDir: path.join(dir, 'eval'), signal: AbortSignal.abort() }));
  });

  test('train-sidecar: an already-aborted signal', async () => {
    await abortOf(trainSidecar({ runDir, gating: 'always', epochs: 1, threads: 1, signal: AbortSignal.abort() }));
  });

  test('train-base: an already-aborted signal', async () => {
    const t = await BaseTrainer.open(modelPath, { contextSize: 64, threads: 1 });
    try {
      await abortOf(t.train([{ tokens: [1, 2, 3, 4] }], { epochs: 1, schedule: { learningRate: 1e-3 }, signal: AbortSignal.abort() }));
    } finally {
      t.dispose();
    }
  });
});

describe('training threads are capped at the CPUs the process may use', () => {
  test('BaseTrainer: more threads than CPUs are capped, with a warning; none asked gives the default', async () => {
    const warnings: string[] = [];
    const t = await BaseTrainer.open(modelPath, { contextSize: 64, threads: 1000, onWarning: (w) => warnings.push(w) });
    try {
      expect(t.info().threads).toBe(cpus);
      expect(warnings).toEqual([`1000 threads requested but this process may use ${cpus} CPUs; using ${cpus}`]);
    } finally {
      t.dispose();
    }
    // the default model is under 5M parameters: one thread, as a context would take
    const d = await BaseTrainer.open(modelPath, { contextSize: 64 });
    try {
      expect(d.info().threads).toBe(1);
    } finally {
      d.dispose();
    }
  });

  test('BaseTrainer: thread counts that are not positive 32-bit integers are refused', async () => {
    for (const threads of [0, -1, 1.5, NaN, 2 ** 32]) {
      await expect(BaseTrainer.open(modelPath, { contextSize: 64, threads })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });

  test('train-sidecar: the trainer is capped too, with a warning through onWarning', async () => {
    const warnings: string[] = [];
    const ac = new AbortController();
    // stopped at its first window: the thread count is settled by then
    await abortOf(trainSidecar({
      runDir, gating: 'always', epochs: 1, threads: 1000, signal: ac.signal, onWarning: (w) => warnings.push(w),
      onProgress: (p) => { if (p.stage === 'sidecar') ac.abort(); },
    }));
    expect(warnings).toContainEqual(`1000 threads requested but this process may use ${cpus} CPUs; using ${cpus}`);
  }, 120_000);
});
