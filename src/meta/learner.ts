/**
 * The meta-learner (issue 18, item 2; docs/meta.md, "Meta-learner"): trains the addon's small net
 * (src/engine/meta-net.ts) on the feedback buffer's training rows — the epoch loop, the validation
 * split, the best epoch's weights, AbortSignal and progress are here — and reads and writes it as a
 * GGUF bound to its base model (./learner-file.ts).
 */
import { InvalidOptionError, MetaNet, META_NET_OUTPUTS, MetaNetTrainer, throwIfAborted, type MetaNetRows, type MetaNetTensor } from '../engine';
import { createRng } from '../util/prng';
import { MetaError, MetaLearnerFileError, MetaLearnerMismatchError } from './errors';
import type { TrainingRow } from './feedback';
import { ERROR_TYPES, isErrorType, ROUTES, type ErrorType, type Route } from './labels';
import { META_LEARNER_FORMAT_VERSION, readMetaLearnerFile, writeMetaLearnerFile } from './learner-file';
import { scoreMetaPredictions } from './learner-metrics';
import {
  META_LEARNER_KIND,
  META_LOSS_WEIGHTS,
  type MetaEpoch,
  type MetaLearnerApi,
  type MetaLearnerInfo,
  type MetaMetrics,
  type MetaPrediction,
  type MetaTrainOptions,
  type TrainMetaLearner,
} from './learner-types';
import { SIGNAL_NAMES, SIGNALS_VERSION } from './signals';
import { CogitoError } from '../util/errors';

/**
 * The defaults of MetaTrainOptions. At most 80 epochs of 32-row batches; with validation rows,
 * training stops once META_TRAIN_PATIENCE epochs in a row have not lowered the validation loss, and
 * the best epoch's weights are kept. On 500 synthetic rows the validation loss is lowest after 4–12
 * epochs and the net then memorises the noise (docs/meta.md): the stop saves the rest.
 */
export const META_TRAIN_DEFAULTS = Object.freeze({
  hidden: 32,
  epochs: 80,
  batchSize: 32,
  learningRate: 0.01,
  weightDecay: 1e-4,
  clip: 1.0,
  validationShare: 0.2,
  seed: 1,
});

/** Epochs without a lower validation loss after which training stops. */
export const META_TRAIN_PATIENCE = 20;

const MAX_UNITS = 4096;

/** A loaded or freshly trained meta-learner: the net in the addon and what its file says about it. */
export class MetaLearner implements MetaLearnerApi {
  /** Use trainMetaLearner or loadMetaLearner. */
  constructor(
    private readonly net: MetaNet,
    readonly info: MetaLearnerInfo,
  ) {}

  predict(signals: Float32Array): MetaPrediction {
    return this.predictMany([signals])[0];
  }

  predictMany(rows: readonly Float32Array[]): MetaPrediction[] {
    const width = this.info.signalNames.length;
    const features = new Float32Array(rows.length * width);
    rows.forEach((signals, i) => {
      checkSignals(signals, width, `signals vector ${i}`);
      features.set(signals, i * width);
    });
    const out = this.net.predict(features);
    return rows.map((_, i) => toPrediction(out.subarray(i * META_NET_OUTPUTS, (i + 1) * META_NET_OUTPUTS)));
  }

  async save(path: string): Promise<void> {
    await writeMetaLearnerFile(path, this.info, this.net.weights());
  }

  dispose(): void {
    this.net.dispose();
  }
}

/** Trains a meta-learner on `rows` (FeedbackBuffer.trainingRows), bound to `options.baseFingerprint`. */
export const trainMetaLearner: TrainMetaLearner = async (rows, options) => {
  const o = resolveOptions(options);
  checkRows(rows);
  const order = createRng(o.seed).fork('validation').shuffle(rows.map((_, i) => i));
  const validationCount = Math.min(rows.length - 1, Math.round(o.validationShare * rows.length));
  const validation = order.slice(0, validationCount).map((i) => rows[i]);
  const train = order.slice(validationCount).map((i) => rows[i]);
  if (!(train.reduce((s, r) => s + r.weight, 0) > 0)) throw new MetaError('the training rows\' weights are all 0: nothing to learn from');

  throwIfAborted(options.signal, 'meta-learner training was aborted');
  const trainer = MetaNetTrainer.open(packRows(train), validation.length > 0 ? packRows(validation) : null, {
    inputs: SIGNAL_NAMES.length,
    hidden: o.hidden,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    weightDecay: o.weightDecay,
    clip: o.clip === Infinity ? 0 : o.clip,
    seed: o.seed,
    lossWeights: [META_LOSS_WEIGHTS.confidence, META_LOSS_WEIGHTS.route, META_LOSS_WEIGHTS.error],
  });
  let weights: MetaNetTensor[];
  let best: MetaEpoch | undefined;
  try {
    weights = trainer.weights();
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      throwIfAborted(options.signal, 'meta-learner training was aborted');
      const e = await trainer.epoch();
      const record: MetaEpoch = { epoch, trainLoss: e.trainLoss, validationLoss: e.validationLoss };
      options.onEpoch?.(record);
      // with validation rows, the epoch with the lowest validation loss; without, the last
      if (!best || e.validationLoss === null || e.validationLoss < (best.validationLoss ?? Infinity)) {
        best = record;
        weights = trainer.weights();
      } else if (epoch - best.epoch >= META_TRAIN_PATIENCE) {
        break;
      }
    }
  } finally {
    trainer.dispose();
  }
  const net = MetaNet.open(SIGNAL_NAMES.length, o.hidden, weights);
  const info: MetaLearnerInfo = {
    kind: META_LEARNER_KIND,
    version: META_LEARNER_FORMAT_VERSION,
    signalsVersion: SIGNALS_VERSION,
    signalNames: SIGNAL_NAMES,
    hidden: o.hidden,
    baseFingerprint: options.baseFingerprint,
    createdAt: new Date().toISOString(),
    metrics: null,
  };
  const learner = new MetaLearner(net, info);
  const metrics: MetaMetrics = scoreMetaPredictions(learner.predictMany(validation.map((r) => r.signals)), validation, {
    rows: rows.length,
    trainLoss: best!.trainLoss,
    validationLoss: best!.validationLoss,
  });
  info.metrics = metrics;
  return { learner, metrics };
};

export interface LoadMetaLearnerOptions {
  /** The base model in hand (ModelInfo.fingerprint): a learner trained for another is refused. */
  baseFingerprint?: string;
}

/**
 * Reads a meta-learner file. Throws NotFoundError, MetaLearnerFileError (not a meta-learner,
 * damaged), or MetaLearnerMismatchError (another signals layout, or another base than `baseFingerprint`).
 */
export async function loadMetaLearner(path: string, options: LoadMetaLearnerOptions = {}): Promise<MetaLearner> {
  const { info, tensors } = await readMetaLearnerFile(path);
  if (info.signalsVersion !== SIGNALS_VERSION || info.signalNames.join('\n') !== SIGNAL_NAMES.join('\n')) {
    throw new MetaLearnerMismatchError(
      `${path}: this meta-learner reads signals version ${info.signalsVersion} (${info.signalNames.length} signals); this cogito computes version ${SIGNALS_VERSION} (${SIGNAL_NAMES.length}): train a new one on the current signals`,
    );
  }
  if (options.baseFingerprint !== undefined && options.baseFingerprint !== info.baseFingerprint) {
    throw new MetaLearnerMismatchError(
      `${path}: this meta-learner was trained for a base with fingerprint ${info.baseFingerprint}; the model's is ${options.baseFingerprint}. Train one on this base's feedback.`,
    );
  }
  let net: MetaNet;
  try {
    net = MetaNet.open(info.signalNames.length, info.hidden, tensors);
  } catch (err) {
    if (err instanceof CogitoError && err.code === 'INVALID_ARGUMENT') throw new MetaLearnerFileError(path, err.message);
    throw err;
  }
  return new MetaLearner(net, info);
}

type ResolvedOptions = { -readonly [K in keyof typeof META_TRAIN_DEFAULTS]: number };

function resolveOptions(options: MetaTrainOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('trainMetaLearner needs options with a baseFingerprint');
  if (typeof options.baseFingerprint !== 'string' || options.baseFingerprint.length === 0) {
    throw new InvalidOptionError('baseFingerprint must name the base model the signals come from (ModelInfo.fingerprint)');
  }
  const o = { ...META_TRAIN_DEFAULTS } as ResolvedOptions;
  const integer = (key: 'hidden' | 'epochs' | 'batchSize' | 'seed', max: number, min = 1): void => {
    const v = options[key];
    if (v === undefined) return;
    if (!Number.isInteger(v) || v < min || v > max) throw new InvalidOptionError(`${key} must be an integer in [${min}, ${max}], not ${String(v)}`);
    o[key] = v;
  };
  integer('hidden', MAX_UNITS);
  integer('epochs', 100_000);
  integer('batchSize', MAX_UNITS);
  integer('seed', 0xffffffff, 0);
  const number = (key: 'learningRate' | 'weightDecay' | 'validationShare', ok: (v: number) => boolean, range: string): void => {
    const v = options[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new InvalidOptionError(`${key} must be a number in ${range}, not ${String(v)}`);
    o[key] = v;
  };
  number('learningRate', (v) => v > 0 && v <= 10, '(0, 10]');
  // ggml's AdamW takes a decay in [0, 1]
  number('weightDecay', (v) => v >= 0 && v <= 1, '[0, 1]');
  number('validationShare', (v) => v >= 0 && v < 1, '[0, 1)');
  if (options.clip !== undefined) {
    // Infinity turns clipping off (the tests compare); anything else is a norm > 0
    if (typeof options.clip !== 'number' || Number.isNaN(options.clip) || !(options.clip > 0) || (Number.isFinite(options.clip) && options.clip > 1e30)) {
      throw new InvalidOptionError(`clip must be a gradient norm > 0 (Infinity: no clipping), not ${String(options.clip)}`);
    }
    o.clip = options.clip;
  }
  if (options.onEpoch !== undefined && typeof options.onEpoch !== 'function') throw new InvalidOptionError('onEpoch must be a function');
  return o;
}

function checkSignals(signals: unknown, width: number, what: string): asserts signals is Float32Array {
  if (!(signals instanceof Float32Array)) throw new MetaError(`${what} must be a Float32Array`);
  if (signals.length !== width) throw new MetaError(`${what} has ${signals.length} values; the meta-learner reads ${width} (SIGNAL_NAMES)`);
  for (let k = 0; k < width; k++) {
    if (!Number.isFinite(signals[k])) throw new MetaError(`${what}: signal ${SIGNAL_NAMES[k] ?? k} is not finite (${signals[k]})`);
  }
}

function checkRows(rows: readonly TrainingRow[]): void {
  if (!Array.isArray(rows) || rows.length < 2) throw new MetaError('a meta-learner needs at least 2 training rows');
  rows.forEach((r, i) => {
    if (r.signalsVersion !== SIGNALS_VERSION) throw new MetaError(`row ${i}: signals version ${r.signalsVersion}; the meta-learner reads version ${SIGNALS_VERSION}`);
    checkSignals(r.signals, SIGNAL_NAMES.length, `row ${i}`);
    if (!(r.confidence >= 0 && r.confidence <= 1)) throw new MetaError(`row ${i}: confidence must be in [0, 1], not ${r.confidence}`);
    if (!ROUTES.includes(r.route)) throw new MetaError(`row ${i}: unknown route ${String(r.route)}`);
    if (!isErrorType(r.errorType)) throw new MetaError(`row ${i}: unknown error type ${String(r.errorType)}`);
    if (!(Number.isFinite(r.weight) && r.weight >= 0)) throw new MetaError(`row ${i}: weight must be a finite number >= 0, not ${r.weight}`);
  });
}

function packRows(rows: readonly TrainingRow[]): MetaNetRows {
  const width = SIGNAL_NAMES.length;
  const features = new Float32Array(rows.length * width);
  rows.forEach((r, i) => features.set(r.signals, i * width));
  return {
    features,
    confidence: Float32Array.from(rows, (r) => r.confidence),
    route: Uint8Array.from(rows, (r) => ROUTES.indexOf(r.route)),
    error: Uint8Array.from(rows, (r) => ERROR_TYPES.indexOf(r.errorType)),
    weight: Float32Array.from(rows, (r) => r.weight),
  };
}

/** The first of the largest: ties go to the earlier class. */
function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}

function toPrediction(out: Float32Array): MetaPrediction {
  const route = out.subarray(1, 1 + ROUTES.length);
  const error = out.subarray(1 + ROUTES.length, 1 + ROUTES.length + ERROR_TYPES.length);
  return {
    confidence: out[0],
    route: ROUTES[argmax(route)],
    routeProbabilities: Object.fromEntries(ROUTES.map((r, k) => [r, route[k]])) as Record<Route, number>,
    errorType: ERROR_TYPES[argmax(error)],
    errorProbabilities: Object.fromEntries(ERROR_TYPES.map((t, k) => [t, error[k]])) as Record<ErrorType, number>,
  };
}
