import * as fs from 'node:fs';
import * as path from 'node:path';
import { NativeAddonError } from './errors';

/** The addon's surface, as the C++ in native/ defines it. */
export interface NativeModel {
  info(): NativeModelInfo;
  tokenize(text: string, addSpecial: boolean, parseSpecial: boolean): Int32Array;
  detokenize(tokens: Int32Array, removeSpecial: boolean, unparseSpecial: boolean): string;
  tokenPiece(id: number, special: boolean): Buffer;
  isEog(id: number): boolean;
  applyChatTemplate(messages: { role: string; content: string }[], addAssistant: boolean, template?: string): string;
  dispose(): void;
}

export interface NativeModelInfo {
  architecture: string;
  name?: string;
  description: string;
  layers: number;
  embeddingSize: number;
  heads: number;
  headsKv: number;
  trainContextSize: number;
  vocabSize: number;
  parameters: number;
  modelSize: number;
  fileSize: number;
  fingerprint: string;
  path: string;
  chatTemplate: string | null;
  bos: number;
  eos: number;
  addBos: boolean;
}

export interface NativeStep {
  token: number;
  logprob: number;
  entropy: number;
  piece: Buffer;
  eog: boolean;
  /** With a top-logprobs count: the most likely tokens of the raw distribution, best first. */
  top?: { id: number; logprob: number; piece: Buffer }[];
}

/** One sequence's step in a tick: sample its next token and, with `decode`, evaluate it at `pos`. */
export interface NativeTickStep {
  seq: number;
  pos: number;
  decode: boolean;
  /** Alternatives to report (0..20). */
  top: number;
}

/** A chunk of one sequence's prompt, evaluated at `pos`; `logits` on its last token (the prompt's end). */
export interface NativeTickPrompt {
  seq: number;
  pos: number;
  tokens: Int32Array;
  logits: boolean;
}

/** One step's outcome: the sampled token, or that sequence's own failure (the others are unaffected). */
export type NativeTickResult = (NativeStep & { seq: number; error?: undefined }) | { seq: number; error: Error };

export interface NativeTap {
  layer: number;
  rows: number;
  last?: Float32Array;
  all?: Float32Array;
  mean?: Float32Array;
}

export interface NativeContext {
  decode(tokens: Int32Array, startPos: number, logits: 0 | 1 | 2): Promise<Float32Array | null>;
  step(pos: number, decodeNext: boolean, topLogprobs?: number): Promise<NativeStep>;
  /**
   * Continuous batching (native/sequences.cpp): samples each step's sequence from its logits row,
   * then decodes the sampled tokens and the prompt chunks as one batch. One result per step, in order.
   */
  tick(steps: NativeTickStep[], prompts: NativeTickPrompt[]): Promise<NativeTickResult[]>;
  /** Forgets sequence `seq`'s (default 0) cache from `pos` on. */
  removeFrom(pos: number, seq?: number): void;
  /** INVALID_GRAMMAR when `grammar` (GBNF, from rule `grammarRoot`, default "root") does not parse. */
  setSampler(options: Record<string, number | string | undefined>, history?: Int32Array, seq?: number): void;
  setTaps(layers: Int32Array, modes: { last?: boolean; all?: boolean; mean?: boolean }): void;
  resetTaps(): void;
  readTaps(): NativeTap[];
  /** With the attentionEntropy option (native/attention.cpp): clears the readings and records from the next decode on (or stops). */
  recordAttentionEntropy(on: boolean): void;
  /** The wanted layers read since recording began: the last decoded token's attention entropy. */
  readAttentionEntropy(): { layer: number; mean: number; max: number }[];
  setInjection(sidecar: NativeSidecar, tokens: Float32Array, startPos: number, agc: { floor?: number; tau?: number } | null): void;
  setInjectionTokens(tokens: Float32Array): void;
  clearInjection(): void;
  /** Positions per sequence. */
  size(): number;
  /** Tokens one decode (one tick) may hold. */
  batchSize(): number;
  /** Where the scheduler put the nodes of the last graph this context built (llama_patch/0005). */
  graphPlacement(): GraphPlacement;
  /** Graphs built and reused by this context's decodes, and the injection's cognitive K/V computations. */
  graphCounters(): GraphCounters;
  dispose(): void;
}

/** The scheduler's placement of one graph: nodes per backend (the CPU last) and the splits between them. */
export interface GraphPlacement {
  splits: number;
  backends: { name: string; nodes: number }[];
}

/**
 * How often a context's decodes built a new graph or reused the previous one (llama.cpp's graph
 * reuse), and how often the injection's cognitive-token keys and values were computed: once per
 * set of tokens (`crossKvComputed`), or inside a graph (`crossKvInGraph`, training only).
 */
export interface GraphCounters {
  built: number;
  reused: number;
  crossKvComputed: number;
  crossKvInGraph: number;
  /** OS threads that have run this context's decodes: 1 (its own thread, native/compute_thread.h) */
  decodeThreads: number;
}

export interface NativeSidecarInfo {
  encoder: 'selective' | 'multi_token' | 'transformer';
  nEmbd: number;
  nLayer: number;
  nTokens: number;
  targetLayers: number[];
  injectLayers: number[];
  bottleneck: number;
  heads: number;
  agc: { floor: number; tau: number };
  encoderGates: Float32Array;
  injectionGates: Float32Array;
}

/** A sidecar's config as the native loader read it (the shape of src/sidecar/format.ts SidecarConfig). */
export interface NativeSidecarConfig {
  kind: string;
  version: number;
  base: { fingerprint: string; architecture: string; nEmbd: number; nLayer: number };
  encoder: { type: string; nTokens: number; heads: number; ff: number };
  targetLayers: number[];
  injectLayers: number[];
  bottleneck: number;
  heads: number;
  gateInit: number;
  rmsEps: number;
  refusal: string;
  agc: { floor: number; tau: number };
  threshold: number;
  gating?: string;
}

export interface NativeSidecar {
  /** The config the loader read and checked. */
  config(): NativeSidecarConfig;
  info(): NativeSidecarInfo;
  /** Hidden states of the target layers (L·E) → cognitive tokens (N·E) and per-layer confidences (L). */
  encode(hidden: Float32Array): Promise<{ tokens: Float32Array; confidences: Float32Array }>;
  /** The current weights, in FORMAT.md order. */
  tensors(): { name: string; shape: number[]; data: Float32Array }[];
  dispose(): void;
}

/** Settings of one probe-training session (native/probes.cpp); the epoch loop is the caller's. */
export interface NativeProbeOptions {
  /** Examples per optimizer step (default 16). */
  accumulate?: number;
  /** AdamW step (default 1e-2). */
  learningRate?: number;
  /** AdamW weight decay (default 1e-3). */
  weightDecay?: number;
  /** Share of the examples held out for the validation loss (default 0.2). */
  valFraction?: number;
  /** Orders the examples before the split (default 1). */
  seed?: number;
}

export interface ProbeEpoch {
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
}

/** One probe-training session: one epoch per call, the weights read and put back between them. */
export interface NativeProbeTrainer {
  epoch(): Promise<ProbeEpoch>;
  /** probe.weight, probe.bias, then probe.out.weight (version 2). */
  weights(): Float32Array[];
  setWeights(weights: Float32Array[]): void;
  dispose(): void;
}

/** Rows for the meta-learner's trainer (native/meta_learner.cpp), n of them. */
export interface NativeMetaRows {
  /** n × inputs signals, row after row. */
  features: Float32Array;
  /** The true confidence of each row, in [0, 1]. */
  confidence: Float32Array;
  /** Index into ROUTES (src/meta/labels.ts). */
  route: Uint8Array;
  /** Index into ERROR_TYPES (src/meta/labels.ts). */
  error: Uint8Array;
  /** Sample weights, >= 0. */
  weight: Float32Array;
}

export interface NativeMetaTrainerOptions {
  inputs: number;
  hidden: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  /** Global gradient-norm limit; 0: no clipping. */
  clip: number;
  seed: number;
  /** [confidence, route, error]. */
  lossWeights: [number, number, number];
}

export interface NativeMetaEpoch {
  /** Σ w·loss / Σ w over the training rows, as the epoch went. */
  trainLoss: number;
  /** The same over the validation rows after the epoch; null without them. */
  validationLoss: number | null;
  /** Optimizer steps (batches). */
  steps: number;
  /** Steps whose gradient was scaled down to the clip norm. */
  clippedSteps: number;
  /** The largest global gradient norm of the epoch, before clipping. */
  gradNormMax: number;
}

export interface NativeMetaTensor {
  name: string;
  /** ggml order. */
  shape: number[];
  data: Float32Array;
}

/** One meta-learner training session: one epoch per call. */
export interface NativeMetaTrainer {
  epoch(): Promise<NativeMetaEpoch>;
  /** Every tensor of the net (input.mean, input.std, then the layers). */
  weights(): NativeMetaTensor[];
  setWeights(tensors: readonly { name: string; data: Float32Array }[]): void;
  dispose(): void;
}

/** A meta-learner's net, for predictions. */
export interface NativeMetaNet {
  /** n × inputs signals → n × 9: confidence, the 3 route probabilities, the 5 error-type probabilities. */
  predict(features: Float32Array): Float32Array;
  weights(): NativeMetaTensor[];
  dispose(): void;
}

export interface GgufKeyValue {
  key: string;
  type: string;
  value: unknown;
}

export interface NativeTrainProgress {
  epoch: number;
  window: number;
  windows: number;
  step: number;
  /** Mean loss per target token of this window. */
  loss: number;
  learningRate: number;
  elapsedSeconds: number;
  etaSeconds: number;
}

export interface NativeTrainResult {
  /** Mean loss per target token, per epoch. */
  epochLoss: number[];
  loss: number;
  targets: number;
  windowsPerEpoch: number;
  steps: number;
  seconds: number;
  cancelled: boolean;
}

/** Sidecar training examples: one window each, prompt then target, with pass-1 hidden states. */
export interface NativeSidecarExamples {
  tokens: Int32Array;
  targets: Uint8Array;
  starts: Int32Array;
  /** examples × target layers × n_embd */
  hidden: Float32Array;
  /** Per example: the last prompt position, where the injection starts. */
  injectFrom: Int32Array;
}

/** Progress of sidecar training: one window per example. */
export type NativeSidecarProgress = NativeTrainProgress;

/** The learning-rate schedule and AdamW settings of a training run (native/train.h TrainSchedule). */
export interface NativeTrainSchedule {
  learningRate?: number;
  minLearningRate?: number;
  warmupSteps?: number;
  totalSteps?: number;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Start the schedule over at step 0 (the step otherwise carries on from the trainer's last run). */
  resetStep?: boolean;
}

/** Options of one `Trainer.run` (native/train.cpp). */
export interface NativeTrainerRunOptions {
  epochs?: number;
  seed?: number;
  /** false: evaluate only (no optimizer step). */
  train?: boolean;
  shuffle?: boolean;
  /** Several samples per window, or one each from position 0. */
  pack?: boolean;
  schedule?: NativeTrainSchedule;
}

/** Options of one `trainSidecar` run (native/sidecar_train.cpp). */
export interface NativeSidecarRunOptions {
  epochs?: number;
  seed?: number;
  train?: boolean;
  shuffle?: boolean;
  /** Gates and multi_token queries enter scaled by this: a larger effective learning rate for them. */
  gateScale?: number;
  /** Regular expressions over sidecar tensor names to keep frozen. */
  freeze?: string[];
  schedule?: Pick<NativeTrainSchedule, 'learningRate' | 'minLearningRate' | 'weightDecay' | 'warmupSteps' | 'totalSteps' | 'resetStep'>;
}

export interface NativeOpenTrainerOptions {
  /** Path of the model GGUF. */
  model: string;
  nCtx?: number;
  window?: number;
  threads?: number;
  /** Regular expressions over tensor names to keep frozen. */
  freeze?: string[];
}

export interface NativeTrainerInfo {
  contextSize: number;
  threads: number;
  parameters: number;
  trainableParameters: number;
  steps: number;
  vocabSize: number;
}

export interface NativeTrainer {
  run(data: { tokens: Int32Array; targets: Uint8Array; starts: Int32Array }, options: NativeTrainerRunOptions,
    onProgress?: (p: NativeTrainProgress) => void): Promise<NativeTrainResult>;
  cancel(): void;
  save(path: string): void;
  info(): NativeTrainerInfo;
  dispose(): void;
}

export interface NativeSidecarRunResult {
  epochLoss: number[];
  loss: number;
  steps: number;
  seconds: number;
  cancelled: boolean;
}

export interface NativeMakeModelOptions {
  out: string;
  vocab: string;
  name?: string;
  nEmbd?: number;
  nLayer?: number;
  nHead?: number;
  nHeadKv?: number;
  nFf?: number;
  nCtx?: number;
  seed?: number;
  f16?: boolean;
  initStd?: number;
}

/** Where a GGUF's tensor data goes: `dataOffset + tensors[i].offset`, each padded to `alignment`. */
export interface NativeGgufLayout {
  dataOffset: number;
  alignment: number;
  tensors: { offset: number; size: number }[];
}

export interface NativeAddon {
  loadModel(path: string, options: { gpuLayers?: number; useMmap?: boolean }, onProgress?: (p: number) => void): Promise<NativeModel>;
  createContext(model: NativeModel, options: Record<string, number | boolean | string | Int32Array | undefined>): Promise<NativeContext>;
  loadSidecar(path: string): Promise<NativeSidecar>;
  /** Throws INVALID_SIDECAR where loadSidecar would refuse the file these would make. */
  checkSidecar(metadata: GgufKeyValue[], tensors?: { name: string; shape: number[]; data: Float32Array }[]): void;
  openProbeTrainer(sidecar: NativeSidecar, states: Float32Array, correct: Uint8Array, options?: NativeProbeOptions): NativeProbeTrainer;
  openMetaTrainer(train: NativeMetaRows, validation: NativeMetaRows | null, options: NativeMetaTrainerOptions): NativeMetaTrainer;
  openMetaNet(inputs: number, hidden: number, tensors: readonly { name: string; data: Float32Array }[]): NativeMetaNet;
  readGguf(path: string, maxArray: number): Promise<unknown>;
  readGgufTensor(path: string, name: string): Buffer;
  writeGguf(path: string, kv: GgufKeyValue[], tensors: { name: string; shape: number[]; type?: 'f32' | 'f16'; data: Float32Array }[]): void;
  /** Writes a GGUF's header, metadata and tensor table only; the caller appends each tensor's bytes at the places returned. */
  writeGgufHeader(path: string, kv: GgufKeyValue[], tensors: { name: string; shape: number[]; type: 'f32' | 'f16' }[]): NativeGgufLayout;
  makeModel(options: NativeMakeModelOptions): Promise<{ path: string; parameters: number }>;
  quantize(input: string, output: string, type: string, threads?: number, allowRequantize?: boolean): Promise<string>;
  openTrainer(options: NativeOpenTrainerOptions): Promise<NativeTrainer>;
  trainSidecar(trainer: NativeTrainer, sidecar: NativeSidecar, examples: NativeSidecarExamples, options: NativeSidecarRunOptions,
    onProgress?: (p: NativeSidecarProgress) => void): Promise<NativeSidecarRunResult>;
  /** llama.cpp's JSON-Schema → GBNF converter; INVALID_JSON_SCHEMA when the schema cannot be converted. */
  jsonSchemaToGrammar(schemaJson: string): string;
  systemInfo(): NativeSystemInfo;
}

export interface NativeBackendDevice {
  name: string;
  description: string;
  type: 'cpu' | 'gpu' | 'igpu' | 'accel' | 'other';
  memoryFree: number;
  memoryTotal: number;
}

/** The CPU backend's code: ggml's variant library a portable build loaded, or `static` (linked in). */
export interface NativeCpuVariant {
  /** The variant's tag (`zen4`, `haswell`, `sapphirerapids`, ...), or `static`. */
  name: string;
  /** The file it was loaded from (the addon itself for `static`). */
  file: string;
  /** ggml_backend_score of the variant on this CPU: the highest of the candidates wins; 0 for `static`. */
  score: number;
  /** Every variant beside the addon and its score here (0: cannot run on this CPU); empty for `static`. */
  candidates: { name: string; score: number }[];
}

/** What the addon reports about itself (native/system_info.cpp). */
export interface NativeSystemInfo {
  /** llama_print_system_info(): every backend's features, as llama.cpp's tools print them. */
  llama: string;
  gpu: string;
  supportsGpuOffload: boolean;
  /** ggml's backend registry: each backend and its devices. */
  backends: { name: string; devices: NativeBackendDevice[] }[];
  /** ggml-cpu's feature getters: the kernels compiled in. */
  cpuFeatures: Record<string, boolean>;
  /** The CPU device's extra weight buffers (CPU_REPACK; AMX only when compiled in and granted by the OS). */
  cpuExtraBuffers: string[];
  /** The CPU code loaded (native/backends.cpp): a portable build's variant, or `static`. */
  cpuVariant: NativeCpuVariant;
  build: { gpu: string; portable: boolean; amx: boolean; amxReason: string; llamaTag: string; ggmlVersion: string; ggmlCommit: string };
}

let cached: NativeAddon | undefined;

/** Root of the installed package (where build/ lives), from src/engine or dist/engine. */
export const packageRoot = path.resolve(__dirname, '..', '..');

/** Loads the compiled addon once; explains how to build it when it is missing. */
export function addon(): NativeAddon {
  if (cached) return cached;
  // COGITO_BUILD_DIR: the folder scripts/build-native.js built into under the same variable (a
  // Vulkan build beside the CPU one, docs/gpu.md); then only that build, never a quiet fallback to build/
  const buildDir = process.env.COGITO_BUILD_DIR ? path.resolve(packageRoot, process.env.COGITO_BUILD_DIR) : path.join(packageRoot, 'build');
  const candidates = [
    process.env.COGITO_ADDON,
    // COGITO_BUILD_DIR names one build: that one only; otherwise build/, then a portable build shipped
    // in the package (scripts/stage-prebuilt.js), with its CPU variants beside it
    path.join(buildDir, 'Release', 'cogito.node'),
    path.join(buildDir, 'Debug', 'cogito.node'),
    process.env.COGITO_BUILD_DIR ? undefined : path.join(packageRoot, 'prebuilt', `${process.platform}-${process.arch}`, 'cogito.node'),
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new NativeAddonError(
      `the cogito native addon is not built (looked in ${candidates.join(', ')}); run "npm install" or "npm run build:native"`,
      'NO_ADDON',
    );
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = require(found) as NativeAddon;
  } catch (err) {
    // NO_CPU_BACKEND: a portable build found none of its CPU variants (native/backends.cpp); otherwise the
    // loader's own reason (a missing shared library beside the addon, a wrong architecture)
    const { message, code } = err as { message?: unknown; code?: unknown };
    const reason = typeof message === 'string' ? message : String(err);
    if (code === 'NO_CPU_BACKEND') throw new NativeAddonError(reason, 'NO_CPU_BACKEND');
    throw new NativeAddonError(`the cogito native addon ${found} could not be loaded: ${reason}`, 'NO_ADDON');
  }
  return cached;
}
