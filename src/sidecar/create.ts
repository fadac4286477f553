/**
 * Untrained sidecars for a base model: seeded random weights, optional hand-set tensors, and
 * gates at `gateInit` (0 gives an exactly neutral sidecar). Until training exists these are
 * what tests, demos and `cogito sidecar create` use.
 */
import { InvalidOptionError } from '../engine/errors';
import { OutOfRangeError } from '../util/errors';
import { createRng, type Rng } from '../util/prng';
import { InvalidSidecarError } from './errors';
import {
  SIDECAR_VERSION,
  elementCount,
  layoutName,
  tensorSpecs,
  type BaseModelInfo,
  type EncoderType,
  type Gating,
  type Sidecar,
  type SidecarConfig,
  type SidecarTensor,
  type SidecarVersion,
  type TensorSpec,
} from './format';
import { resolveTargetLayers } from './layers';
import { validateConfig } from './validate';

export interface CreateSidecarOptions {
  /** Format version (default SIDECAR_VERSION, 2); 1 makes a sidecar without φ and refusal channel, as old files are. */
  version?: SidecarVersion;
  /** Default 'selective'. */
  encoder?: EncoderType;
  /** Layer indices or a spec ('early', 'mid', 'late', 'all', '2,5-7', '-1'); default 'late'. */
  targetLayers?: number[] | string;
  /** Same forms; default 'late'. */
  injectLayers?: number[] | string;
  /** N for a multi_token encoder (default 4); the others have one token per target layer. Options of another encoder type are ignored. */
  tokens?: number;
  /** Transformer encoder heads (default: 4, 2 or 1, whichever divides n_embd). */
  encoderHeads?: number;
  /** Transformer encoder MLP size (default 2·n_embd). */
  ff?: number;
  /** Cross-attention width B (default min(256, n_embd)). */
  bottleneck?: number;
  /** Cross-attention heads H (default: 4, 2 or 1, whichever divides B). */
  heads?: number;
  /** Injection gates' value (recorded as `gate_init`); 0 makes the sidecar exactly neutral. Default 0. */
  gateInit?: number;
  /** Encoder gates' value (default 1, so the cognitive tokens are non-trivial even when injection is off). */
  encoderGateInit?: number;
  seed?: number;
  /** Scale of the random weights (default 1: matrices N(0, 1/fan_in), vectors N(0, 0.01)). */
  initScale?: number;
  rmsEps?: number;
  refusal?: string;
  agc?: { floor: number; tau: number };
  threshold?: number;
  /** When pass 2 injects (default: not recorded, i.e. 'always'). */
  gating?: Gating;
  /** Tensors set by hand, by name (data in ggml order); they replace the random ones. */
  tensors?: Record<string, ArrayLike<number>> | Map<string, ArrayLike<number>>;
}

export const DEFAULT_REFUSAL = "I don't know.";

/** Version 2's tensors start at zero: until trained, a version-2 sidecar computes exactly what version 1 does. */
const ZERO_INIT = new Set(['probe.out.weight', 'enc.refusal']);

/** The config createSidecar would use: defaults filled in, validated. */
export function sidecarConfig(model: BaseModelInfo, options: CreateSidecarOptions = {}): SidecarConfig {
  const E = model.embeddingSize;
  const type = options.encoder ?? 'selective';
  const targetLayers = layers(options.targetLayers ?? 'late', model.layerCount, 'targetLayers');
  const bottleneck = options.bottleneck ?? Math.min(256, E);
  const config: SidecarConfig = {
    kind: 'doubter',
    version: options.version ?? SIDECAR_VERSION,
    base: { fingerprint: model.fingerprint, architecture: model.architecture, nEmbd: E, nLayer: model.layerCount },
    encoder: {
      type,
      nTokens: type === 'multi_token' ? (options.tokens ?? 4) : targetLayers.length,
      heads: type === 'transformer' ? (options.encoderHeads ?? divisorHeads(E)) : 1,
      ff: type === 'transformer' ? (options.ff ?? 2 * E) : 0,
    },
    targetLayers,
    injectLayers: layers(options.injectLayers ?? 'late', model.layerCount, 'injectLayers'),
    bottleneck,
    heads: options.heads ?? divisorHeads(bottleneck),
    // f32 in the file: keep the f32 value so a config survives write → read unchanged
    gateInit: Math.fround(options.gateInit ?? 0),
    rmsEps: Math.fround(options.rmsEps ?? 1e-5),
    refusal: options.refusal ?? DEFAULT_REFUSAL,
    agc: { floor: Math.fround(options.agc?.floor ?? 0.3), tau: Math.fround(options.agc?.tau ?? 32) },
    threshold: Math.fround(options.threshold ?? 0.5),
    ...(options.gating !== undefined ? { gating: options.gating } : {}),
  };
  try {
    validateConfig(config);
  } catch (err) {
    if (err instanceof InvalidSidecarError) invalid(err.message);
    throw err;
  }
  return config;
}

/** A sidecar for `model` with seeded random weights (same seed, same options → same bytes). */
export function createSidecar(model: BaseModelInfo, options: CreateSidecarOptions = {}): Sidecar {
  const config = sidecarConfig(model, options);
  const rng = createRng(options.seed ?? 0);
  const scale = options.initScale ?? 1;
  if (!Number.isFinite(scale)) invalid(`initScale must be finite, got ${scale}`);
  const encoderGate = Math.fround(options.encoderGateInit ?? 1);
  const specs = tensorSpecs(config);
  const given = options.tensors instanceof Map ? options.tensors : new Map(Object.entries(options.tensors ?? {}));
  const known = new Set(specs.map((s) => s.name));
  for (const name of given.keys()) if (!known.has(name)) invalid(`tensor '${name}' is not part of ${layoutName(config)}`);

  const tensors = new Map<string, SidecarTensor>();
  for (const spec of specs) {
    const hand = given.get(spec.name);
    let data: Float32Array;
    if (hand) {
      if (hand.length !== elementCount(spec.shape)) {
        invalid(`tensor '${spec.name}' needs ${elementCount(spec.shape)} values for [${spec.shape.join(', ')}], got ${hand.length}`);
      }
      data = Float32Array.from(hand);
    } else if (spec.name === 'inj.gate') {
      data = new Float32Array(elementCount(spec.shape)).fill(config.gateInit);
    } else if (spec.name === 'enc.gate') {
      data = new Float32Array(elementCount(spec.shape)).fill(encoderGate);
    } else if (ZERO_INIT.has(spec.name)) {
      data = new Float32Array(elementCount(spec.shape));
    } else {
      // a stream per tensor: adding a tensor to the layout does not change the others' weights
      data = gaussian(rng.fork(spec.name), elementCount(spec.shape), initStd(spec, scale));
    }
    tensors.set(spec.name, { shape: spec.shape.slice(), data });
  }
  return { config, tensors };
}

/** Matrices keep activations O(1) (1/√fan_in); queries are O(1) so attention is not uniform; other vectors are small offsets. */
function initStd(spec: TensorSpec, scale: number): number {
  if (spec.name === 'enc.queries') return scale;
  if (spec.shape.length === 2 && spec.name !== 'enc.layer_embd') return scale / Math.sqrt(spec.shape[0]);
  return 0.1 * scale;
}

function gaussian(rng: Rng, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    // Box–Muller; 1 - next() is in (0, 1], so the log is finite
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const a = 2 * Math.PI * rng.next();
    out[i] = std * r * Math.cos(a);
    if (i + 1 < n) out[i + 1] = std * r * Math.sin(a);
  }
  return out;
}

function divisorHeads(width: number): number {
  return [4, 2, 1].find((h) => width % h === 0) ?? 1;
}

function layers(value: number[] | string, nLayer: number, option: string): number[] {
  if (Array.isArray(value)) return value.slice();
  try {
    return resolveTargetLayers(value, nLayer);
  } catch (err) {
    if (err instanceof OutOfRangeError) invalid(`${option}: ${err.message}`);
    throw err;
  }
}

function invalid(message: string): never {
  throw new InvalidOptionError(`createSidecar: ${message}`, 'INVALID_ARGUMENT');
}
