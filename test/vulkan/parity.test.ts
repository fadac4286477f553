/**
 * Parity of the Vulkan build with the CPU build on generated models (issue 20, item 4): logits,
 * greedy tokens, taps, and the sidecar's injection with the model's layers on the device — all of
 * them (gpuLayers 99) or half (gpuLayers 3: llama.cpp counts the output layer as one, so layers 0–1 stay
 * on the CPU and 2–3 and the output go to the device; taps and injection are hooked on both sides). Run by `npm run test:vulkan`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { smallModel, tempDir } from '../support/engine';
import { figures, isDeviceBackend, loadBuilds, maxAbs, maxAbsDiff, printFigures, type Build } from './builds';

// Tolerances, stated once (docs/gpu.md). ggml-vulkan multiplies f32 weights through f16 and
// accumulates in another order than ggml-cpu, so results agree to a few thousandths of the
// values' scale, not bit for bit; greedy tokens and decisions must agree exactly.
const LOGIT_TOLERANCE = 2e-2; // absolute, logits of the small model reach about ±1
const TAP_TOLERANCE = 2e-2; // absolute, hidden states reach a few units
const TAPS_SAME_BUILD_TOLERANCE = 1e-5; // the same build with and without taps: rounding only

const PROMPT = 'The capital of the small country is';
const OFFLOADS = [{ name: 'full', gpuLayers: 99 }, { name: 'partial', gpuLayers: 3 }] as const;
const dir = tempDir('cogito-vulkan-');
const { cpu, gpu } = loadBuilds();

type Model = Awaited<ReturnType<Build['engine']['loadModel']>>;
let modelPath: string;
let cpuModel: Model;

beforeAll(async () => {
  modelPath = await smallModel();
  cpuModel = await cpu.engine.loadModel(modelPath);
});

afterAll(async () => {
  await cpuModel.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
  printFigures('parity.test.ts');
});

/** A sidecar for the small model on every layer; gate 0.5 so its injection visibly moves the logits. */
async function sidecarFile(name: string, gateInit: number): Promise<string> {
  const file = path.join(dir, `${name}.gguf`);
  const sidecar = cpu.sidecar.createSidecar(cpuModel.info, { seed: 3, gateInit, targetLayers: 'all', injectLayers: 'all' });
  await cpu.sidecar.writeSidecar(file, sidecar);
  return file;
}

describe('the GPU build sees its device and shows where ops ran', () => {
  test('the addon sees a device of its GPU backend (lavapipe for the Vulkan build here)', () => {
    const info = gpu.engine.systemInfo();
    expect(info.supportsGpuOffload).toBe(true);
    const devices = info.backends.flatMap((b) => b.devices.map((d) => ({ backend: b.name, ...d })));
    expect(devices.some((d) => isDeviceBackend(d.backend))).toBe(true);
    figures.devices = devices.map((d) => `${d.backend}: ${d.description} (${d.type})`);
  });

  for (const { name, gpuLayers } of OFFLOADS) {
    test(`${name} offload: the device runs the layers it holds; nothing falls back to the CPU wholesale`, async () => {
      const model = await gpu.engine.loadModel(modelPath, { gpuLayers });
      try {
        const ctx = await model.createContext({ contextSize: 128 });
        expect(ctx.graphPlacement()).toEqual({ splits: 0, backends: expect.any(Array) });
        await ctx.evaluate(model.tokenize(PROMPT));
        const placement = ctx.graphPlacement();
        const nodes = Object.fromEntries(placement.backends.map((b) => [b.name, b.nodes]));
        const device = placement.backends.filter((b) => isDeviceBackend(b.name)).reduce((s, b) => s + b.nodes, 0);
        const total = placement.backends.reduce((s, b) => s + b.nodes, 0);
        figures[`placement.${name}`] = { ...nodes, splits: placement.splits };
        // full: everything but the input embedding lookup (the token embeddings stay in host memory)
        if (gpuLayers === 99) expect(device / total).toBeGreaterThan(0.9);
        else expect(device / total).toBeGreaterThan(0.3);
        expect(device).toBeLessThan(total + 1);
        await ctx.dispose();
      } finally {
        await model.dispose();
      }
    });
  }
});

describe.each(OFFLOADS)('$name offload: the GPU build computes what the CPU build does', ({ name, gpuLayers }) => {
  let model: Model;

  beforeAll(async () => {
    model = await gpu.engine.loadModel(modelPath, { gpuLayers });
  });
  afterAll(async () => {
    await model.dispose();
  });

  test('logits of every position, and taps of every layer at every position', async () => {
    const tokens = cpuModel.tokenize(PROMPT);
    const c = await cpuModel.createContext({ contextSize: 128 });
    const v = await model.createContext({ contextSize: 128 });
    try {
      const want = await c.evaluate(tokens, { logits: 'all', taps: { layers: 'all', mode: 'all' } });
      const got = await v.evaluate(tokens, { logits: 'all', taps: { layers: 'all', mode: 'all' } });
      const logitDiff = maxAbsDiff(got.logits, want.logits);
      expect(logitDiff).toBeLessThan(LOGIT_TOLERANCE);
      expect(got.taps!.map((t) => t.shape)).toEqual(want.taps!.map((t) => t.shape));
      const tapDiffs = want.taps!.map((t, i) => maxAbsDiff(got.taps![i].data, t.data));
      for (const d of tapDiffs) expect(d).toBeLessThan(TAP_TOLERANCE);
      figures[`logits.${name}`] = { maxAbsDiff: logitDiff, scale: maxAbs(want.logits), tolerance: LOGIT_TOLERANCE };
      figures[`taps.${name}`] = { maxAbsDiffPerLayer: tapDiffs, scale: Math.max(...want.taps!.map((t) => maxAbs(t.data))), tolerance: TAP_TOLERANCE };
    } finally {
      await c.dispose();
      await v.dispose();
    }
  });

  test('taps leave the logits as they are on the device (the hook only marks outputs to read back)', async () => {
    const tokens = cpuModel.tokenize(PROMPT);
    const v = await model.createContext({ contextSize: 128 });
    try {
      const plain = await v.evaluate(tokens, { logits: 'all' });
      await v.reset();
      const tapped = await v.evaluate(tokens, { logits: 'all', taps: { layers: 'all', mode: 'all' } });
      const diff = maxAbsDiff(tapped.logits, plain.logits);
      // an output flag may keep ggml-vulkan from fusing an op with the next, which reorders a sum:
      // rounding, not the 2.9 a wrong allocation gave (docs/gpu.md)
      expect(diff).toBeLessThan(TAPS_SAME_BUILD_TOLERANCE);
      figures[`tapsVsPlain.${name}`] = { logitsMaxAbsDiff: diff, tolerance: TAPS_SAME_BUILD_TOLERANCE };
    } finally {
      await v.dispose();
    }
  });

  test('greedy generation: the same tokens', async () => {
    const c = await cpuModel.createContext({ contextSize: 128 });
    const v = await model.createContext({ contextSize: 128 });
    try {
      const want = await c.complete(PROMPT, { maxTokens: 32, temperature: 0 });
      const got = await v.complete(PROMPT, { maxTokens: 32, temperature: 0 });
      expect(got.tokens.map((t) => t.id)).toEqual(want.tokens.map((t) => t.id));
      figures[`greedy.${name}`] = { tokens: want.tokens.length, logprobMaxAbsDiff: maxAbsDiff(got.tokens.map((t) => t.logprob), want.tokens.map((t) => t.logprob)) };
    } finally {
      await c.dispose();
      await v.dispose();
    }
  });

  test('a sidecar with zero injection gates leaves the base exactly as it is', async () => {
    const file = await sidecarFile(`neutral-${name}`, 0);
    const base = await model.createContext({ contextSize: 128 });
    const pipe = await gpu.sidecar.TwoPass.load(model, file, { contextSize: 128 });
    try {
      // pass 2 re-reads the last prompt token alone: the base runs on the same schedule
      await base.complete(PROMPT, { maxTokens: 0 });
      const plain = await base.complete(PROMPT, { maxTokens: 24, temperature: 0 });
      const two = await pipe.complete(PROMPT, { maxTokens: 24, temperature: 0 });
      expect(two.decision.injected).toBe(true);
      expect(two.tokens.map((t) => t.id)).toEqual(plain.tokens.map((t) => t.id));
      expect(two.tokens.map((t) => t.logprob)).toEqual(plain.tokens.map((t) => t.logprob));
    } finally {
      await pipe.dispose();
      await base.dispose();
    }
  });

  test('two-pass generation with a live injection: the same tokens, the same cognitive state', async () => {
    const file = await sidecarFile(`live-${name}`, 0.5);
    const want = await cpu.sidecar.TwoPass.load(cpuModel, file, { contextSize: 128 });
    const pipe = await gpu.sidecar.TwoPass.load(model, file, { contextSize: 128 });
    const base = await model.createContext({ contextSize: 128 });
    try {
      const w = await want.complete(PROMPT, { maxTokens: 24, temperature: 0 });
      const g = await pipe.complete(PROMPT, { maxTokens: 24, temperature: 0 });
      expect(g.decision.injected).toBe(true);
      const plain = await base.complete(PROMPT, { maxTokens: 24, temperature: 0 });
      // the injection matters here, or this test would prove nothing
      expect(w.tokens.map((t) => t.logprob)).not.toEqual(plain.tokens.map((t) => t.logprob));
      expect(g.tokens.map((t) => t.id)).toEqual(w.tokens.map((t) => t.id));
      const logprobDiff = maxAbsDiff(g.tokens.map((t) => t.logprob), w.tokens.map((t) => t.logprob));
      expect(logprobDiff).toBeLessThan(LOGIT_TOLERANCE);
      const sw = await want.encode(PROMPT);
      const sg = await pipe.encode(PROMPT);
      const tokenDiff = maxAbsDiff(sg.tokens, sw.tokens);
      expect(tokenDiff).toBeLessThan(TAP_TOLERANCE);
      const confDiff = maxAbsDiff(sg.confidences.map((c) => c.confidence), sw.confidences.map((c) => c.confidence));
      expect(confDiff).toBeLessThan(1e-3);
      figures[`twopass.${name}`] = { logprobMaxAbsDiff: logprobDiff, cognitiveTokensMaxAbsDiff: tokenDiff, confidenceMaxAbsDiff: confDiff };
    } finally {
      await pipe.dispose();
      await want.dispose();
      await base.dispose();
    }
  });
});
