import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModel, readGgufTensor } from '../../src/engine';
import { addon as nativeAddon } from '../../src/engine/native';
import { collect, readCollected } from '../../src/loom/collect';
import { evaluate } from '../../src/loom/eval';
import { ModelMismatchError, readManifest, writeManifest } from '../../src/loom/manifest';
import { DEFAULT_PROMPT_TEMPLATE, formatPrompt } from '../../src/loom/prompt';
import { OUT_OF_FOLD_FILE, trainSidecar } from '../../src/loom/train-sidecar';
import { exportSidecar } from '../../src/loom/checkpoint';
import { OUTPUT_FEATURES, TwoPass, createSidecar, outputFeatures, readSidecar, writeSidecar } from '../../src/sidecar';
import { smallModel, tempDir } from '../support/engine';

// A small model knows nothing, so the dataset is made from what it says: half of the questions
// accept its own greedy answer (it is "right"), half accept something else (it is "wrong").
const dir = tempDir('cogito-pipeline-');
let modelPath: string;
let dataset: string;

beforeAll(async () => {
  modelPath = await smallModel();
  const model = await loadModel(modelPath);
  await using ctx = await model.createContext();
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) {
    const question = `What is item number ${i} called`;
    const r = await ctx.complete(formatPrompt(DEFAULT_PROMPT_TEMPLATE, question), { maxTokens: 6, stop: ['\n'] });
    const answers = i % 2 === 0 ? [r.text.trim() || 'nothing'] : ['zzz-not-this'];
    lines.push(JSON.stringify({ question, answers, bucket: i % 2 === 0 ? 'known' : 'unknown' }));
  }
  await model.dispose();
  dataset = path.join(dir, 'qa.jsonl');
  fs.writeFileSync(dataset, lines.join('\n') + '\n');
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('collect → train → export → eval runs end to end and writes what each stage promises', async () => {
  const runDir = path.join(dir, 'run');
  const c = await collect({ runDir, model: modelPath, dataset, targetLayers: '2,3', maxTokens: 6 });
  expect(c.questions).toBe(40);
  expect(c.correct).toBeGreaterThanOrEqual(15); // the even questions, up to empty answers
  const manifest = await readManifest(runDir);
  const { records, hidden } = await readCollected(runDir, manifest, 128);
  expect(records.filter((r) => r.pass1_correct).length).toBe(c.correct);
  expect(hidden.length).toBe(40 * 2 * 128);
  // φ (FORMAT.md) is the base's own output distribution at the last prompt token
  {
    const model = await loadModel(modelPath);
    try {
      await using ctx = await model.createContext();
      for (const r of [records[0], records[1]]) {
        const { logits } = await ctx.evaluate(r.prompt);
        // collect reused the cached prefix of the previous prompt: equal up to batch rounding
        const want = outputFeatures(logits);
        expect(r.outputFeatures).toHaveLength(3);
        r.outputFeatures!.forEach((v, k) => expect(Math.abs(v - want[k])).toBeLessThan(1e-3));
      }
    } finally {
      await model.dispose();
    }
  }

  // a random model's probes cannot tell right from wrong: any refusal precision is allowed, so the
  // threshold refuses some questions and the refusal is trained on them
  const t = await trainSidecar({ runDir, epochs: 2, bottleneck: 32, heads: 2, patience: 5, seed: 3, refusalPrecision: 0 });
  expect(t.epochs.length).toBe(2);
  // decision gating (the default): a threshold chosen on the validation split
  expect(t.threshold).not.toBeNull();
  expect(t.threshold!.threshold).toBeGreaterThan(0);
  // the out-of-fold confidences it was chosen on, one per question of train and validation
  const outOfFold = fs.readFileSync(path.join(runDir, OUT_OF_FOLD_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { index: number; confidence: number; pass1_correct: boolean });
  expect(outOfFold.map((r) => r.index)).toEqual([...manifest.splits.train, ...manifest.splits.val].sort((a, b) => a - b));
  for (const r of outOfFold) expect(r.confidence >= 0 && r.confidence <= 1 && typeof r.pass1_correct === 'boolean').toBe(true);
  for (const e of t.epochs) expect(Number.isFinite(e.trainLoss) && Number.isFinite(e.valLoss)).toBe(true);
  expect(fs.existsSync(t.checkpoint)).toBe(true);

  const exported = await exportSidecar(runDir);
  // the version-2 weights were trained: the probes' weights on φ and the refusal channel
  const trainedSidecar = await readSidecar(exported.path);
  expect(trainedSidecar.config.version).toBe(2);
  expect(trainedSidecar.config.gating).toBe('decision');
  expect(trainedSidecar.config.threshold).toBe(Math.fround(t.threshold!.threshold));
  for (const name of ['probe.out.weight', 'enc.refusal']) expect([name, trainedSidecar.tensors.get(name)!.data.some((v) => v !== 0)]).toEqual([name, true]);
  const model = await loadModel(modelPath);
  try {
    await using pipe = await TwoPass.load(model, exported.path);
    expect(pipe.config.targetLayers).toEqual([2, 3]);
  } finally {
    await model.dispose();
  }

  const { report, files } = await evaluate({ runDir, maxTokens: 6 });
  for (const key of ['base_accuracy', 'selective_accuracy', 'refusal_rate', 'refusal_precision', 'over_refusal', 'coverage', 'auroc', 'mcnemar_p', 'n']) {
    expect(report).toHaveProperty(key);
  }
  expect(report.n).toBe(manifest.splits.val.length);
  for (const f of Object.values(files)) expect(fs.existsSync(f)).toBe(true);
  const stages = (await readManifest(runDir)).stages.map((s) => `${s.stage}:${s.status}`);
  expect(stages).toEqual(['collect:done', 'train:done', 'export:done', 'eval:done']);
}, 600_000);

test('gradients reach the sidecar through the frozen base, whose weights stay bit-identical', async () => {
  const model = await loadModel(modelPath);
  const file = path.join(dir, 'grad.gguf');
  await writeSidecar(file, createSidecar(model.info, { targetLayers: [2, 3], injectLayers: [2, 3], bottleneck: 32, heads: 2, gateInit: 0.1, seed: 5 }));
  const before = await readSidecar(file);
  const sidecar = await nativeAddon().loadSidecar(file);
  const trainer = await nativeAddon().openTrainer({ model: modelPath, nCtx: 256, window: 32, freeze: ['.*'] });
  try {
    expect(trainer.info().trainableParameters).toBe(0);
    // no thread count given: one per CPU this process may use, not llama.cpp's 4 (which spun on
    // 2 cores: a training step took 2 s instead of 22 ms)
    expect(trainer.info().threads).toBe(os.availableParallelism());
    const prompt = model.tokenize('Question: what is this\nAnswer:');
    const target = model.tokenize(' a test\n', { addSpecial: false });
    const tokens = Int32Array.from([...prompt, ...target]);
    const targets = Uint8Array.from(tokens, (_, i) => (i >= prompt.length ? 1 : 0));
    // two layers' hidden states, then the output features φ
    const hidden = new Float32Array(2 * 128 + OUTPUT_FEATURES).map((_, i) => Math.sin(i));
    const examples = { tokens, targets, starts: Int32Array.from([0, tokens.length]), hidden, injectFrom: Int32Array.from([prompt.length - 1]) };
    const first = await nativeAddon().trainSidecar(trainer, sidecar, examples, { epochs: 1, train: false });
    const r = await nativeAddon().trainSidecar(trainer, sidecar, examples, { epochs: 8, schedule: { learningRate: 1e-2, totalSteps: 8, resetStep: true } });
    const after = await nativeAddon().trainSidecar(trainer, sidecar, examples, { epochs: 1, train: false });
    expect(r.epochLoss).toHaveLength(8);
    expect(after.loss).toBeLessThan(first.loss);

    // every trained tensor moved; the probes (trained on their own) did not
    const trained = new Map(sidecar.tensors().map((t) => [t.name, t.data]));
    for (const [name, t] of before.tensors) {
      const changed = t.data.some((v, i) => v !== trained.get(name)![i]);
      expect([name, changed]).toEqual([name, !name.startsWith('probe.')]);
    }

    // freezing the encoder (cogito train --channel refusal): only the refusal channel and the
    // cross-attention move, and the frozen tensors come back bit for bit
    // (the optimizer state is per set of trained tensors: another set needs another trainer)
    const freeze = ['^enc\\.(?!refusal$)'];
    expect(() => nativeAddon().trainSidecar(trainer, sidecar, examples, { epochs: 1, freeze })).toThrow(/open a new trainer/);
    const start = new Map(sidecar.tensors().map((t) => [t.name, t.data]));
    const frozenTrainer = await nativeAddon().openTrainer({ model: modelPath, nCtx: 256, window: 32, threads: 1, freeze: ['.*'] });
    try {
      expect(frozenTrainer.info().threads).toBe(1);
      await nativeAddon().trainSidecar(frozenTrainer, sidecar, examples, { epochs: 2, freeze, schedule: { learningRate: 1e-2, totalSteps: 2, resetStep: true } });
    } finally {
      frozenTrainer.dispose();
    }
    for (const t of sidecar.tensors()) {
      const moved = t.data.some((v, i) => v !== start.get(t.name)![i]);
      expect([t.name, moved]).toEqual([t.name, t.name === 'enc.refusal' || t.name.startsWith('inj.')]);
    }

    // the base, as the trainer holds it after training, is the file it was loaded from
    const saved = path.join(dir, 'base-after.gguf');
    trainer.save(saved);
    for (const name of ['token_embd.weight', 'blk.0.attn_q.weight', 'blk.3.ffn_down.weight', 'output.weight']) {
      expect(Buffer.compare(readGgufTensor(saved, name), readGgufTensor(modelPath, name))).toBe(0);
    }
  } finally {
    trainer.dispose();
    sidecar.dispose();
    await model.dispose();
  }
}, 300_000);

test('a run directory made with another model is refused with a clear error', async () => {
  const runDir = path.join(dir, 'other');
  await collect({ runDir, model: modelPath, dataset, targetLayers: '3', maxTokens: 2 });
  const m = await readManifest(runDir);
  await writeManifest(runDir, { ...m, model: { ...m.model, fingerprint: '0123456789abcdef' } });
  await expect(trainSidecar({ runDir, epochs: 1 })).rejects.toThrow(ModelMismatchError);
  await expect(evaluate({ runDir })).rejects.toThrow(ModelMismatchError);
}, 300_000);
