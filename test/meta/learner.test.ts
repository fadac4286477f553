// The meta-learner (src/meta/learner.ts, native/meta_learner.cpp) on the real addon: it learns a
// relation between two signals and the outcome and beats chance on rows it never saw; the loss
// falls; a seed fixes the result; the GGUF round-trips and is bound to its base; damaged files and
// non-finite inputs are refused; gradient clipping keeps a few rows with enormous weights from
// wrecking the optimizer; and it trains on real rows from the default model's cascade.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cascade } from '../../src/cascade';
import { loadModel, MetaNet, MetaNetTrainer, readGguf, writeGguf } from '../../src/engine';
import { auroc } from '../../src/loom/metrics';
import {
  brierScore,
  ERROR_TYPES,
  expectedCalibrationError,
  FeedbackBuffer,
  FeedbackRecorder,
  loadMetaLearner,
  META_LEARNER_KIND,
  META_TRAIN_PATIENCE,
  metaTensorShapes,
  ROUTES,
  routeTarget,
  SIGNAL_NAMES,
  SIGNALS_VERSION,
  trainMetaLearner,
  type ErrorType,
  type MetaEpoch,
  type TrainingRow,
} from '../../src/meta';
import { createRng } from '../../src/util/prng';
import { repoRoot, tempDir } from '../support/engine';

const BASE = 'base-fingerprint-test';
const PROBE = SIGNAL_NAMES.indexOf('probe_confidence');
const ENTROPY = SIGNAL_NAMES.indexOf('entropy_mean');
const HEDGES = SIGNAL_NAMES.indexOf('hedges');

let dir: string;
beforeAll(() => (dir = tempDir('cogito-meta-learner-')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * Synthetic rows: every signal is noise except two. The chance the answer is right is
 * σ(4·(probe − 0.5) − 1.5·(entropy − 1.5)) — two signals on different scales, pulling opposite
 * ways — and each row's verdict is drawn from it (a hard 0/1 target, as one verdict gives). A wrong
 * answer with hedges is out of scope, without them factual.
 */
function syntheticRows(n: number, seed: number): (TrainingRow & { p: number })[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const signals = Float32Array.from(SIGNAL_NAMES, () => rng.next() * 4 - 2);
    signals[PROBE] = rng.next();
    signals[ENTROPY] = rng.next() * 3;
    signals[HEDGES] = rng.int(3);
    const p = sigmoid(4 * (signals[PROBE] - 0.5) - 1.5 * (signals[ENTROPY] - 1.5));
    const confidence = rng.next() < p ? 1 : 0;
    const errorType: ErrorType = confidence === 1 ? 'none' : signals[HEDGES] > 0 ? 'out-of-scope' : 'factual';
    return {
      answerId: `a${i}`, question: `q${i}`, signals, signalsVersion: SIGNALS_VERSION, confidence, route: routeTarget(confidence), errorType,
      weight: 1.5, outcomes: 1, updatedAt: '2026-12-01T00:00:00.000Z', p,
    };
  });
}

const train = syntheticRows(500, 1);
const heldOut = syntheticRows(400, 2);
const modelFile = (name: string): string => path.join(dir, name);

describe('on synthetic rows', () => {
  let saved: string;
  let firstPredictions: number[];

  test('learns the relation: beats chance on held-out rows by a margin, and the loss falls', async () => {
    const epochs: MetaEpoch[] = [];
    const started = performance.now();
    const { learner, metrics } = await trainMetaLearner(train, { baseFingerprint: BASE, seed: 7, onEpoch: (e) => epochs.push(e) });
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`meta-learner: 400 training + 100 validation rows, ${epochs.length} epochs in ${seconds.toFixed(2)} s; validation ${JSON.stringify(metrics)}\n`);
    try {
      expect(epochs.map((e) => e.epoch)).toEqual(Array.from({ length: epochs.length }, (_, i) => i + 1));
      expect(epochs[epochs.length - 1].trainLoss).toBeLessThan(epochs[0].trainLoss * 0.9);
      const validation = epochs.map((e) => e.validationLoss as number);
      const bestEpoch = validation.indexOf(Math.min(...validation)) + 1;
      expect(validation[bestEpoch - 1]).toBeLessThan(validation[0]);
      // it stopped META_TRAIN_PATIENCE epochs after the best one, before the 80 allowed
      expect(epochs.length).toBe(bestEpoch + META_TRAIN_PATIENCE);
      expect(epochs.length).toBeLessThan(80);
      expect(metrics).toMatchObject({ rows: 500, validationRows: 100 });
      expect(metrics.validationLoss).toBe(Math.min(...epochs.map((e) => e.validationLoss as number)));

      const predictions = learner.predictMany(heldOut.map((r) => r.signals));
      const correct = heldOut.map((r) => r.confidence === 1);
      const learned = auroc(predictions.map((p) => p.confidence), correct) as number;
      // the best any scorer can do here is the true chance p; chance is 0.5
      const best = auroc(heldOut.map((r) => r.p), correct) as number;
      process.stdout.write(`meta-learner held-out AUROC ${learned.toFixed(3)} (the true chance's: ${best.toFixed(3)})\n`);
      expect(learned).toBeGreaterThan(0.72);
      expect(learned).toBeGreaterThan(best - 0.05);
      // the error head: better than always naming the commonest class
      const commonest = Math.max(...ERROR_TYPES.map((t) => heldOut.filter((r) => r.errorType === t).length)) / heldOut.length;
      const errorAccuracy = heldOut.filter((r, i) => predictions[i].errorType === r.errorType).length / heldOut.length;
      expect(errorAccuracy).toBeGreaterThan(commonest + 0.1);
      for (const p of predictions) {
        expect(p.confidence).toBeGreaterThan(0);
        expect(p.confidence).toBeLessThan(1);
        expect(ROUTES.reduce((s, r) => s + p.routeProbabilities[r], 0)).toBeCloseTo(1, 5);
        expect(ERROR_TYPES.reduce((s, t) => s + p.errorProbabilities[t], 0)).toBeCloseTo(1, 5);
        expect(p.routeProbabilities[p.route]).toBe(Math.max(...ROUTES.map((r) => p.routeProbabilities[r])));
      }
      firstPredictions = predictions.map((p) => p.confidence);
      saved = modelFile('learner.gguf');
      await learner.save(saved);
    } finally {
      learner.dispose();
    }
  });

  test('a seed fixes the result', async () => {
    const { learner, metrics } = await trainMetaLearner(train, { baseFingerprint: BASE, seed: 7 });
    try {
      expect(learner.predictMany(heldOut.map((r) => r.signals)).map((p) => p.confidence)).toEqual(firstPredictions);
      const stored = await loadMetaLearner(saved);
      expect(metrics).toEqual(stored.info.metrics);
      stored.dispose();
    } finally {
      learner.dispose();
    }
    const other = await trainMetaLearner(train, { baseFingerprint: BASE, seed: 8, epochs: 3 });
    expect(other.learner.predict(heldOut[0].signals).confidence).not.toBe(firstPredictions[0]);
    other.learner.dispose();
  });

  test('save → load gives the same predictions and info; the file is a GGUF of its own kind', async () => {
    const loaded = await loadMetaLearner(saved, { baseFingerprint: BASE });
    try {
      expect(loaded.predictMany(heldOut.map((r) => r.signals)).map((p) => p.confidence)).toEqual(firstPredictions);
      expect(loaded.info).toMatchObject({ kind: META_LEARNER_KIND, version: 1, signalsVersion: SIGNALS_VERSION, signalNames: [...SIGNAL_NAMES], hidden: 32, baseFingerprint: BASE });
      expect(Date.parse(loaded.info.createdAt)).toBeGreaterThan(Date.parse('2026-01-01'));
      expect(loaded.info.metrics).toMatchObject({ rows: 500, validationRows: 100 });
      // saved again: the same bytes but for the creation time, which stays
      const again = modelFile('again.gguf');
      await loaded.save(again);
      expect(fs.readFileSync(again)).toEqual(fs.readFileSync(saved));
    } finally {
      loaded.dispose();
    }
    const gguf = await readGguf(saved);
    expect(gguf.metadata['general.type'].value).toBe(META_LEARNER_KIND);
    expect(gguf.metadata['cogito.meta.base_fingerprint'].value).toBe(BASE);
    expect(gguf.tensors.map((t) => t.name)).toEqual(metaTensorShapes(SIGNAL_NAMES.length, 32).map((t) => t.name));
    // no temporary left beside it
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  test('a learner for another base is refused; without a fingerprint to check it loads', async () => {
    await expect(loadMetaLearner(saved, { baseFingerprint: 'another-base' })).rejects.toMatchObject({ code: 'META_LEARNER_MISMATCH', message: expect.stringContaining(`fingerprint ${BASE}`) });
    (await loadMetaLearner(saved)).dispose();
  });

  test('damaged, truncated, foreign and missing files are refused cleanly', async () => {
    const bytes = fs.readFileSync(saved);
    const truncated = modelFile('truncated.gguf');
    fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
    await expect(loadMetaLearner(truncated)).rejects.toMatchObject({ code: 'META_LEARNER_FILE', message: expect.stringContaining(truncated) });
    const header = modelFile('header.gguf');
    fs.writeFileSync(header, bytes.subarray(0, 40));
    await expect(loadMetaLearner(header)).rejects.toMatchObject({ code: 'META_LEARNER_FILE' });
    const garbage = modelFile('garbage.gguf');
    fs.writeFileSync(garbage, Buffer.from('not a gguf at all, just words'));
    await expect(loadMetaLearner(garbage)).rejects.toMatchObject({ code: 'META_LEARNER_FILE' });
    await expect(loadMetaLearner(path.join(repoRoot, 'sidecars', 'default.gguf'))).rejects.toMatchObject({ code: 'META_LEARNER_FILE', message: expect.stringContaining('general.type') });
    await expect(loadMetaLearner(modelFile('absent.gguf'))).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // a well-formed GGUF whose weights hold a NaN, or a tensor of the wrong shape
    const gguf = await readGguf(saved, { maxArray: 4096 });
    const metadata = Object.entries(gguf.metadata).filter(([k]) => !k.startsWith('GGUF.')).map(([key, e]) => ({ key, type: e.type === 'str' ? 'string' : e.type.startsWith('array<') ? 'string[]' : e.type, value: e.value }));
    const shapes = metaTensorShapes(SIGNAL_NAMES.length, 32);
    const tensors = (edit: (name: string, data: Float32Array) => Float32Array) =>
      shapes.map(({ name, shape }) => ({ name, shape, data: edit(name, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5)) }));
    const nan = modelFile('nan.gguf');
    writeGguf(nan, metadata, tensors((name, d) => (name === 'route.bias' ? d.fill(NaN) : d)));
    await expect(loadMetaLearner(nan)).rejects.toMatchObject({ code: 'META_LEARNER_FILE', message: expect.stringContaining('route.bias') });
    const zeroStd = modelFile('zero-std.gguf');
    writeGguf(zeroStd, metadata, tensors((name, d) => (name === 'input.std' ? d.fill(0) : d)));
    await expect(loadMetaLearner(zeroStd)).rejects.toMatchObject({ code: 'META_LEARNER_FILE', message: expect.stringContaining('input.std') });
    const misshapen = modelFile('misshapen.gguf');
    writeGguf(misshapen, metadata, shapes.map(({ name, shape }) => ({ name, shape: name === 'shared.weight' ? [...shape].reverse() : shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5) })));
    await expect(loadMetaLearner(misshapen)).rejects.toMatchObject({ code: 'META_LEARNER_FILE', message: expect.stringContaining('shared.weight') });
  });

  test('non-finite or misshapen input is refused before the addon sees it', async () => {
    const learner = await loadMetaLearner(saved);
    try {
      const nan = Float32Array.from(heldOut[0].signals);
      nan[ENTROPY] = NaN;
      expect(() => learner.predict(nan)).toThrow(expect.objectContaining({ code: 'META_INVALID', message: expect.stringContaining('entropy_mean') }));
      expect(() => learner.predict(new Float32Array(3))).toThrow(expect.objectContaining({ code: 'META_INVALID' }));
      expect(() => learner.predictMany([heldOut[0].signals, nan])).toThrow(expect.objectContaining({ code: 'META_INVALID', message: expect.stringContaining('vector 1') }));
    } finally {
      learner.dispose();
    }
    expect(() => learner.predict(heldOut[0].signals)).toThrow(expect.objectContaining({ code: 'DISPOSED' }));

    const withNaN = train.slice(0, 20).map((r) => ({ ...r }));
    withNaN[3] = { ...withNaN[3], signals: Float32Array.from(withNaN[3].signals).fill(Infinity, 0, 1) };
    await expect(trainMetaLearner(withNaN, { baseFingerprint: BASE })).rejects.toMatchObject({ code: 'META_INVALID', message: expect.stringContaining('row 3') });
    const rows = train.slice(0, 20);
    await expect(trainMetaLearner([...rows, { ...rows[0], weight: -1 }], { baseFingerprint: BASE })).rejects.toMatchObject({ code: 'META_INVALID' });
    await expect(trainMetaLearner([...rows, { ...rows[0], signalsVersion: 99 }], { baseFingerprint: BASE })).rejects.toMatchObject({ code: 'META_INVALID' });
    await expect(trainMetaLearner(rows.map((r) => ({ ...r, weight: 0 })), { baseFingerprint: BASE })).rejects.toMatchObject({ code: 'META_INVALID' });
    await expect(trainMetaLearner(rows, { baseFingerprint: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    for (const bad of [{ weightDecay: 2 }, { learningRate: 0 }, { clip: 0 }, { clip: NaN }, { hidden: 1.5 }, { validationShare: 1 }, { epochs: 0 }]) {
      await expect(trainMetaLearner(rows, { baseFingerprint: BASE, ...bad })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });

  test('an AbortSignal stops training between epochs', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const run = trainMetaLearner(train, { baseFingerprint: BASE, onEpoch: (e) => (seen.push(e.epoch), e.epoch === 2 && controller.abort()), signal: controller.signal });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    expect(seen).toEqual([1, 2]);
  });
});

test('the confidence head learns a soft target as it is, not rounded to right or wrong', async () => {
  // true confidences between 0.2 and 0.8 (several verdicts that disagree), from one signal
  const soft = (n: number, seed: number): TrainingRow[] => syntheticRows(n, seed).map((r) => {
    const confidence = 0.2 + 0.6 * sigmoid(2 * (r.signals[PROBE] - 0.5) * 4);
    return { ...r, confidence, route: routeTarget(confidence), errorType: 'none' as const };
  });
  const { learner } = await trainMetaLearner(soft(400, 3), { baseFingerprint: BASE, epochs: 60, validationShare: 0, seed: 2 });
  try {
    const fresh = soft(200, 4);
    const predicted = learner.predictMany(fresh.map((r) => r.signals)).map((p) => p.confidence);
    const meanError = predicted.reduce((s, p, i) => s + Math.abs(p - fresh[i].confidence), 0) / fresh.length;
    process.stdout.write(`meta-learner, soft targets in [0.2, 0.8]: mean absolute error ${meanError.toFixed(3)}, predictions in [${Math.min(...predicted).toFixed(2)}, ${Math.max(...predicted).toFixed(2)}]\n`);
    expect(meanError).toBeLessThan(0.06);
    expect(Math.min(...predicted)).toBeGreaterThan(0.1);
    expect(Math.max(...predicted)).toBeLessThan(0.9);
  } finally {
    learner.dispose();
  }
});

test('training runs off the event loop: timers fire while it trains', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    const { learner } = await trainMetaLearner(train, { baseFingerprint: BASE, epochs: 10, validationShare: 0 });
    learner.dispose();
  } finally {
    clearInterval(timer);
  }
  // an epoch that held the thread would leave only microtasks between epochs: no timer could run
  expect(ticks).toBeGreaterThanOrEqual(2);
});

test('ECE and Brier score, by hand', () => {
  // bins of 0.1: two rows at 0.1 (observed 0.5), two at 0.9 (observed 1) → ½·0.4 + ½·0.1
  expect(expectedCalibrationError([0.1, 0.1, 0.9, 0.9], [0, 1, 1, 1])).toBeCloseTo(0.25, 10);
  // a confidence of exactly 1 falls in the last bin
  expect(expectedCalibrationError([1, 0], [1, 0])).toBe(0);
  expect(expectedCalibrationError([0.25, 0.35], [0, 0], 2)).toBeCloseTo(0.3, 10);
  expect(brierScore([0.2, 0.8, 0.5], [0, 1, 0.5])).toBeCloseTo(0.08 / 3, 10);
  expect(expectedCalibrationError([], [])).toBeNull();
  expect(brierScore([], [])).toBeNull();
});

/** Rows in the addon's layout (what src/meta/learner.ts hands it after its checks). */
const pack = (rows: readonly TrainingRow[]) => ({
  features: Float32Array.from(rows.flatMap((r) => [...r.signals])),
  confidence: Float32Array.from(rows, (r) => r.confidence),
  route: Uint8Array.from(rows, (r) => ROUTES.indexOf(r.route)),
  error: Uint8Array.from(rows, (r) => ERROR_TYPES.indexOf(r.errorType)),
  weight: Float32Array.from(rows, (r) => r.weight),
});
const NATIVE_OPTIONS = { inputs: SIGNAL_NAMES.length, hidden: 16, batchSize: 32, learningRate: 0.01, weightDecay: 0, clip: 1, seed: 3, lossWeights: [2, 1.5, 1] as [number, number, number] };

test('the addon checks what it is given too: what ggml would abort on is an error', () => {
  const rows = pack(train.slice(0, 40));
  const refused = (call: () => unknown) => expect(call).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  // ggml's AdamW asserts (aborting the process) on a decay above 1 or a rate of 0
  refused(() => MetaNetTrainer.open(rows, null, { ...NATIVE_OPTIONS, weightDecay: 2 }));
  refused(() => MetaNetTrainer.open(rows, null, { ...NATIVE_OPTIONS, learningRate: 0 }));
  refused(() => MetaNetTrainer.open(rows, null, { ...NATIVE_OPTIONS, inputs: 18 }));
  refused(() => MetaNetTrainer.open({ ...rows, route: rows.route.map(() => 3) }, null, NATIVE_OPTIONS));
  refused(() => MetaNetTrainer.open({ ...rows, features: rows.features.map((v, i) => (i === 5 ? NaN : v)) }, null, NATIVE_OPTIONS));
  refused(() => MetaNetTrainer.open({ ...rows, weight: rows.weight.map(() => 0) }, null, NATIVE_OPTIONS));
  const trainer = MetaNetTrainer.open(rows, null, NATIVE_OPTIONS);
  const weights = trainer.weights();
  trainer.dispose();
  expect(() => trainer.weights()).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
  expect(weights.map((t) => t.name)).toEqual(metaTensorShapes(SIGNAL_NAMES.length, 16).map((t) => t.name));
  refused(() => MetaNet.open(SIGNAL_NAMES.length, 16, weights.slice(1)));
  refused(() => MetaNet.open(SIGNAL_NAMES.length, 16, [...weights.slice(1), weights[1]]));
  refused(() => MetaNet.open(SIGNAL_NAMES.length, 16, weights.map((t, i) => (i === 0 ? { name: 'input.average', data: t.data } : t))));
  refused(() => MetaNet.open(SIGNAL_NAMES.length, 17, weights));
  const net = MetaNet.open(SIGNAL_NAMES.length, 16, weights);
  refused(() => net.predict(new Float32Array(SIGNAL_NAMES.length + 1)));
  expect(net.predict(new Float32Array(2 * SIGNAL_NAMES.length))).toHaveLength(18);
  net.dispose();
});

describe('gradient clipping', () => {
  // A few rows with enormous sample weights: without clipping their gradients (thousands of times
  // the others') fill AdamW's second moment, and every later step on the ordinary rows shrinks to
  // nothing — the net learns those few rows and stops. Clipped to norm 1, they are steps like any other.
  const poisoned = train.map((r, i) => (i % 100 === 0 ? { ...r, weight: 1e5, confidence: 1 - r.confidence, route: routeTarget(1 - r.confidence) } : r));

  test('the addon reports the norm before clipping and how many steps it clipped', async () => {
    for (const clip of [1, 0]) {
      const trainer = MetaNetTrainer.open(pack(poisoned), null, { ...NATIVE_OPTIONS, clip });
      try {
        const e = await trainer.epoch();
        expect(e.steps).toBe(16);
        expect(e.validationLoss).toBeNull();
        // the poisoned batches' gradients are thousands of times the clip
        expect(e.gradNormMax).toBeGreaterThan(1000);
        if (clip === 0) expect(e.clippedSteps).toBe(0);
        else expect(e.clippedSteps).toBeGreaterThanOrEqual(5);
      } finally {
        trainer.dispose();
      }
    }
  });

  test('a few rows with huge weights do not wreck training with clipping; without it they do', async () => {
    const score = async (clip: number): Promise<number> => {
      const { learner } = await trainMetaLearner(poisoned, { baseFingerprint: BASE, seed: 7, epochs: 40, clip, validationShare: 0 });
      try {
        const predictions = learner.predictMany(heldOut.map((r) => r.signals));
        return auroc(predictions.map((p) => p.confidence), heldOut.map((r) => r.confidence === 1)) as number;
      } finally {
        learner.dispose();
      }
    };
    const clipped = await score(1);
    const unclipped = await score(Infinity);
    process.stdout.write(`meta-learner, 5 rows of weight 1e5 among 500: held-out AUROC ${clipped.toFixed(3)} clipped, ${unclipped.toFixed(3)} not\n`);
    expect(clipped).toBeGreaterThan(0.7);
    expect(clipped - unclipped).toBeGreaterThan(0.1);
  });
});

test('on real rows: the default model\'s cascade over 40 questions fills a buffer; the learner trains on it and round-trips', async () => {
  const questions = fs.readFileSync(path.join(repoRoot, 'models', 'default.sidecar-train.jsonl'), 'utf8').trim().split('\n')
    .map((l) => (JSON.parse(l) as { question: string }).question).filter((_, i) => i % 20 === 0).slice(0, 40);
  expect(questions).toHaveLength(40);
  const buffer = FeedbackBuffer.open(path.join(dir, 'feedback.db'));
  const cascade = await Cascade.open({ threads: 1 });
  let fingerprint: string;
  try {
    const recorder = new FeedbackRecorder(cascade, buffer);
    for (const q of questions) await recorder.ask(q);
    const model = await loadModel(cascade.paths.model);
    fingerprint = model.info.fingerprint;
    await model.dispose();
  } finally {
    await cascade.close();
  }
  const rows = buffer.trainingRows();
  buffer.close();
  process.stdout.write(`meta-learner on real rows: ${rows.length} labelled answers of 40 (${rows.filter((r) => r.confidence >= 0.5).length} right)\n`);
  expect(rows.length).toBeGreaterThanOrEqual(10);
  const { learner, metrics } = await trainMetaLearner(rows, { baseFingerprint: fingerprint, epochs: 30 });
  const file = modelFile('real.gguf');
  try {
    expect(metrics.rows).toBe(rows.length);
    expect(Number.isFinite(metrics.trainLoss)).toBe(true);
    const predictions = learner.predictMany(rows.map((r) => r.signals));
    for (const p of predictions) {
      expect(p.confidence).toBeGreaterThan(0);
      expect(p.confidence).toBeLessThan(1);
      expect(ROUTES).toContain(p.route);
      expect(ERROR_TYPES).toContain(p.errorType);
    }
    await learner.save(file);
    const loaded = await loadMetaLearner(file, { baseFingerprint: fingerprint });
    expect(loaded.predictMany(rows.map((r) => r.signals))).toEqual(predictions);
    loaded.dispose();
  } finally {
    learner.dispose();
  }
}, 60_000);
