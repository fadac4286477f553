/**
 * The meta-learner's network in the addon (native/meta_learner.cpp), typed: a trainer that runs one
 * epoch per call on a worker thread (ggml-opt's AdamW with global-norm gradient clipping), and a
 * net that predicts synchronously (a few thousand multiply-adds per row). The rows, the schedule,
 * the file and the checks of what goes in are the meta layer's (src/meta/learner.ts).
 */
import { native, nativeSync } from './errors';
import {
  addon,
  type NativeMetaEpoch,
  type NativeMetaNet,
  type NativeMetaRows,
  type NativeMetaTensor,
  type NativeMetaTrainer,
  type NativeMetaTrainerOptions,
} from './native';

export type {
  NativeMetaEpoch as MetaNetEpoch,
  NativeMetaRows as MetaNetRows,
  NativeMetaTensor as MetaNetTensor,
  NativeMetaTrainerOptions as MetaNetTrainerOptions,
};

/** Outputs per row of `MetaNet.predict`: the confidence, 3 route probabilities, 5 error-type probabilities. */
export const META_NET_OUTPUTS = 9;

/**
 * One training session over fixed training and validation rows. The input standardisation is
 * computed from the training rows when it opens; each `epoch()` runs on a worker thread.
 */
export class MetaNetTrainer {
  private constructor(private readonly handle: NativeMetaTrainer) {}

  static open(train: NativeMetaRows, validation: NativeMetaRows | null, options: NativeMetaTrainerOptions): MetaNetTrainer {
    return new MetaNetTrainer(nativeSync(() => addon().openMetaTrainer(train, validation, options)));
  }

  epoch(): Promise<NativeMetaEpoch> {
    return native(() => this.handle.epoch());
  }

  /** Every tensor of the net, the standardisation included. */
  weights(): NativeMetaTensor[] {
    return nativeSync(() => this.handle.weights());
  }

  /** Puts back what `weights()` returned. */
  setWeights(tensors: readonly NativeMetaTensor[]): void {
    nativeSync(() => this.handle.setWeights(tensors));
  }

  dispose(): void {
    nativeSync(() => this.handle.dispose());
  }
}

/** A net built from its tensors (as `MetaNetTrainer.weights()` returns them), for predictions. */
export class MetaNet {
  private constructor(
    private readonly handle: NativeMetaNet,
    readonly inputs: number,
    readonly hidden: number,
  ) {}

  static open(inputs: number, hidden: number, tensors: readonly { name: string; data: Float32Array }[]): MetaNet {
    return new MetaNet(nativeSync(() => addon().openMetaNet(inputs, hidden, tensors)), inputs, hidden);
  }

  /** n × inputs signals → n × META_NET_OUTPUTS. */
  predict(features: Float32Array): Float32Array {
    return nativeSync(() => this.handle.predict(features));
  }

  weights(): NativeMetaTensor[] {
    return nativeSync(() => this.handle.weights());
  }

  dispose(): void {
    nativeSync(() => this.handle.dispose());
  }
}
