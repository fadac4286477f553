/**
 * The sidecar GGUF format (sidecars/FORMAT.md, version 2, which reads version 1) as TypeScript:
 * its metadata keys, the config they describe, and the exact tensor list a config requires. Every
 * other module (reader, writer, creator, reference) takes names and shapes from here, never
 * spells them anew.
 */
import type { ModelInfo } from '../engine/model';

/** The version new sidecars are written in. */
export const SIDECAR_VERSION = 2;
/** Every version a reader accepts: version 2 reads version-1 files (no φ, no refusal channel). */
export const SIDECAR_VERSIONS = [1, 2] as const;
export type SidecarVersion = (typeof SIDECAR_VERSIONS)[number];
/** How many output features φ a version-2 sidecar reads after the hidden states (features.ts). */
export const OUTPUT_FEATURES = 3;
/** `general.architecture` of every sidecar: keeps llama.cpp from mistaking one for a model. */
export const SIDECAR_ARCHITECTURE = 'cogito-sidecar';
export const SIDECAR_KINDS = ['doubter'] as const;
export type SidecarKind = (typeof SIDECAR_KINDS)[number];
export const ENCODER_TYPES = ['selective', 'multi_token', 'transformer'] as const;
export type EncoderType = (typeof ENCODER_TYPES)[number];

/** The metadata keys of FORMAT.md, by the config field they carry. */
export const KEYS = {
  architecture: 'general.architecture',
  version: 'cogito.sidecar.version',
  kind: 'cogito.sidecar.kind',
  baseFingerprint: 'cogito.sidecar.base.fingerprint',
  baseArchitecture: 'cogito.sidecar.base.architecture',
  baseNEmbd: 'cogito.sidecar.base.n_embd',
  baseNLayer: 'cogito.sidecar.base.n_layer',
  encoderType: 'cogito.sidecar.encoder.type',
  encoderNTokens: 'cogito.sidecar.encoder.n_tokens',
  encoderHeads: 'cogito.sidecar.encoder.heads',
  encoderFf: 'cogito.sidecar.encoder.ff',
  targetLayers: 'cogito.sidecar.target_layers',
  injectLayers: 'cogito.sidecar.inject_layers',
  bottleneck: 'cogito.sidecar.bottleneck',
  heads: 'cogito.sidecar.heads',
  gateInit: 'cogito.sidecar.gate_init',
  rmsEps: 'cogito.sidecar.rms_eps',
  refusal: 'cogito.sidecar.refusal',
  agcFloor: 'cogito.sidecar.agc.floor',
  agcTau: 'cogito.sidecar.agc.tau',
  threshold: 'cogito.sidecar.threshold',
  gating: 'cogito.sidecar.gating',
} as const;

/**
 * When pass 2 injects (FORMAT.md, optional key): 'always', or only when the decision signal says
 * refuse ('decision'; otherwise pass 2 is the base's own answer).
 */
export const GATINGS = ['always', 'decision'] as const;
export type Gating = (typeof GATINGS)[number];

export interface SidecarConfig {
  kind: SidecarKind;
  version: number;
  /** What the sidecar was made for: a runtime refuses another base (see bind.ts). */
  base: { fingerprint: string; architecture: string; nEmbd: number; nLayer: number };
  /** `nTokens` = N; `heads` and `ff` are the transformer encoder's (1 and 0 for the others). */
  encoder: { type: EncoderType; nTokens: number; heads: number; ff: number };
  /** The L layers read in pass 1, ascending. */
  targetLayers: number[];
  /** The J layers written in pass 2, ascending. */
  injectLayers: number[];
  /** B, the cross-attention width. */
  bottleneck: number;
  /** H, cross-attention heads (B % H = 0). */
  heads: number;
  /** F32 fields below hold f32 values: what is written is what is read back. */
  gateInit: number;
  rmsEps: number;
  refusal: string;
  agc: { floor: number; tau: number };
  threshold: number;
  /** When pass 2 injects; absent means 'always' (files written before the key existed). */
  gating?: Gating;
}

/** One tensor in ggml order: `shape[0]` (ne0) varies fastest. */
export interface SidecarTensor {
  shape: number[];
  data: Float32Array;
}

export interface Sidecar {
  config: SidecarConfig;
  tensors: Map<string, SidecarTensor>;
}

export interface TensorSpec {
  name: string;
  shape: number[];
}

/** What a sidecar needs to know about a base model (a subset of `model.info`). */
export type BaseModelInfo = Pick<ModelInfo, 'fingerprint' | 'architecture' | 'embeddingSize' | 'layerCount'>;

/**
 * The tensors FORMAT.md requires for `config`, in the order files hold them: probes, encoder,
 * injection. Version 2 adds `probe.out.weight` after the probes and `enc.refusal` after `enc.gate`.
 */
export function tensorSpecs(config: SidecarConfig): TensorSpec[] {
  const E = config.base.nEmbd;
  const L = config.targetLayers.length;
  const N = config.encoder.nTokens;
  const J = config.injectLayers.length;
  const B = config.bottleneck;
  const F = config.encoder.ff;
  const v2 = config.version >= 2;
  const specs: TensorSpec[] = [];
  const add = (name: string, ...shape: number[]): void => void specs.push({ name, shape });
  add('probe.weight', E, L);
  add('probe.bias', L);
  if (v2) add('probe.out.weight', OUTPUT_FEATURES, L);
  switch (config.encoder.type) {
    case 'selective':
      for (let i = 0; i < L; i++) {
        add(`enc.${i}.weight`, E, E);
        add(`enc.${i}.bias`, E);
      }
      break;
    case 'multi_token':
      add('enc.layer_embd', E, L);
      add('enc.queries', E, N);
      for (const p of ['k', 'v', 'o']) add(`enc.${p}.weight`, E, E);
      break;
    case 'transformer':
      add('enc.layer_embd', E, L);
      for (const p of ['q', 'k', 'v', 'o']) add(`enc.attn.${p}.weight`, E, E);
      add('enc.ff.up.weight', E, F);
      add('enc.ff.down.weight', F, E);
      break;
  }
  add('enc.gate', N);
  if (v2) add('enc.refusal', E, N);
  for (let j = 0; j < J; j++) {
    for (const p of ['q', 'k', 'v']) add(`inj.${j}.${p}.weight`, E, B);
    add(`inj.${j}.o.weight`, B, E);
  }
  add('inj.gate', J);
  return specs;
}

/** How errors name a layout ("a version-2 selective sidecar"): its tensors depend on both. */
export function layoutName(config: SidecarConfig): string {
  return `a version-${config.version} ${config.encoder.type} sidecar`;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Learned parameters of a sidecar with this config. */
export function parameterCount(config: SidecarConfig): number {
  return tensorSpecs(config).reduce((n, s) => n + elementCount(s.shape), 0);
}
