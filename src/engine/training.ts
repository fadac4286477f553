/**
 * The addon's trainers and loaded sidecars, typed. The layers above (sidecar, loom) reach native
 * training and the native sidecar runtime only through here: explicit option interfaces instead
 * of option bags, and every failure a CogitoError with the addon's code.
 */
import { native, nativeSync } from './errors';
import {
  addon,
  type NativeOpenTrainerOptions,
  type NativeSidecar,
  type NativeSidecarExamples,
  type NativeSidecarInfo,
  type NativeSidecarProgress,
  type NativeSidecarRunOptions,
  type NativeSidecarRunResult,
  type NativeTrainer,
  type NativeTrainerInfo,
  type NativeTrainerRunOptions,
  type NativeTrainProgress,
  type NativeTrainResult,
  type ProbeEpoch,
  type ProbeTrainingOptions,
} from './native';

export type {
  NativeOpenTrainerOptions as OpenTrainerOptions,
  NativeSidecarExamples as SidecarExamples,
  NativeSidecarInfo as SidecarHandleInfo,
  NativeSidecarProgress as SidecarTrainProgress,
  NativeSidecarRunOptions as SidecarRunOptions,
  NativeSidecarRunResult as SidecarRunResult,
  NativeTrainerInfo as TrainerInfo,
  NativeTrainerRunOptions as TrainerRunOptions,
  NativeTrainProgress as TrainerProgress,
  NativeTrainResult as TrainerResult,
  ProbeEpoch,
  ProbeTrainingOptions,
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

/** A sidecar loaded into the native runtime (native/sidecar.cpp): its weights in ggml tensors. */
export class SidecarHandle {
  private constructor(
    /** @internal the addon's object, for a context's injection and the trainers. */
    readonly handle: NativeSidecar,
  ) {}

  /** Loads and validates a sidecar GGUF; a bad file fails with code INVALID_SIDECAR. */
  static async load(path: string): Promise<SidecarHandle> {
    return new SidecarHandle(await native(() => addon().loadSidecar(path)));
  }

  info(): NativeSidecarInfo {
    return nativeSync(() => this.handle.info());
  }

  /** A pass-1 state (L·E hidden states, then the output features φ of a version-2 sidecar) → cognitive tokens and per-layer confidences. */
  encode(state: Float32Array): Promise<{ tokens: Float32Array; confidences: Float32Array }> {
    return native(() => this.handle.encode(state));
  }

  /** The current weights, in FORMAT.md order. */
  tensors(): { name: string; shape: number[]; data: Float32Array }[] {
    return nativeSync(() => this.handle.tensors());
  }

  /** Trains the probes on pass-1 states and outcomes (1: the base answered correctly). */
  trainProbes(states: Float32Array, correct: Uint8Array, options: ProbeTrainingOptions = {}): Promise<ProbeEpoch[]> {
    return native(() => addon().trainProbes(this.handle, states, correct, options));
  }

  dispose(): void {
    nativeSync(() => this.handle.dispose());
  }
}
