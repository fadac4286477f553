/**
 * How far a hidden state lies from the states the model was trained on: a Gaussian fitted to a set
 * of hidden states, and the Mahalanobis distance of a new state to it. The covariance is either
 * diagonal or the Ledoit–Wolf shrinkage of the sample covariance towards a scaled identity (with
 * fewer states than dimensions the sample covariance alone is singular). The fit is plain JSON, so
 * it can be stored beside the sidecar and read back.
 */
import { MetaError } from './errors';

export type CovarianceKind = 'diagonal' | 'shrinkage';

/** A fitted distribution, as stored: what `fitHiddenDistribution` returns and `parseHiddenDistribution` reads. */
export interface HiddenDistribution {
  format: 'cogito.hidden-distribution';
  version: 1;
  kind: CovarianceKind;
  dimension: number;
  /** States it was fitted on. */
  count: number;
  mean: number[];
  /** diagonal: the per-dimension variances. shrinkage: the lower Cholesky factor of the shrunk covariance, row-major d × d. */
  factor: number[];
  /** shrinkage: the Ledoit–Wolf intensity λ of Σ = λ·m·I + (1 − λ)·S (0 for diagonal). */
  shrinkage: number;
}

export interface FitOptions {
  /** Default 'shrinkage'. */
  kind?: CovarianceKind;
  /** Added to every variance so a dimension that never moved does not divide by zero (default 1e-6). */
  epsilon?: number;
}

/** The dimension of every state (all must agree), checking each holds finite numbers. */
function checkStates(states: readonly ArrayLike<number>[]): number {
  if (states.length < 2) throw new MetaError(`fitting a hidden-state distribution needs at least 2 states, not ${states.length}`);
  const d = states[0].length;
  if (d === 0) throw new MetaError('hidden states must not be empty');
  states.forEach((s, i) => {
    if (s.length !== d) throw new MetaError(`hidden state ${i} has ${s.length} values, the first has ${d}`);
    for (let j = 0; j < d; j++) if (!Number.isFinite(s[j])) throw new MetaError(`hidden state ${i} holds a non-finite value at ${j}`);
  });
  return d;
}

/** Fits the distribution of `states` (each one hidden state, e.g. the tapped layers concatenated). */
export function fitHiddenDistribution(states: readonly ArrayLike<number>[], options: FitOptions = {}): HiddenDistribution {
  const kind = options.kind ?? 'shrinkage';
  const epsilon = options.epsilon ?? 1e-6;
  if (kind !== 'diagonal' && kind !== 'shrinkage') throw new MetaError(`unknown covariance kind ${String(kind)}`);
  if (!(epsilon >= 0 && Number.isFinite(epsilon))) throw new MetaError('epsilon must be a finite number >= 0');
  const d = checkStates(states);
  const n = states.length;
  const mean = new Float64Array(d);
  for (const s of states) for (let j = 0; j < d; j++) mean[j] += s[j] / n;
  const centred = states.map((s) => Float64Array.from({ length: d }, (_, j) => s[j] - mean[j]));
  const base = { format: 'cogito.hidden-distribution' as const, version: 1 as const, kind, dimension: d, count: n, mean: Array.from(mean) };
  if (kind === 'diagonal') {
    const variance = new Float64Array(d);
    for (const x of centred) for (let j = 0; j < d; j++) variance[j] += (x[j] * x[j]) / n;
    return { ...base, factor: Array.from(variance, (v) => v + epsilon), shrinkage: 0 };
  }
  const { covariance, shrinkage } = ledoitWolf(centred, d);
  for (let j = 0; j < d; j++) covariance[j * d + j] += epsilon;
  return { ...base, factor: Array.from(cholesky(covariance, d)), shrinkage };
}

/**
 * Ledoit & Wolf (2004): Σ = λ·m·I + (1 − λ)·S with m = tr(S)/d and λ = min(b̄², δ²)/δ², where
 * δ² = ‖S − m·I‖² and b̄² = (1/n²)·Σₖ‖xₖxₖᵀ − S‖² (Frobenius norms).
 */
function ledoitWolf(centred: Float64Array[], d: number): { covariance: Float64Array; shrinkage: number } {
  const n = centred.length;
  const s = new Float64Array(d * d);
  for (const x of centred) {
    for (let i = 0; i < d; i++) {
      const xi = x[i] / n;
      if (xi === 0) continue;
      for (let j = 0; j < d; j++) s[i * d + j] += xi * x[j];
    }
  }
  let trace = 0;
  for (let i = 0; i < d; i++) trace += s[i * d + i];
  const m = trace / d;
  let normS = 0;
  for (let k = 0; k < s.length; k++) normS += s[k] * s[k];
  // ‖S − mI‖² = ‖S‖² − 2m·tr(S) + m²d
  const delta2 = normS - 2 * m * trace + m * m * d;
  // ‖xxᵀ − S‖² = ‖x‖⁴ − 2·xᵀSx + ‖S‖²
  let bSum = 0;
  const sx = new Float64Array(d);
  for (const x of centred) {
    let norm2 = 0;
    for (let i = 0; i < d; i++) norm2 += x[i] * x[i];
    let xsx = 0;
    for (let i = 0; i < d; i++) {
      let acc = 0;
      for (let j = 0; j < d; j++) acc += s[i * d + j] * x[j];
      sx[i] = acc;
      xsx += x[i] * acc;
    }
    bSum += norm2 * norm2 - 2 * xsx + normS;
  }
  const b2 = Math.min(bSum / (n * n), delta2);
  const shrinkage = delta2 > 0 ? b2 / delta2 : 1;
  const covariance = new Float64Array(d * d);
  for (let k = 0; k < s.length; k++) covariance[k] = (1 - shrinkage) * s[k];
  for (let i = 0; i < d; i++) covariance[i * d + i] += shrinkage * m;
  return { covariance, shrinkage };
}

/** Lower Cholesky factor L of a symmetric positive-definite matrix (L·Lᵀ = A), row-major. */
function cholesky(a: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * d + j];
      for (let k = 0; k < j; k++) sum -= l[i * d + k] * l[j * d + k];
      if (i === j) {
        if (!(sum > 0)) throw new MetaError('the fitted covariance is not positive definite (raise epsilon)');
        l[i * d + i] = Math.sqrt(sum);
      } else l[i * d + j] = sum / l[j * d + j];
    }
  }
  return l;
}

/** The Mahalanobis distance √((x − μ)ᵀ Σ⁻¹ (x − μ)) of one state to the distribution. */
export function mahalanobis(dist: HiddenDistribution, state: ArrayLike<number>): number {
  const d = dist.dimension;
  if (state.length !== d) throw new MetaError(`the hidden state has ${state.length} values; the distribution was fitted on ${d}`);
  const diff = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    if (!Number.isFinite(state[j])) throw new MetaError(`the hidden state holds a non-finite value at ${j}`);
    diff[j] = state[j] - dist.mean[j];
  }
  let q = 0;
  if (dist.kind === 'diagonal') {
    for (let j = 0; j < d; j++) q += (diff[j] * diff[j]) / dist.factor[j];
    return Math.sqrt(q);
  }
  // forward substitution L·z = diff; then q = ‖z‖²
  const l = dist.factor;
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let sum = diff[i];
    for (let k = 0; k < i; k++) sum -= l[i * d + k] * z[k];
    z[i] = sum / l[i * d + i];
    q += z[i] * z[i];
  }
  return Math.sqrt(q);
}

/** Reads a stored distribution (JSON text or the parsed value), checking every field. */
export function parseHiddenDistribution(input: string | unknown): HiddenDistribution {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw new MetaError(`a hidden-state distribution is not JSON: ${(err as Error).message}`);
    }
  }
  const o = value as Partial<HiddenDistribution> | null;
  const bad = (why: string): never => {
    throw new MetaError(`not a hidden-state distribution: ${why}`);
  };
  if (typeof o !== 'object' || o === null) return bad('not an object');
  if (o.format !== 'cogito.hidden-distribution') bad(`format is ${String(o.format)}`);
  if (o.version !== 1) bad(`version ${String(o.version)} (this cogito reads 1)`);
  if (o.kind !== 'diagonal' && o.kind !== 'shrinkage') bad(`kind ${String(o.kind)}`);
  const d = o.dimension;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) return bad('dimension must be a positive integer');
  if (typeof o.count !== 'number' || !Number.isInteger(o.count) || o.count < 2) bad('count must be an integer >= 2');
  const finiteArray = (a: unknown, length: number, name: string): void => {
    if (!Array.isArray(a) || a.length !== length || !a.every((v) => typeof v === 'number' && Number.isFinite(v))) bad(`${name} must hold ${length} finite numbers`);
  };
  finiteArray(o.mean, d, 'mean');
  finiteArray(o.factor, o.kind === 'diagonal' ? d : d * d, 'factor');
  const factor = o.factor as number[];
  for (let j = 0; j < d; j++) if (!((o.kind === 'diagonal' ? factor[j] : factor[j * d + j]) > 0)) bad(`factor's entry for dimension ${j} is not positive`);
  if (typeof o.shrinkage !== 'number' || !(o.shrinkage >= 0 && o.shrinkage <= 1)) bad('shrinkage must be in [0, 1]');
  return o as HiddenDistribution;
}
