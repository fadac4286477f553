/**
 * The sidecar GGUF format (sidecars/FORMAT.md, version 2, which reads version 1) as TypeScript:
 * its metadata keys, the config they describe, and the exact tensor list a config requires, all
 * read from the one format table (sidecars/format.json, which the native loader is generated from too).
 * Every other module takes names and shapes from here, never spells them anew.
 */
import type { ModelInfo } from '../engine/model';
import { FORMAT_TABLE } from './format-table';

/** The version new sidecars are written in. */
export const SIDECAR_VERSION = FORMAT_TABLE.version;
/** Every version a reader accepts: version 2 reads version-1 files (no φ, no refusal channel). */
export const SIDECAR_VERSIONS = FORMAT_TABLE.versions;
export type SidecarVersion = (typeof SIDECAR_VERSIONS)[number];
/** How many output features φ a version-2 sidecar reads after the hidden states (features.ts). */
export const OUTPUT_FEATURES = FORMAT_TABLE.outputFeatures;
/** `general.architecture` of every sidecar: keeps llama.cpp from mistaking one for a model. */
export const SIDECAR_ARCHITECTURE = FORMAT_TABLE.architecture;
export const SIDECAR_KINDS = FORMAT_TABLE.kinds;
export type SidecarKind = (typeof SIDECAR_KINDS)[number];
export const ENCODER_TYPES = FORMAT_TABLE.encoders;
export type EncoderType = (typeof ENCODER_TYPES)[number];

/** A config field that has a metadata key. */
export type KeyField = keyof typeof FORMAT_TABLE.keys;

/** The metadata keys of FORMAT.md, by the config field they carry. */
export const KEYS = Object.fromEntries(Object.entries(FORMAT_TABLE.keys).map(([field, k]) => [field, k.key])) as {
  readonly [F in KeyField]: (typeof FORMAT_TABLE.keys)[F]['key'];
};

/**
 * When pass 2 injects (FORMAT.md, optional key): 'always', or only when the decision signal says
 * refuse ('decision'; otherwise pass 2 is the base's own answer).
 */
export const GATINGS = FORMAT_TABLE.gatings;
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
  const dims: Record<(typeof FORMAT_TABLE.tensors)[number]['shape'][number], number> = {
    E: config.base.nEmbd,
    L: config.targetLayers.length,
    N: config.encoder.nTokens,
    J: config.injectLayers.length,
    B: config.bottleneck,
    F: config.version >= 2 ? OUTPUT_FEATURES : 0,
    FF: config.encoder.ff,
  };
  type Entry = (typeof FORMAT_TABLE.tensors)[number];
  const wanted = (t: Entry): boolean =>
    config.version >= ('since' in t ? t.since : 1) && (!('encoders' in t) || (t.encoders as readonly string[]).includes(config.encoder.type));
  const spec = (t: Entry, i: number): TensorSpec => ({ name: t.name.replace('{i}', String(i)), shape: t.shape.map((d) => dims[d]) });
  const specs: TensorSpec[] = [];
  const entries = FORMAT_TABLE.tensors;
  for (let k = 0; k < entries.length; ) {
    const t: Entry = entries[k];
    if (!('each' in t)) {
      if (wanted(t)) specs.push(spec(t, 0));
      k++;
      continue;
    }
    // consecutive entries with the same `each` repeat together
    let end = k;
    while (end < entries.length && 'each' in entries[end] && (entries[end] as { each: string }).each === t.each) end++;
    for (let i = 0; i < dims[t.each]; i++) {
      for (let m = k; m < end; m++) if (wanted(entries[m])) specs.push(spec(entries[m], i));
    }
    k = end;
  }
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
