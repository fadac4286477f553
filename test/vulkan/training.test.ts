/**
 * Sidecar training on the Vulkan build (issue 20, item 4). Training runs on the CPU backend in every
 * build (native/train.cpp turns op offload off): ggml-vulkan's cross-entropy backward lacks
 * llama_patch/0003's label mask, so on the device rows without a label would be trained on. What
 * this checks: a Vulkan build trains, with the CPU build's losses — bit for bit, which is also the
 * proof that no training op went to the device — and its sidecar then runs on the device.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, tempDir } from '../support/engine';
import { figures, loadBuilds, printFigures, type Build } from './builds';

const { cpu, gpu } = loadBuilds();
const modelPath = path.join(repoRoot, 'models', 'default.gguf');
const dir = tempDir('cogito-vulkan-train-');
const collected = path.join(dir, 'collected');

beforeAll(async () => {
  const dataset = path.join(dir, 'qa.jsonl');
  const lines = fs.readFileSync(path.join(repoRoot, 'models', 'default.sidecar-train.jsonl'), 'utf8').trim().split('\n');
  fs.writeFileSync(dataset, lines.slice(0, 40).join('\n') + '\n');
  await cpu.loom.collect({ runDir: collected, model: modelPath, dataset, maxTokens: 4, threads: 2 });
}, 300_000);

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  printFigures('training.test.ts');
});

async function train(build: Build) {
  const runDir = path.join(dir, build.name);
  fs.cpSync(collected, runDir, { recursive: true });
  const summary = await build.loom.trainSidecar({ runDir, gating: 'always', epochs: 2, threads: 2 });
  return { summary, checkpoint: summary.checkpoint };
}

test('the Vulkan build trains a sidecar with the CPU build\'s losses, and runs it on the device', async () => {
  const want = await train(cpu);
  const got = await train(gpu);
  figures.training = { cpu: want.summary.epochs, gpu: got.summary.epochs, seconds: { cpu: want.summary.seconds, gpu: got.summary.seconds } };
  expect(got.summary.epochs.length).toBe(2);
  expect(got.summary.epochs).toEqual(want.summary.epochs);
  const [a, b] = await Promise.all([cpu.sidecar.readSidecar(got.checkpoint), cpu.sidecar.readSidecar(want.checkpoint)]);
  expect([...a.tensors.keys()]).toEqual([...b.tensors.keys()]);
  for (const [name, t] of b.tensors) expect(Buffer.from(a.tensors.get(name)!.data.buffer).equals(Buffer.from(t.data.buffer))).toBe(true);

  const model = await gpu.engine.loadModel(modelPath, { gpuLayers: 99 });
  try {
    const pipe = await gpu.sidecar.TwoPass.load(model, got.checkpoint, { contextSize: 128 });
    const r = await pipe.complete('Question: What country is Tuten from?\nAnswer:', { maxTokens: 8, temperature: 0 });
    expect(r.decision.injected).toBe(true);
    expect(r.tokens.length).toBeGreaterThan(0);
    await pipe.dispose();
  } finally {
    await model.dispose();
  }
});
