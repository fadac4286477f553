/**
 * An independent float64 implementation of FORMAT.md's formulas, written from the spec alone
 * (plain loops, no ggml, nothing shared with the runtime), so the ggml runtime can be checked
 * against it. Slow and simple on purpose: it is the oracle, not an engine.
 *
 * Layout (FORMAT.md): a tensor `[ne0, ne1]` stores element (c, r) at `r * ne0 + c`; as a
 * matrix it maps a vector of size ne0 to one of size ne1: `(W x)[r] = Σ_c W[r·ne0 + c] x[c]`.
 */
import { OUTPUT_FEATURES, type Sidecar } from '../../src/sidecar';
import { OutOfRangeError } from '../../src/util/errors';

export interface ReferenceEncoding {
  /** N cognitive tokens of E values. */
  tokens: Float64Array[];
  /** Per target layer `p_i`: the probe's confidence that the base answers correctly. */
  confidences: number[];
  /** Their mean: the sidecar's confidence. */
  confidence: number;
  /** The decision signal: confidence below the config's threshold. */
  refuse: boolean;
}

/** AGC: α(step) = floor + (1 − floor)·e^(−step/τ); step 0 is the last prompt token. */
export function agcAlpha(step: number, floor: number, tau: number): number {
  return floor + (1 - floor) * Math.exp(-step / tau);
}

/** rms(x) = x / sqrt(mean(x²) + ε), no weight. */
export function rmsNorm(x: ArrayLike<number>, eps: number): Float64Array {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i] * x[i];
  const scale = 1 / Math.sqrt(ss / x.length + eps);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * scale;
  return out;
}

/**
 * Per-target-layer confidences p_i = σ(probe.weight[:, i] · n_i + probe.bias[i]) (version 1), or
 * with `+ probe.out.weight[:, i] · φ` (version 2, where `phi`, the output features of pass 1 —
 * see outputFeatures — is required; version 1 ignores it).
 */
export function referenceProbes(sidecar: Sidecar, hidden: Float64Array[], phi?: ArrayLike<number>): number[] {
  const { E, L } = dims(sidecar, hidden);
  const features = outputFeaturesOf(sidecar, phi);
  const w = tensor(sidecar, 'probe.weight');
  const b = tensor(sidecar, 'probe.bias');
  const wOut = features && tensor(sidecar, 'probe.out.weight');
  const eps = sidecar.config.rmsEps;
  const out: number[] = [];
  for (let i = 0; i < L; i++) {
    const n = rmsNorm(hidden[i], eps);
    let s = b[i];
    for (let e = 0; e < E; e++) s += w[i * E + e] * n[e];
    if (features && wOut) for (let f = 0; f < OUTPUT_FEATURES; f++) s += wOut[i * OUTPUT_FEATURES + f] * features[f];
    out.push(sigmoid(s));
  }
  return out;
}

/**
 * The encoder: L hidden states (after target layers, last prompt token) → N cognitive tokens, plus
 * the probes. Version 2 needs `phi` (see referenceProbes) and adds the refusal channel to the tokens.
 */
export function referenceEncode(sidecar: Sidecar, hidden: Float64Array[], phi?: ArrayLike<number>): ReferenceEncoding {
  const { E, L } = dims(sidecar, hidden);
  // the probes first: a version-2 sidecar without φ fails before any encoder work
  const confidences = referenceProbes(sidecar, hidden, phi);
  const confidence = confidences.reduce((a, b) => a + b, 0) / confidences.length;
  const eps = sidecar.config.rmsEps;
  const n = hidden.map((h) => rmsNorm(h, eps));
  const gate = tensor(sidecar, 'enc.gate');
  let raw: Float64Array[];
  switch (sidecar.config.encoder.type) {
    case 'selective':
      raw = n.map((ni, i) => add(matvec(tensor(sidecar, `enc.${i}.weight`), E, E, ni), tensor(sidecar, `enc.${i}.bias`)));
      break;
    case 'multi_token':
      raw = encodeMultiToken(sidecar, n, E, L);
      break;
    case 'transformer':
      raw = encodeTransformer(sidecar, n, E, L);
      break;
    default:
      throw new OutOfRangeError(`unknown encoder type ${String(sidecar.config.encoder.type)}`);
  }
  let tokens = raw.map((c, i) => scaleBy(c, Math.tanh(gate[i])));
  if (sidecar.config.version >= 2) {
    // the refusal channel: c_j ← c_j + (1 − p̄) · enc.refusal[:, j]
    const refusal = tensor(sidecar, 'enc.refusal');
    tokens = tokens.map((c, j) => add(c, scaleBy(Float64Array.from(refusal.subarray(j * E, (j + 1) * E)), 1 - confidence)));
  }
  return { tokens, confidences, confidence, refuse: confidence < sidecar.config.threshold };
}

/**
 * One position of injection block `j`: x' = x + α · tanh(inj.gate[j]) · W_o · concat_t o_t,
 * with multi-head attention from rms(x) (queries) over the cognitive tokens (keys, values).
 */
export function referenceInject(sidecar: Sidecar, j: number, x: Float64Array, tokens: Float64Array[], alpha = 1): Float64Array {
  const { config } = sidecar;
  const E = config.base.nEmbd;
  const B = config.bottleneck;
  const H = config.heads;
  if (!Number.isInteger(j) || j < 0 || j >= config.injectLayers.length) throw new OutOfRangeError(`injection block ${j} does not exist`);
  if (x.length !== E) throw new OutOfRangeError(`x has ${x.length} values, expected n_embd ${E}`);
  if (tokens.length !== config.encoder.nTokens || tokens.some((c) => c.length !== E)) {
    throw new OutOfRangeError(`expected ${config.encoder.nTokens} cognitive tokens of ${E} values`);
  }
  const q = matvec(tensor(sidecar, `inj.${j}.q.weight`), B, E, rmsNorm(x, config.rmsEps));
  const K = tokens.map((c) => matvec(tensor(sidecar, `inj.${j}.k.weight`), B, E, c));
  const V = tokens.map((c) => matvec(tensor(sidecar, `inj.${j}.v.weight`), B, E, c));
  const o = attention([q], K, V, H)[0];
  const delta = matvec(tensor(sidecar, `inj.${j}.o.weight`), E, B, o);
  const g = alpha * Math.tanh(tensor(sidecar, 'inj.gate')[j]);
  const out = new Float64Array(E);
  for (let e = 0; e < E; e++) out[e] = x[e] + g * delta[e];
  return out;
}

// ---------------------------------------------------------------- encoders

function encodeMultiToken(sidecar: Sidecar, n: Float64Array[], E: number, L: number): Float64Array[] {
  const N = sidecar.config.encoder.nTokens;
  const xs = withLayerEmbedding(sidecar, n, E, L);
  const k = xs.map((x) => matvec(tensor(sidecar, 'enc.k.weight'), E, E, x));
  const v = xs.map((x) => matvec(tensor(sidecar, 'enc.v.weight'), E, E, x));
  const queries = tensor(sidecar, 'enc.queries');
  const qs = Array.from({ length: N }, (_, j) => Float64Array.from(queries.subarray(j * E, (j + 1) * E)));
  // a single head over the full width: the scale is 1/sqrt(E)
  return attention(qs, k, v, 1).map((s) => matvec(tensor(sidecar, 'enc.o.weight'), E, E, s));
}

function encodeTransformer(sidecar: Sidecar, n: Float64Array[], E: number, L: number): Float64Array[] {
  const { heads, ff: F } = sidecar.config.encoder;
  const eps = sidecar.config.rmsEps;
  const xs = withLayerEmbedding(sidecar, n, E, L);
  const us = xs.map((x) => rmsNorm(x, eps));
  const proj = (name: string): Float64Array[] => us.map((u) => matvec(tensor(sidecar, `enc.attn.${name}.weight`), E, E, u));
  const attended = attention(proj('q'), proj('k'), proj('v'), heads);
  return xs.map((x, i) => {
    const y = add(x, matvec(tensor(sidecar, 'enc.attn.o.weight'), E, E, attended[i]));
    const up = matvec(tensor(sidecar, 'enc.ff.up.weight'), F, E, rmsNorm(y, eps)).map(silu);
    return add(y, matvec(tensor(sidecar, 'enc.ff.down.weight'), E, F, up));
  });
}

/** x_i = n_i + enc.layer_embd[:, i]. */
function withLayerEmbedding(sidecar: Sidecar, n: Float64Array[], E: number, L: number): Float64Array[] {
  const embd = tensor(sidecar, 'enc.layer_embd');
  return Array.from({ length: L }, (_, i) => add(n[i], embd.subarray(i * E, (i + 1) * E)));
}

// ---------------------------------------------------------------- math

/**
 * Unmasked multi-head attention: head t uses the t-th contiguous slice of D = width/heads
 * values of each query, key and value; o_t = Σ_m softmax_m(q_t·k_m,t / sqrt(D)) v_m,t.
 */
function attention(qs: Float64Array[], ks: Float64Array[], vs: Float64Array[], heads: number): Float64Array[] {
  const width = qs[0].length;
  const D = width / heads;
  return qs.map((q) => {
    const out = new Float64Array(width);
    for (let t = 0; t < heads; t++) {
      const scores = ks.map((k) => {
        let s = 0;
        for (let d = t * D; d < (t + 1) * D; d++) s += q[d] * k[d];
        return s / Math.sqrt(D);
      });
      const a = softmax(scores);
      for (let m = 0; m < vs.length; m++) {
        for (let d = t * D; d < (t + 1) * D; d++) out[d] += a[m] * vs[m][d];
      }
    }
    return out;
  });
}

/** (W x)[r] = Σ_c W[r·nIn + c] x[c] for a ggml tensor of shape [nIn, nOut]. */
function matvec(w: Float32Array, nOut: number, nIn: number, x: ArrayLike<number>): Float64Array {
  if (w.length !== nOut * nIn || x.length !== nIn) throw new OutOfRangeError(`matvec: [${nIn}, ${nOut}] weight with ${w.length} values, x of ${x.length}`);
  const out = new Float64Array(nOut);
  for (let r = 0; r < nOut; r++) {
    let s = 0;
    for (let c = 0; c < nIn; c++) s += w[r * nIn + c] * x[c];
    out[r] = s;
  }
  return out;
}

function softmax(scores: number[]): number[] {
  const max = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

function add(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

function scaleBy(a: Float64Array, s: number): Float64Array {
  return a.map((v) => v * s);
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function silu(x: number): number {
  return x * sigmoid(x);
}

function tensor(sidecar: Sidecar, name: string): Float32Array {
  const t = sidecar.tensors.get(name);
  if (!t) throw new OutOfRangeError(`the sidecar has no tensor '${name}'`);
  return t.data;
}

/** φ as float64 for a version-2 sidecar (which cannot run without it); null for version 1, which reads none. */
function outputFeaturesOf(sidecar: Sidecar, phi: ArrayLike<number> | undefined): Float64Array | null {
  if (sidecar.config.version < 2) return null;
  if (!phi || phi.length !== OUTPUT_FEATURES) {
    throw new OutOfRangeError(
      `phi: a version-${sidecar.config.version} sidecar needs the ${OUTPUT_FEATURES} output features of pass 1, got ${phi ? `${phi.length} values` : 'none'}`,
    );
  }
  return Float64Array.from(phi);
}

function dims(sidecar: Sidecar, hidden: Float64Array[]): { E: number; L: number } {
  const E = sidecar.config.base.nEmbd;
  const L = sidecar.config.targetLayers.length;
  if (hidden.length !== L || hidden.some((h) => h.length !== E)) {
    throw new OutOfRangeError(`expected ${L} hidden states (one per target layer) of n_embd ${E} values`);
  }
  return { E, L };
}
