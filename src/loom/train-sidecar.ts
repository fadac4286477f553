/**
 * `cogito train`: trains a run's sidecar on what collect kept.
 *
 * 1. Probes: each target layer's probe learns P(correct) from that layer's state and, for a
 *    version-2 sidecar, the base's output features (ggml-opt).
 * 2. Decision gating (the default): the threshold below which the sidecar refuses, chosen on
 *    out-of-fold probe confidences for a refusal precision (0.85 unless told).
 * 3. Encoder and cross-attention, by language-modelling loss through the frozen base, with the
 *    injection from the last prompt position on — where the two-pass runtime injects. The target
 *    is the refusal on the questions the decision refuses (decision gating), or else the base's
 *    own answer when it was right and the refusal when it was wrong (gating 'always'). AdamW;
 *    gates and token preferences (the multi_token queries) at 5× the learning rate; cosine
 *    schedule with 5% warm-up; early stopping on the validation split; the best epoch is the
 *    run's checkpoint.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { AbortError, SidecarHandle, Trainer, loadModel, type Model, type ProbeEpoch, type SidecarExamples, type SidecarTrainProgress } from '../engine';
import { OUTPUT_FEATURES, createSidecar, writeSidecar, type EncoderType, type Gating, type Sidecar, type SidecarConfig } from '../sidecar';
import { chooseThreshold, type ThresholdChoice } from './metrics';
import { CHECKPOINT_FILE, saveCheckpoint } from './checkpoint';
import { readCollected, type CollectRecord } from './collect';
import { continuationTokens } from './prompt';
import { ManifestError, RunDataError, assertSameModel, finishStage, lastDone, readManifest, startStage, updateManifest, writeManifest, type JsonValue } from './manifest';
import { packSamples, type TrainSample } from './train-base';
import { createRng, type Rng } from '../util/prng';
import { trainProbes } from './probes';

export interface TrainSidecarOptions {
  runDir: string;
  encoder?: EncoderType;
  /** Injection layers: a spec like 'late' or '2,3' (default: the run's two last target layers). */
  injectLayers?: number[] | string;
  bottleneck?: number;
  heads?: number;
  /**
   * What the cognitive tokens carry (format 2): 'full' (default) trains the encoder and the
   * refusal channel; 'refusal' keeps the encoder off (its gates at 0, its weights frozen), so
   * the tokens are the refusal channel alone, (1 − p̄)·enc.refusal — one calibrated signal with
   * little to overfit.
   */
  channel?: CognitiveChannel;
  /**
   * When pass 2 injects (format 2, default 'decision'): 'decision' — only when the probes'
   * confidence is below the sidecar's threshold, chosen on out-of-fold confidences of every
   * question (see `refusalPrecision`), and the cross-attention learns to make the base say the
   * refusal there;
   * 'always' — on every prompt, learning the base's own answer where it was right and the
   * refusal where it was wrong.
   */
  gating?: Gating;
  /** 'decision' gating: the share of refusals that must be wrong answers of the base, out of fold (default 0.85). */
  refusalPrecision?: number;
  /**
   * 'decision' gating: the refusal precision must hold at its one-sided lower confidence bound of
   * this level (Wilson), not only as observed (default 0.9; 0: the observed share).
   */
  precisionLevel?: number;
  /**
   * 'decision' gating: also aim for selective accuracy this far above the base's, out of fold (a
   * share: 0.25 is 25 points). The threshold is then the cut most likely to meet both targets
   * (metrics.ts `chooseThreshold`, rule 'both'); unset: the best accuracy whose precision holds.
   */
  accuracyGain?: number;
  /** Injection gates at the start (default 0.1: a small push the training can grow). */
  gateInit?: number;
  refusal?: string;
  /** At most this many epochs (default 10 with decision gating, else 6). */
  epochs?: number;
  /** Default 5e-3 with decision gating, else 1e-3. */
  learningRate?: number;
  weightDecay?: number;
  /** Epochs without a better validation loss before stopping (default 3 with decision gating, else 2). */
  patience?: number;
  /** Repeat the rarer outcome (right or wrong) so both weigh the same in training (default true). */
  balance?: boolean;
  seed?: number;
  threads?: number;
  onProgress?: (p: TrainSidecarProgress) => void;
  signal?: AbortSignal;
}

export const COGNITIVE_CHANNELS = ['full', 'refusal'] as const;
export type CognitiveChannel = (typeof COGNITIVE_CHANNELS)[number];

/** In the run directory: the out-of-fold confidences the decision threshold was chosen on. */
export const OUT_OF_FOLD_FILE = 'out-of-fold.jsonl';

/** Every encoder tensor but the refusal channel (a sidecar tensor-name pattern). */
const ENCODER_BUT_REFUSAL = '^enc\\.(?!refusal$)';

export type TrainSidecarProgress =
  | { stage: 'probes'; epochs: number; valAccuracy: number }
  | ({ stage: 'threshold' } & ThresholdChoice)
  | ({ stage: 'sidecar'; epochs: number } & SidecarTrainProgress)
  | { stage: 'validation'; epoch: number; trainLoss: number; valLoss: number; best: boolean };

export interface TrainSidecarSummary {
  checkpoint: string;
  probeEpochs: number;
  probeValAccuracy: number;
  /** 'decision' gating: the threshold and how it did on the out-of-fold confidences it was chosen on. */
  threshold: ThresholdChoice | null;
  epochs: { trainLoss: number; valLoss: number }[];
  bestEpoch: number;
  examples: number;
  seconds: number;
}

export async function trainSidecar(options: TrainSidecarOptions): Promise<TrainSidecarSummary> {
  const started = Date.now();
  const manifest = await readManifest(options.runDir);
  if (!lastDone(manifest, 'collect')) throw new ManifestError(`${options.runDir}: no finished collect stage; run cogito collect first`, null);
  const model = await loadModel(manifest.model.path);
  let m = startStage(manifest, 'train');
  try {
    assertSameModel(manifest, model.info.fingerprint, manifest.model.path);
    await writeManifest(options.runDir, m);
    const { records, hidden } = await readCollected(options.runDir, manifest, model.info.embeddingSize);
    const summary = await train(model, records, hidden, manifest.splits, manifest.targetLayers, options);
    const detail: { [key: string]: JsonValue } = {
      checkpoint: CHECKPOINT_FILE.split(path.sep).join('/'),
      trainer: 'cogito (llama_opt through the frozen base)',
      probeEpochs: summary.probeEpochs,
      probeValAccuracy: summary.probeValAccuracy,
      threshold: summary.threshold ? { ...summary.threshold } : null,
      epochs: summary.epochs.map((e) => ({ trainLoss: e.trainLoss, valLoss: e.valLoss })),
      bestEpoch: summary.bestEpoch,
      examples: summary.examples,
      seconds: (Date.now() - started) / 1000,
    };
    m = finishStage(m, 'train', 'done', detail);
    await writeManifest(options.runDir, m);
    return { ...summary, seconds: (Date.now() - started) / 1000 };
  } catch (err) {
    await updateManifest(options.runDir, (cur) => (cur.stages.some((s) => s.stage === 'train' && s.status === 'running') ? finishStage(cur, 'train', 'failed', { error: err instanceof Error ? err.message : String(err) }) : cur)).catch(() => undefined);
    throw err;
  } finally {
    await model.dispose();
  }
}

async function train(
  model: Model,
  records: CollectRecord[],
  hidden: Float32Array,
  splits: { seed: number; train: number[]; val: number[] },
  targetLayers: number[],
  options: TrainSidecarOptions,
): Promise<Omit<TrainSidecarSummary, 'seconds'>> {
  const hiddenPer = targetLayers.length * model.info.embeddingSize;
  const inject = options.injectLayers ?? targetLayers.slice(-2);
  const refusalOnly = options.channel === 'refusal';
  const gating: Gating = options.gating ?? 'decision';
  const initial = createSidecar(model.info, {
    encoder: options.encoder ?? 'selective',
    targetLayers,
    injectLayers: inject,
    bottleneck: options.bottleneck,
    heads: options.heads,
    gateInit: options.gateInit ?? 0.1,
    ...(refusalOnly ? { encoderGateInit: 0 } : {}),
    refusal: options.refusal,
    seed: options.seed ?? 1,
  });
  const states = passOneStates(records, hidden, hiddenPer, initial.config.version >= 2 ? OUTPUT_FEATURES : 0);
  const per = states.per;
  const initFile = path.join(options.runDir, 'checkpoints', 'init.gguf');
  await writeSidecar(initFile, initial);
  const sidecar = await SidecarHandle.load(initFile);
  try {
    // 1. probes
    // every question: the threshold below is chosen out of fold, and the cross-attention's
    // validation loss does not depend on the probes having seen its questions
    const probeSet = gating === 'decision' ? [...splits.train, ...splits.val] : splits.train;
    const probeEpochs = await trainProbes(sidecar, gather(states.data, probeSet, per), Uint8Array.from(probeSet, (i) => (records[i].pass1_correct ? 1 : 0)), { seed: options.seed ?? 1 });
    const lastProbe: ProbeEpoch | undefined = probeEpochs.reduce<ProbeEpoch | undefined>((b, e) => (!b || e.valLoss < b.valLoss ? e : b), undefined);
    options.onProgress?.({ stage: 'probes', epochs: probeEpochs.length, valAccuracy: lastProbe?.valAccuracy ?? NaN });

    // 2. with decision gating: the threshold, on confidences no probe was trained on
    const config: SidecarConfig = { ...initial.config, gating };
    let choice: ThresholdChoice | null = null;
    let trainSet = splits.train;
    let valSet = splits.val;
    if (gating === 'decision') {
      const everyone = [...splits.train, ...splits.val];
      const held = await outOfFoldConfidences(initFile, states.data, per, records, everyone, options.seed ?? 1);
      await writeOutOfFold(options.runDir, everyone, held, records);
      choice = chooseThreshold(everyone.map((i) => held.get(i)!), everyone.map((i) => records[i].pass1_correct), { precision: options.refusalPrecision ?? 0.85, level: options.precisionLevel ?? 0.9, accuracyGain: options.accuracyGain });
      const confidence = await probeConfidences(sidecar, states.data, per, records.length);
      config.threshold = Math.fround(choice.threshold);
      options.onProgress?.({ stage: 'threshold', ...choice });
      // pass 2 injects only below the threshold: that is where the refusal is learnt
      trainSet = splits.train.filter((i) => confidence[i] < config.threshold);
      valSet = splits.val.filter((i) => confidence[i] < config.threshold);
      if (trainSet.length === 0 || valSet.length === 0) {
        // nothing to refuse: the sidecar never injects, and its untrained cross-attention never runs
        await saveCheckpoint(options.runDir, snapshot(config, sidecar));
        return { checkpoint: path.join(options.runDir, CHECKPOINT_FILE), probeEpochs: probeEpochs.length, probeValAccuracy: lastProbe?.valAccuracy ?? NaN, threshold: choice, epochs: [], bestEpoch: -1, examples: 0 };
      }
    }

    // 3. encoder + cross-attention through the frozen base
    const refusal = initial.config.refusal;
    const rng = createRng(options.seed ?? 1);
    const refuseAll = gating === 'decision';
    const trainIdx = options.balance === false || refuseAll ? trainSet : balanced(trainSet, records, rng);
    const trainEx = examples(model, records, states.data, trainIdx, per, refusal, refuseAll);
    const valEx = examples(model, records, states.data, valSet, per, refusal, refuseAll);
    const window = Math.ceil(Math.max(maxLength(trainEx), maxLength(valEx)) / 16) * 16;
    const trainer = await Trainer.open({ model: model.info.path, nCtx: 256, window, threads: options.threads, freeze: ['.*'] });
    const cancel = (): void => trainer.cancel();
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      // decision gating learns one short target on fewer examples: more epochs, a larger step
      const epochs = options.epochs ?? (refuseAll ? 10 : 6);
      const total = epochs * trainEx.injectFrom.length;
      const lr = options.learningRate ?? (refuseAll ? 5e-3 : 1e-3);
      const history: { trainLoss: number; valLoss: number }[] = [];
      let best = Infinity;
      let bestEpoch = -1;
      for (let e = 0; e < epochs; e++) {
        options.signal?.throwIfAborted();
        const r = await trainer.trainSidecar(sidecar, trainEx, {
          epochs: 1, seed: (options.seed ?? 1) + e, train: true, shuffle: true, gateScale: 5, freeze: refusalOnly ? [ENCODER_BUT_REFUSAL] : [],
          schedule: { learningRate: lr, minLearningRate: lr / 10, weightDecay: options.weightDecay ?? 0.01, warmupSteps: Math.ceil(total * 0.05), totalSteps: total, resetStep: e === 0 },
        }, (p) => options.onProgress?.({ stage: 'sidecar', epochs, ...p, epoch: e }));
        if (r.cancelled) throw new AbortError('training was cancelled');
        const val = await trainer.trainSidecar(sidecar, valEx, { epochs: 1, train: false, shuffle: false });
        const improved = val.loss < best;
        history.push({ trainLoss: r.loss, valLoss: val.loss });
        options.onProgress?.({ stage: 'validation', epoch: e, trainLoss: r.loss, valLoss: val.loss, best: improved });
        if (improved) {
          best = val.loss;
          bestEpoch = e;
          await saveCheckpoint(options.runDir, snapshot(config, sidecar));
        } else if (e - bestEpoch >= (options.patience ?? (refuseAll ? 3 : 2))) {
          break;
        }
      }
      return {
        checkpoint: path.join(options.runDir, CHECKPOINT_FILE),
        probeEpochs: probeEpochs.length,
        probeValAccuracy: lastProbe?.valAccuracy ?? NaN,
        threshold: choice,
        epochs: history,
        bestEpoch,
        examples: trainEx.injectFrom.length,
      };
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      trainer.dispose();
    }
  } finally {
    sidecar.dispose();
  }
}

/**
 * Each record's pass-1 state as the sidecar reads it (FORMAT.md): its L·E hidden states, then
 * the `features` output features φ that collect kept (none for a version-1 sidecar).
 */
function passOneStates(records: readonly CollectRecord[], hidden: Float32Array, hiddenPer: number, features: number): { data: Float32Array; per: number } {
  if (features === 0) return { data: hidden, per: hiddenPer };
  const per = hiddenPer + features;
  const data = new Float32Array(records.length * per);
  records.forEach((r, i) => {
    if (r.outputFeatures?.length !== features) throw new RunDataError(`record ${i} has no output features (collected before sidecar format 2): run cogito collect again`);
    data.set(hidden.subarray(i * hiddenPer, (i + 1) * hiddenPer), i * per);
    data.set(r.outputFeatures, i * per + hiddenPer);
  });
  return { data, per };
}

/**
 * Out-of-fold confidences: the records in `folds` parts, each scored by probes trained (from the
 * same initial sidecar) on the other parts. A threshold chosen on these sees every record once,
 * never by a probe that learnt it — five times the questions of the validation split alone.
 */
async function outOfFoldConfidences(initFile: string, states: Float32Array, per: number, records: readonly CollectRecord[], indices: readonly number[], seed: number, folds = 5): Promise<Map<number, number>> {
  const order = createRng(seed).fork('folds').shuffle(indices);
  const out = new Map<number, number>();
  for (let f = 0; f < folds; f++) {
    const held = order.filter((_, k) => k % folds === f);
    const rest = order.filter((_, k) => k % folds !== f);
    const probe = await SidecarHandle.load(initFile);
    try {
      await trainProbes(probe, gather(states, rest, per), Uint8Array.from(rest, (i) => (records[i].pass1_correct ? 1 : 0)), { seed });
      for (const i of held) {
        const { confidences } = await probe.encode(states.slice(i * per, (i + 1) * per));
        out.set(i, confidences.reduce((a, b) => a + b, 0) / confidences.length);
      }
    } finally {
      probe.dispose();
    }
  }
  return out;
}

/**
 * The out-of-fold confidences the threshold was chosen on, one `{"index", "confidence", "pass1_correct"}`
 * line per question (index: the line in collect's records), so a threshold rule can be studied
 * without retraining.
 */
async function writeOutOfFold(runDir: string, indices: readonly number[], held: ReadonlyMap<number, number>, records: readonly CollectRecord[]): Promise<void> {
  const lines = [...indices].sort((a, b) => a - b).map((i) => JSON.stringify({ index: i, confidence: held.get(i), pass1_correct: records[i].pass1_correct }));
  await fsp.writeFile(path.join(runDir, OUT_OF_FOLD_FILE), `${lines.join('\n')}\n`);
}

/** Each record's sidecar confidence: the mean of its probes (FORMAT.md p̄), from the native runtime. */
async function probeConfidences(sidecar: SidecarHandle, states: Float32Array, per: number, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const { confidences } = await sidecar.encode(states.slice(i * per, (i + 1) * per));
    out.push(confidences.reduce((a, b) => a + b, 0) / confidences.length);
  }
  return out;
}

/** The pass-1 states of the given records, back to back. */
function gather(hidden: Float32Array, indices: readonly number[], per: number): Float32Array {
  const out = new Float32Array(indices.length * per);
  indices.forEach((i, k) => out.set(hidden.subarray(i * per, (i + 1) * per), k * per));
  return out;
}

/** The indices with the rarer outcome repeated (seeded), so right and wrong weigh the same. */
function balanced(indices: readonly number[], records: readonly CollectRecord[], rng: Rng): number[] {
  const right = indices.filter((i) => records[i].pass1_correct);
  const wrong = indices.filter((i) => !records[i].pass1_correct);
  if (right.length === 0 || wrong.length === 0) return [...indices];
  const [few, many] = right.length < wrong.length ? [right, wrong] : [wrong, right];
  const extra = Array.from({ length: many.length - few.length }, () => rng.pick(few));
  return [...many, ...few, ...extra];
}

/**
 * The training target after a prompt: the base's own answer if it was right, else the refusal, each
 * ended the way the base ends an answer, so the injected pass stops where the base would (without
 * the ending, a right answer ran on into the refusal).
 */
function targetTokens(model: Model, record: CollectRecord, refusal: string, refuse: boolean): number[] {
  const eos = model.info.eosToken;
  // collect keeps the end-of-generation token out of outputTokens and a stop newline in them
  const endsWithEog = eos >= 0 && (record.stopReason ?? 'eog') === 'eog';
  if (record.pass1_correct && !refuse) return endsWithEog ? [...record.outputTokens, eos] : record.outputTokens;
  const end = eos >= 0 ? [eos] : model.tokenize('\n', { addSpecial: false }).slice(-1);
  return [...continuationTokens(model, record.prompt, refusal), ...end];
}

/** Training windows for `indices`: prompt, then the target (the refusal for all of them when `refuseAll`). */
function examples(model: Model, records: CollectRecord[], hidden: Float32Array, indices: readonly number[], per: number, refusal: string, refuseAll: boolean): SidecarExamples {
  const samples: TrainSample[] = indices.map((i) => {
    const r = records[i];
    return { tokens: [...r.prompt, ...targetTokens(model, r, refusal, refuseAll)], targetStart: r.prompt.length };
  });
  const packed = packSamples(samples);
  return { ...packed, hidden: gather(hidden, indices, per), injectFrom: Int32Array.from(indices, (i) => records[i].prompt.length - 1) };
}

function maxLength(ex: SidecarExamples): number {
  let m = 1;
  for (let i = 0; i + 1 < ex.starts.length; i++) m = Math.max(m, ex.starts[i + 1] - ex.starts[i]);
  return m;
}

/** The native sidecar's current weights as a library Sidecar with the run's config. */
function snapshot(config: SidecarConfig, sidecar: SidecarHandle): Sidecar {
  return { config, tensors: new Map(sidecar.tensors().map((t) => [t.name, { shape: t.shape, data: t.data }])) };
}
