/**
 * The addon's trainers, typed: the layers above (loom) reach native training only through here,
 * with explicit option interfaces instead of option bags, and every failure a CogitoError with
 * the addon's code. Steps only: schedules and stopping rules are the caller's.
 */
import { native, nativeSync } from './errors';
import type { SidecarHandle } from './sidecar-handle';
import {
  addon,
  type NativeOpenTrainerOptions,
  type NativeProbeOptions,
  type NativeProbeTrainer,
  type NativeSidecarExamples,
  type NativeSidecarProgress,
  type NativeSidecarRunOptions,
  type NativeSidecarRunResult,
  type NativeTrainer,
  type NativeTrainerInfo,
  type NativeTrainerRunOptions,
  type NativeTrainProgress,
  type NativeTrainResult,
  type ProbeEpoch,
} from './native';

export type {
  NativeOpenTrainerOptions as OpenTrainerOptions,
  NativeProbeOptions as ProbeTrainerOptions,
  NativeSidecarExamples as SidecarExamples,
  NativeSidecarProgress as SidecarTrainProgress,
  NativeSidecarRunOptions as SidecarRunOptions,
  NativeSidecarRunResult as SidecarRunResult,
  NativeTrainerInfo as TrainerInfo,
  NativeTrainerRunOptions as TrainerRunOptions,
  NativeTrainProgress as TrainerProgress,
  NativeTrainResult as TrainerResult,
  ProbeEpoch,
};

/** Token samples in the addon's flat layout (loom/train-base.ts packSamples). */
export interface TrainerData {
  tokens: Int32Array;
  targets: Uint8Array;
  starts: Int32Array;
}

/** A model opened for training through llama_opt (native/train.cpp), with its training context. */
export class Trainer {
  private constructor(private readonly handle: NativeTrainer) {}

  static async open(options: NativeOpenTrainerOptions): Promise<Trainer> {
    return new Trainer(await native(() => addon().openTrainer(options)));
  }

  /** Epochs over `data`; with `train: false` a loss evaluation that changes nothing. */
  run(data: TrainerData, options: NativeTrainerRunOptions, onProgress?: (p: NativeTrainProgress) => void): Promise<NativeTrainResult> {
    return native(() => this.handle.run(data, options, onProgress));
  }

  /** Stops the run in flight after its current window; the run resolves with `cancelled: true`. */
  cancel(): void {
    nativeSync(() => this.handle.cancel());
  }

  /** Writes the model with its current weights (f32 GGUF). */
  save(path: string): void {
    nativeSync(() => this.handle.save(path));
  }

  info(): NativeTrainerInfo {
    return nativeSync(() => this.handle.info());
  }

  dispose(): void {
    nativeSync(() => this.handle.dispose());
  }

  /** Trains (or evaluates) a sidecar's encoder and cross-attention through this trainer's frozen model. */
  trainSidecar(sidecar: SidecarHandle, examples: NativeSidecarExamples, options: NativeSidecarRunOptions,
    onProgress?: (p: NativeSidecarProgress) => void): Promise<NativeSidecarRunResult> {
    return native(() => addon().trainSidecar(this.handle, sidecar.handle, examples, options, onProgress));
  }
}

/**
 * One probe-training session over a sidecar's probes (native/probes.cpp): each `epoch()` trains
 * once over the training split and reports the losses; the loop and its stopping rule are the
 * caller's (src/loom/probes.ts), which keeps the best weights with `weights()`/`setWeights()`.
 */
export class ProbeTrainer {
  private constructor(private readonly handle: NativeProbeTrainer) {}

  /** Pass-1 states (n × the sidecar's state size) and outcomes (1: the base answered correctly). */
  static open(sidecar: SidecarHandle, states: Float32Array, correct: Uint8Array, options: NativeProbeOptions = {}): ProbeTrainer {
    return new ProbeTrainer(nativeSync(() => addon().openProbeTrainer(sidecar.handle, states, correct, options)));
  }

  epoch(): Promise<ProbeEpoch> {
    return native(() => this.handle.epoch());
  }

  /** The probes' current weights: probe.weight, probe.bias, then probe.out.weight (version 2). */
  weights(): Float32Array[] {
    return nativeSync(() => this.handle.weights());
  }

  setWeights(weights: Float32Array[]): void {
    nativeSync(() => this.handle.setWeights(weights));
  }

  /** Ends the session; the probes keep their current weights. */
  dispose(): void {
    nativeSync(() => this.handle.dispose());
  }
}
