import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel, SidecarHandle, type Context, type Model, type TapTensor } from '../../src/engine';
import { addon as nativeAddon } from '../../src/engine/native';
import { TwoPass, OUTPUT_FEATURES, createSidecar, outputFeatures, readSidecar, writeSidecar, SidecarMismatchError, type EncoderType } from '../../src/sidecar';
import { agcAlpha, referenceEncode, referenceInject } from '../support/reference';
import { smallModel, tempDir, testModel } from '../support/engine';

const PROMPT = 'The capital of the small country is';
const dir = tempDir('cogito-twopass-');
let model: Model;
let ctx: Context;

beforeAll(async () => {
  model = await loadModel(await smallModel());
  ctx = await model.createContext({ contextSize: 256 });
});

afterAll(async () => {
  await ctx.dispose();
  await model.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A sidecar file for the small model; strong random weights so the injection visibly matters.
 * `versionTwo` also fills the weights a fresh version-2 sidecar starts at zero (the probes' weights
 * on the output features, the refusal channel), so their formulas are exercised too.
 */
async function sidecarFile(name: string, options: Parameters<typeof createSidecar>[1], versionTwo = false): Promise<string> {
  const file = path.join(dir, `${name}.gguf`);
  const sidecar = createSidecar(model.info, { seed: 3, ...options });
  if (versionTwo) {
    let x = 7;
    for (const name of ['probe.out.weight', 'enc.refusal']) {
      const t = sidecar.tensors.get(name)!;
      // a small deterministic pattern in [-0.5, 0.5)
      for (let i = 0; i < t.data.length; i++) t.data[i] = ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
    }
  }
  await writeSidecar(file, sidecar);
  return file;
}

const f64 = (t: TapTensor) => Float64Array.from(t.data);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('a sidecar whose injection gates are zero', () => {
  test('yields exactly the base model tokens, log-probabilities and logits', async () => {
    const file = await sidecarFile('neutral', { gateInit: 0, targetLayers: 'all', injectLayers: 'all' });
    await using pipe = await TwoPass.load(model, file);
    // pass 2 re-evaluates the last prompt token alone; the base is run on the same schedule
    // (a one-row batch may round differently from the last row of a whole-prompt batch)
    await ctx.reset();
    const fresh = await ctx.complete(PROMPT, { maxTokens: 24 });
    const reused = await ctx.complete(PROMPT, { maxTokens: 24 });
    for (const [two, base] of [
      [await pipe.complete(PROMPT, { maxTokens: 24 }), reused],
      [await pipe.complete(PROMPT, { maxTokens: 24, reevaluate: true }), fresh],
    ] as const) {
      expect(two.tokens.map((t) => t.id)).toEqual(base.tokens.map((t) => t.id));
      expect(two.tokens.map((t) => t.logprob)).toEqual(base.tokens.map((t) => t.logprob));
      expect(two.tokens.map((t) => t.entropy)).toEqual(base.tokens.map((t) => t.entropy));
    }

    // every position's logits, with the injection active from the first position on
    const tokens = model.tokenize(PROMPT);
    const plain = await ctx.evaluate(tokens, { logits: 'all' });
    const sidecar = await nativeAddon().loadSidecar(file);
    const { tokens: cognitive } = await sidecar.encode(new Float32Array(pipe.config.targetLayers.length * model.info.embeddingSize + OUTPUT_FEATURES).fill(0.5));
    ctx.native.setInjection(sidecar, cognitive, 0, null);
    try {
      const injected = await ctx.evaluate(tokens, { logits: 'all' });
      expect(maxAbsDiff(injected.logits, plain.logits)).toBe(0);
    } finally {
      ctx.native.clearInjection();
      sidecar.dispose();
    }
  });
});

describe.each<EncoderType>(['selective', 'multi_token', 'transformer'])('the %s encoder and its injection', (encoder) => {
  let file: string;
  beforeAll(async () => {
    file = await sidecarFile(`numeric-${encoder}`, { encoder, gateInit: 0.8, targetLayers: [1, 2, 3], injectLayers: [2, 3], bottleneck: 64, heads: 4, initScale: 2 }, true);
  });

  test('match an independent float64 implementation of FORMAT.md (max abs diff <= 1e-4)', async () => {
    const reference = await readSidecar(file);
    await using pipe = await TwoPass.load(model, file);
    const state = await pipe.encode(PROMPT);
    expect(state.hidden.map((t) => t.layer)).toEqual([1, 2, 3]);
    // φ is the base's own output distribution at the last prompt token
    const plain = await ctx.evaluate(model.tokenize(PROMPT));
    expect(state.outputFeatures).toEqual(Array.from(outputFeatures(plain.logits)));
    const expected = referenceEncode(reference, state.hidden.map(f64), Float32Array.from(state.outputFeatures));
    const E = model.info.embeddingSize;
    expected.tokens.forEach((tok, m) => expect(maxAbsDiff(state.tokens.subarray(m * E, (m + 1) * E), tok)).toBeLessThanOrEqual(1e-4));
    expect(maxAbsDiff(state.confidences.map((c) => c.confidence), expected.confidences)).toBeLessThanOrEqual(1e-4);

    // the hidden state after the first injection layer (2) at the last prompt token, step 0 and step 5 (AGC)
    const tokens = model.tokenize(PROMPT);
    const base = await ctx.evaluate(tokens, { taps: { layers: [2], mode: 'last' } });
    const x = f64(base.taps![0]);
    const sidecar = await nativeAddon().loadSidecar(file);
    try {
      for (const { start, agc, alpha } of [
        { start: tokens.length - 1, agc: null, alpha: 1 },
        { start: tokens.length - 6, agc: { floor: 0.25, tau: 4 }, alpha: agcAlpha(5, 0.25, 4) },
      ]) {
        ctx.native.setInjection(sidecar, state.tokens, start, agc);
        const injected = await ctx.evaluate(tokens, { taps: { layers: [2], mode: 'last' } });
        ctx.native.clearInjection();
        const predicted = referenceInject(reference, 0, x, expected.tokens, alpha);
        const changed = maxAbsDiff(injected.taps![0].data, x);
        expect(changed).toBeGreaterThan(1e-2); // the injection really does something
        expect(maxAbsDiff(injected.taps![0].data, predicted)).toBeLessThanOrEqual(1e-4);
      }
    } finally {
      ctx.native.clearInjection();
      sidecar.dispose();
    }
  });

  test('the KV-reusing second pass and the re-evaluating one give the same tokens', async () => {
    await using pipe = await TwoPass.load(model, file);
    const reuse = await pipe.complete(PROMPT, { maxTokens: 20 });
    const naive = await pipe.complete(PROMPT, { maxTokens: 20, reevaluate: true });
    const plain = await ctx.complete(PROMPT, { maxTokens: 20 });
    expect(reuse.tokens.map((t) => t.id)).toEqual(naive.tokens.map((t) => t.id));
    expect(reuse.tokens.map((t) => t.id)).not.toEqual(plain.tokens.map((t) => t.id));
    const agcReuse = await pipe.complete(PROMPT, { maxTokens: 20, agc: { floor: 0.2, tau: 3 } });
    const agcNaive = await pipe.complete(PROMPT, { maxTokens: 20, agc: { floor: 0.2, tau: 3 }, reevaluate: true });
    expect(agcReuse.tokens.map((t) => t.id)).toEqual(agcNaive.tokens.map((t) => t.id));
  });
});

describe('an injection during generation', () => {
  test('computes the cognitive tokens\' keys and values once and keeps reusing the graph', async () => {
    const file = await sidecarFile('kv-once', { encoder: 'multi_token', gateInit: 0.8, targetLayers: [1, 2, 3], injectLayers: [1, 3], bottleneck: 64, heads: 4, initScale: 2 });
    const handle = await SidecarHandle.load(file);
    try {
      const { tokens: cognitive } = await handle.encode(new Float32Array(3 * model.info.embeddingSize + OUTPUT_FEATURES).fill(0.5));
      const prompt = model.tokenize(PROMPT);
      for (const agc of [null, { floor: 0.2, tau: 3 }]) {
        const run = async (maxTokens: number) => {
          const before = ctx.graphCounters();
          const r = await ctx.complete(prompt, { maxTokens, ignoreEos: true, injection: { sidecar: handle, tokens: cognitive, agc } });
          const after = ctx.graphCounters();
          expect(r.tokens.length).toBe(maxTokens);
          return {
            built: after.built - before.built, reused: after.reused - before.reused,
            kv: after.crossKvComputed - before.crossKvComputed, kvInGraph: after.crossKvInGraph - before.crossKvInGraph,
          };
        };
        const short = await run(4);
        const long = await run(24);
        // once per injection, whatever the number of tokens, and never inside the generation graphs
        expect([short.kv, long.kv]).toEqual([1, 1]);
        expect([short.kvInGraph, long.kvInGraph]).toEqual([0, 0]);
        // the same cognitive tokens every token: the graph is built for the first ones, then reused
        // (AGC's α(step) changes through an input tensor, not the graph)
        expect(long.built).toBe(short.built);
        expect(long.reused - short.reused).toBe(20);
      }
      // dynamic refresh: new tokens mean new keys and values, once, computed by the next decode
      await ctx.reset();
      ctx.native.setInjection(handle.handle, cognitive, 0, null);
      try {
        const start = ctx.graphCounters().crossKvComputed;
        await ctx.native.decode(Int32Array.from(prompt.slice(0, 2)), 0, 1);
        ctx.native.setInjectionTokens(cognitive.map((v) => v * 0.5));
        expect(ctx.graphCounters().crossKvComputed - start).toBe(1);
        await ctx.native.decode(Int32Array.from(prompt.slice(2, 3)), 2, 1);
        await ctx.native.decode(Int32Array.from(prompt.slice(3, 4)), 3, 1);
        expect(ctx.graphCounters().crossKvComputed - start).toBe(2);
      } finally {
        ctx.native.clearInjection();
        await ctx.reset(); // the cache holds injected keys and values the context does not know of
      }
    } finally {
      handle.dispose();
    }
  });
});

describe('the two-pass pipeline', () => {
  let file: string;
  beforeAll(async () => {
    file = await sidecarFile('pipeline', { gateInit: 0.8, initScale: 2, threshold: 0.99 });
  });

  test('decision gating: a prompt the probes trust gets the base\'s own answer; a doubted one is injected', async () => {
    // the base on pass 2's schedule: the prompt cached, its last token evaluated alone (a
    // one-row batch may round differently from the last row of a whole-prompt batch)
    await ctx.reset();
    await ctx.complete(PROMPT, { maxTokens: 1 });
    const base = await ctx.complete(PROMPT, { maxTokens: 12 });
    // threshold 0: no confidence is below it; threshold 1: every one is
    await using trusting = await TwoPass.load(model, await sidecarFile('gated-trust', { gateInit: 0.8, initScale: 2, threshold: 0, gating: 'decision' }));
    const trusted = await trusting.complete(PROMPT, { maxTokens: 12 });
    expect(trusted.decision.refuse).toBe(false);
    expect(trusted.decision.injected).toBe(false);
    expect(trusted.tokens.map((t) => t.id)).toEqual(base.tokens.map((t) => t.id));
    await using doubting = await TwoPass.load(model, await sidecarFile('gated-doubt', { gateInit: 0.8, initScale: 2, threshold: 1, gating: 'decision' }));
    const doubted = await doubting.complete(PROMPT, { maxTokens: 12 });
    expect(doubted.decision.refuse).toBe(true);
    expect(doubted.decision.injected).toBe(true);
    expect(doubted.tokens.map((t) => t.id)).not.toEqual(base.tokens.map((t) => t.id));
    // without gating the same strong sidecar always injects
    await using always = await TwoPass.load(model, await sidecarFile('gated-never', { gateInit: 0.8, initScale: 2, threshold: 0 }));
    expect((await always.complete(PROMPT, { maxTokens: 12 })).decision.injected).toBe(true);
  });

  test('caches cognitive tokens per prompt, and returns the decision signal', async () => {
    await using pipe = await TwoPass.load(model, file);
    const first = await pipe.complete(PROMPT, { maxTokens: 8 });
    const again = await pipe.complete(PROMPT, { maxTokens: 8 });
    expect(first.decision.cached).toBe(false);
    expect(again.decision.cached).toBe(true);
    expect(again.tokens.map((t) => t.id)).toEqual(first.tokens.map((t) => t.id));
    const d = first.decision;
    expect(d.confidences.map((c) => c.layer)).toEqual(pipe.config.targetLayers);
    for (const c of d.confidences) expect(c.confidence).toBeGreaterThan(0);
    expect(d.confidence).toBeCloseTo(d.confidences.reduce((s, c) => s + c.confidence, 0) / d.confidences.length, 6);
    expect(d.refuse).toBe(d.confidence < 0.99);
    expect(d.injectionGates.map((g) => g.layer)).toEqual(pipe.config.injectLayers);
    for (const g of d.injectionGates) expect(g.gate).toBeCloseTo(Math.tanh(0.8), 6);
  });

  test('a pass-2 generation leaves no injected keys and values behind for the next prompt', async () => {
    // a conversation that goes on: the next prompt extends the last one with its answer
    const prompt = model.tokenize(PROMPT);
    await using used = await TwoPass.load(model, file);
    const answer = await used.complete(prompt, { maxTokens: 12 });
    const next = [...prompt, ...answer.tokens.map((t) => t.id)];
    const after = await used.complete(next, { maxTokens: 12 });
    await using fresh = await TwoPass.load(model, file);
    const clean = await fresh.complete(next, { maxTokens: 12 });
    expect(after.decision.confidences).toEqual(clean.decision.confidences);
    expect(after.tokens.map((t) => t.id)).toEqual(clean.tokens.map((t) => t.id));
  });

  test('dynamic refresh re-encodes when the tapped state drifts, and only then', async () => {
    await using pipe = await TwoPass.load(model, file, { cacheSize: 0 });
    const always = await pipe.complete(PROMPT, { maxTokens: 12, dynamicRefresh: { threshold: 1 } });
    expect(always.decision.refreshes).toBeGreaterThan(0);
    const never = await pipe.complete(PROMPT, { maxTokens: 12, dynamicRefresh: { threshold: -0.999 } });
    expect(never.decision.refreshes).toBe(0);
    const off = await pipe.complete(PROMPT, { maxTokens: 12 });
    expect(never.tokens.map((t) => t.id)).toEqual(off.tokens.map((t) => t.id));
    expect(always.tokens.map((t) => t.id)).not.toEqual(off.tokens.map((t) => t.id));
  });

  test('a sidecar made for another base is refused; force turns a fingerprint mismatch into a warning', async () => {
    const other = await loadModel(await testModel('other', { embeddingSize: 96, layers: 3, heads: 4, headsKv: 2, feedForwardSize: 192, seed: 5 }));
    try {
      await expect(TwoPass.load(other, file)).rejects.toThrow(SidecarMismatchError);
    } finally {
      await other.dispose();
    }
    const sameShape = await loadModel(await testModel('small-reseeded', { embeddingSize: 128, layers: 4, heads: 4, headsKv: 2, feedForwardSize: 320, seed: 12, initStd: 0.05 }));
    try {
      await expect(TwoPass.load(sameShape, file)).rejects.toThrow(/fingerprint/);
      await using forced = await TwoPass.load(sameShape, file, { force: true });
      expect(forced.warning).toMatch(/fingerprint/);
      expect((await forced.complete(PROMPT, { maxTokens: 4 })).tokens.length).toBeGreaterThan(0);
    } finally {
      await sameShape.dispose();
    }
  });

  test('write → load in the runtime is bit-exact', async () => {
    const written = await readSidecar(file);
    const sidecar = await nativeAddon().loadSidecar(file);
    try {
      const loaded = sidecar.tensors();
      expect(loaded.map((t) => t.name).sort()).toEqual([...written.tensors.keys()].sort());
      for (const t of loaded) {
        const w = written.tensors.get(t.name)!;
        expect(Buffer.compare(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength), Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength))).toBe(0);
      }
    } finally {
      sidecar.dispose();
    }
  });

  test('the native loader survives a thousand byte mutations of a valid sidecar', async () => {
    const bytes = fs.readFileSync(file);
    const mutated = path.join(dir, 'mutated.gguf');
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    let loaded = 0;
    for (let i = 0; i < 1000; i++) {
      const copy = Buffer.from(bytes);
      // mutate mostly the header and metadata, where parsing decisions are made
      const span = i % 4 === 0 ? copy.length : Math.min(copy.length, 4096);
      for (let k = 0; k < 1 + (next() % 4); k++) copy[next() % span] = next() & 0xff;
      if (i % 10 === 0) fs.writeFileSync(mutated, copy.subarray(0, next() % copy.length));
      else fs.writeFileSync(mutated, copy);
      try {
        const s = await nativeAddon().loadSidecar(mutated);
        loaded++;
        s.dispose();
      } catch (err) {
        expect((err as { code?: string }).code).toBe('INVALID_SIDECAR');
      }
    }
    expect(loaded).toBeLessThan(1000);
  });
});
