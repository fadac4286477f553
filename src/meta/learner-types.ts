/**
 * The contract of the meta-learner (issue 18, item 2): a small network from a signals vector to
 * three heads — confidence, route, error type — trained with ggml's optimizer in the addon and
 * stored as a GGUF of its own kind, bound to its base model by fingerprint. Shared by the learner
 * (./learner.ts), the online trainer, the cascade's router and bench/meta.js, so each can be
 * built against it on its own.
 */
import type { ErrorType, Route } from './labels';
import type { TrainingRow } from './feedback';

/** `general.type` of a meta-learner GGUF (a sidecar is `cogito.sidecar`). */
export const META_LEARNER_KIND = 'cogito.meta-learner';

/** The loss weights the issue fixes: confidence 2.0, route 1.5, error type 1.0. */
export const META_LOSS_WEIGHTS = Object.freeze({ confidence: 2.0, route: 1.5, error: 1.0 });

/** One prediction: every head's output for one signals vector. */
export interface MetaPrediction {
  /** Probability that the answer is right, in [0, 1]. */
  confidence: number;
  /** The route head's choice (argmax of routeProbabilities). */
  route: Route;
  routeProbabilities: Record<Route, number>;
  /** The error head's choice (argmax of errorProbabilities). */
  errorType: ErrorType;
  errorProbabilities: Record<ErrorType, number>;
}

export interface MetaTrainOptions {
  /** The base model the signals come from: the learner is bound to it (ModelInfo.fingerprint). */
  baseFingerprint: string;
  /** Hidden units of the shared layer (default 32). */
  hidden?: number;
  /** Passes over the training rows (default decided by the learner; documented there). */
  epochs?: number;
  /** Rows per optimizer step (default 32). */
  batchSize?: number;
  /** AdamW learning rate and weight decay. */
  learningRate?: number;
  weightDecay?: number;
  /** Global gradient-norm clip (default 1.0). */
  clip?: number;
  /** Share of rows held out for validation metrics (default 0.2; 0 trains on all). */
  validationShare?: number;
  seed?: number;
  signal?: AbortSignal;
  onEpoch?: (epoch: MetaEpoch) => void;
}

export interface MetaEpoch {
  epoch: number;
  trainLoss: number;
  validationLoss: number | null;
}

/** What a trained learner scored on the rows it was validated on (null where undefined, e.g. one class only). */
export interface MetaMetrics {
  rows: number;
  validationRows: number;
  trainLoss: number;
  validationLoss: number | null;
  /** Confidence head against correct = true confidence ≥ 0.5. */
  auroc: number | null;
  ece: number | null;
  /** Brier score of the confidence head against the true confidence. */
  brier: number | null;
  routeAccuracy: number | null;
  errorTypeAccuracy: number | null;
}

/** What a meta-learner GGUF says about itself. */
export interface MetaLearnerInfo {
  kind: typeof META_LEARNER_KIND;
  /** Format version of the file. */
  version: number;
  /** SIGNALS_VERSION and SIGNAL_NAMES of the vectors it reads: a vector of another version is refused. */
  signalsVersion: number;
  signalNames: readonly string[];
  hidden: number;
  baseFingerprint: string;
  createdAt: string;
  metrics: MetaMetrics | null;
}

/** A loaded or freshly trained meta-learner. */
export interface MetaLearnerApi {
  readonly info: MetaLearnerInfo;
  /** One signals vector (SIGNAL_NAMES order, the learner's signals version) → every head. */
  predict(signals: Float32Array): MetaPrediction;
  predictMany(rows: readonly Float32Array[]): MetaPrediction[];
  /** Writes the GGUF (atomically: a temporary file renamed into place). */
  save(path: string): Promise<void>;
  dispose(): void;
}

/** trainMetaLearner(rows, options) → the learner and its validation metrics. */
export type TrainMetaLearner = (rows: readonly TrainingRow[], options: MetaTrainOptions) => Promise<{ learner: MetaLearnerApi; metrics: MetaMetrics }>;
