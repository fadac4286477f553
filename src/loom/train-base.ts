/**
 * Training a model's own weights through the addon (llama.cpp's llama_opt_* API, native/train.cpp):
 * AdamW with linear warm-up and cosine decay, loss on target tokens only, progress, cancellation
 * through an AbortSignal, and saving the trained GGUF. No Python anywhere.
 *
 * A sample is a token sequence and the index its targets start at: positions before `targetStart`
 * are context (a prompt) and add no loss. Each epoch shuffles the samples (seeded) and packs whole
 * samples into windows of `contextSize` tokens; each window is one optimizer step.
 */
import { Trainer, type TrainerProgress, type TrainerResult, type TrainerRunOptions } from '../engine';
import { AbortError } from '../engine/errors';
import { OutOfRangeError } from '../util/errors';
import { validateModelFile } from '../engine/validate-model';

export interface TrainSample {
  tokens: readonly number[];
  /** First position whose token is a target (default 1: every token after the first). */
  targetStart?: number;
}

/** Samples in the addon's flat layout. */
export interface PackedSamples {
  tokens: Int32Array;
  targets: Uint8Array;
  starts: Int32Array;
}

export interface OpenTrainerOptions {
  /** Tokens per window (the training context; also one optimizer step); rounded up to a multiple of 256. */
  contextSize?: number;
  /**
   * Tokens one window spans, when shorter than the context (default: the context). With
   * `pack: false` each sample gets a window of its own from position 0, as inference sees it.
   */
  window?: number;
  threads?: number;
  /** Regular expressions over tensor names to keep frozen (e.g. '^token_embd\\.'). */
  freeze?: string[];
}

export interface TrainSchedule {
  learningRate: number;
  /** The floor the cosine decays to (default learningRate / 10). */
  minLearningRate?: number;
  warmupSteps?: number;
  /** Steps over which the cosine runs (default: epochs × windows of this run). */
  totalSteps?: number;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
}

export interface TrainOptions {
  epochs: number;
  seed?: number;
  schedule: TrainSchedule;
  signal?: AbortSignal;
  onProgress?: (p: TrainerProgress) => void;
  /** Several samples per window (default), or one each from position 0. */
  pack?: boolean;
}

export type TrainProgress = TrainerProgress;
export type TrainResult = TrainerResult;

export function packSamples(samples: readonly TrainSample[]): PackedSamples {
  const total = samples.reduce((n, s) => n + s.tokens.length, 0);
  const tokens = new Int32Array(total);
  const targets = new Uint8Array(total);
  const starts = new Int32Array(samples.length + 1);
  let at = 0;
  samples.forEach((s, i) => {
    starts[i] = at;
    const from = s.targetStart ?? 1;
    if (!Number.isInteger(from) || from < 1 || from > s.tokens.length) {
      throw new OutOfRangeError(`sample ${i}: targetStart must be in [1, ${s.tokens.length}]`);
    }
    s.tokens.forEach((t, k) => {
      tokens[at + k] = t;
      targets[at + k] = k >= from ? 1 : 0;
    });
    at += s.tokens.length;
  });
  starts[samples.length] = at;
  return { tokens, targets, starts };
}

/** Windows one epoch packs `samples` into (the same greedy packing the addon does). */
export function countWindows(samples: readonly TrainSample[], contextSize: number, pack = true): number {
  if (!pack) return samples.length;
  let windows = 0;
  let used = contextSize;
  for (const s of samples) {
    const len = Math.min(s.tokens.length, contextSize);
    if (used + len > contextSize) {
      windows++;
      used = 0;
    }
    used += len;
  }
  return windows;
}

export class BaseTrainer {
  private constructor(
    private readonly trainer: Trainer,
    readonly contextSize: number,
    /** Tokens per window (≤ contextSize). */
    readonly window: number,
  ) {}

  static async open(modelPath: string, options: OpenTrainerOptions = {}): Promise<BaseTrainer> {
    const contextSize = options.contextSize ?? 256;
    // the trainer loads the model through llama.cpp too: refuse what it would abort on
    await validateModelFile(modelPath);
    const trainer = await Trainer.open({ model: modelPath, nCtx: contextSize, window: options.window, threads: options.threads, freeze: options.freeze ?? [] });
    const size = trainer.info().contextSize;
    return new BaseTrainer(trainer, size, options.window ?? size);
  }

  info(): { contextSize: number; parameters: number; trainableParameters: number; steps: number; vocabSize: number } {
    return this.trainer.info();
  }

  /** Trains for `epochs` over the samples; resolves with per-epoch target-token loss. */
  async train(samples: readonly TrainSample[], options: TrainOptions): Promise<TrainResult> {
    const s = options.schedule;
    const totalSteps = s.totalSteps ?? options.epochs * countWindows(samples, this.window, options.pack ?? true);
    return this.run(samples, {
      epochs: options.epochs,
      seed: options.seed ?? 1,
      train: true,
      shuffle: true,
      pack: options.pack ?? true,
      schedule: {
        learningRate: s.learningRate,
        minLearningRate: s.minLearningRate ?? s.learningRate / 10,
        warmupSteps: s.warmupSteps ?? 0,
        totalSteps,
        weightDecay: s.weightDecay ?? 0,
        beta1: s.beta1 ?? 0.9,
        beta2: s.beta2 ?? 0.999,
      },
    }, options.signal, options.onProgress);
  }

  /** Mean loss per target token over the samples, without changing the weights. */
  async evaluate(samples: readonly TrainSample[], options: { pack?: boolean } = {}): Promise<number> {
    const r = await this.run(samples, { epochs: 1, train: false, shuffle: false, pack: options.pack ?? true });
    return r.loss;
  }

  /** Writes the model with its current weights (f32 GGUF). */
  save(path: string): void {
    this.trainer.save(path);
  }

  dispose(): void {
    this.trainer.dispose();
  }

  private async run(samples: readonly TrainSample[], options: TrainerRunOptions, signal?: AbortSignal,
    onProgress?: (p: TrainerProgress) => void): Promise<TrainResult> {
    if (signal?.aborted) throw new AbortError('training was aborted before it started');
    const cancel = (): void => this.trainer.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await this.trainer.run(packSamples(samples), options, onProgress);
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }
}
