/**
 * Paired significance tests for base vs base + sidecar on the same questions: McNemar's
 * test on per-question correctness, a sign test, and a paired permutation test on any
 * per-question score. All p-values are two-sided. Also the margins a decision threshold is
 * judged by: a proportion's Wilson score and a selective split's accuracy gain with its error.
 */
import { OutOfRangeError } from '../util/errors';

// ---------------------------------------------------------------- special functions

/** The standard normal quantile Φ⁻¹(p), 0 < p < 1 (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new OutOfRangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number): number =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * The one-sided lower confidence bound of a proportion (Wilson score interval): with probability
 * `level` the true share is at least this, given `successes` of `n`.
 */
export function wilsonLowerBound(successes: number, n: number, level: number): number {
  if (n <= 0) return 0;
  const z = normalQuantile(level);
  const p = successes / n;
  const z2 = (z * z) / n;
  return Math.max(0, (p + z2 / 2 - z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n))) / (1 + z2));
}

/**
 * Wilson's score statistic: how many standard errors (under the hypothesis) the observed share
 * `successes / n` lies above `target`. Its bound at level q is where this equals Φ⁻¹(q), so
 * `wilsonLowerBound(s, n, q) ≥ target` exactly when this is ≥ Φ⁻¹(q).
 */
export function proportionScore(successes: number, n: number, target: number): number {
  if (n <= 0) throw new OutOfRangeError('proportionScore: n must be positive');
  if (!(target > 0 && target < 1)) throw new OutOfRangeError(`proportionScore: target must be in (0, 1), got ${target}`);
  return (successes / n - target) / Math.sqrt((target * (1 - target)) / n);
}

/** A selective split of questions: answered right/wrong, refused where the base was right/wrong. */
export interface SelectiveCells {
  answeredRight: number;
  answeredWrong: number;
  refusedRight: number;
  refusedWrong: number;
}

/**
 * The accuracy gain of a selective split (accuracy on the answered questions minus the base's on
 * all) and its standard error by the delta method over the four cells as one multinomial draw.
 * The two accuracies share the answered questions, so their errors are not independent.
 */
export function accuracyGain(cells: SelectiveCells): { gain: number; stdError: number } {
  const { answeredRight: a, answeredWrong: b, refusedRight: c, refusedWrong: d } = cells;
  const n = a + b + c + d;
  if (a + b === 0) throw new OutOfRangeError('accuracyGain: no question is answered');
  const p = [a / n, b / n, c / n, d / n];
  const answered = p[0] + p[1];
  const gain = p[0] / answered - (p[0] + p[2]);
  // ∂gain/∂p for the cells a, b, c, d
  const grad = [p[1] / answered ** 2 - 1, -p[0] / answered ** 2, -1, 0];
  const mean = grad.reduce((sum, g, i) => sum + g * p[i], 0);
  const meanSquare = grad.reduce((sum, g, i) => sum + g * g * p[i], 0);
  return { gain, stdError: Math.sqrt(Math.max(0, meanSquare - mean * mean) / n) };
}

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let i = 0; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised upper incomplete gamma Q(a, x), by series below a + 1 and a continued fraction above. */
export function gammaQ(a: number, x: number): number {
  if (x < 0 || a <= 0) throw new OutOfRangeError('gammaQ needs a > 0 and x >= 0');
  if (x === 0) return 1;
  const lnPre = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return 1 - sum * Math.exp(lnPre);
  }
  // Lentz's method for the continued fraction of Γ(a, x)
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(lnPre) * h;
}

/** P(X ≥ x) for X ~ χ² with `df` degrees of freedom. */
export function chiSquareSurvival(x: number, df: number): number {
  if (x <= 0) return 1;
  return gammaQ(df / 2, x / 2);
}

function logSumExp(values: readonly number[]): number {
  const m = Math.max(...values);
  if (m === -Infinity) return -Infinity;
  return m + Math.log(values.reduce((s, v) => s + Math.exp(v - m), 0));
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2), in log space so large n does not underflow. */
export function binomialHalfCdf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (n <= 1000) {
    // exact recurrence: C(1000, 500) ≈ 2.7e299 and 2^-1000 ≈ 9.3e-302 both fit in a double
    let term = 1;
    let sum = 1;
    for (let i = 0; i < k; i++) {
      term = (term * (n - i)) / (i + 1);
      sum += term;
    }
    return Math.min(1, sum * 2 ** -n);
  }
  const lnN = logGamma(n + 1);
  const terms: number[] = [];
  for (let i = 0; i <= k; i++) terms.push(lnN - logGamma(i + 1) - logGamma(n - i + 1) - n * Math.LN2);
  return Math.min(1, Math.exp(logSumExp(terms)));
}

/** Two-sided exact binomial p for `k` successes out of `n` at p = 1/2 (doubling the smaller tail). */
function exactTwoSidedHalf(k: number, n: number): number {
  if (n === 0) return 1;
  return Math.min(1, 2 * binomialHalfCdf(Math.min(k, n - k), n));
}

// ---------------------------------------------------------------- McNemar

export type McNemarMethod = 'exact-binomial' | 'chi-square-continuity-corrected';

export interface McNemarResult {
  /** Questions where A was right and B wrong. */
  b: number;
  /** Questions where A was wrong and B right. */
  c: number;
  method: McNemarMethod;
  /** χ² statistic for the chi-square method; the smaller discordant count for the exact one. */
  statistic: number;
  p: number;
}

/**
 * Below this many discordant pairs the χ² approximation is poor, so the exact binomial
 * test is used (the usual rule of thumb is b + c < 25).
 */
export const MCNEMAR_EXACT_BELOW = 25;

/** McNemar's test from the two discordant counts. */
export function mcnemarFromCounts(b: number, c: number, exactBelow = MCNEMAR_EXACT_BELOW): McNemarResult {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) {
    throw new OutOfRangeError(`discordant counts must be non-negative integers, got b=${b}, c=${c}`);
  }
  const n = b + c;
  if (n < exactBelow) {
    return { b, c, method: 'exact-binomial', statistic: Math.min(b, c), p: exactTwoSidedHalf(b, n) };
  }
  const chi = (Math.abs(b - c) - 1) ** 2 / n;
  return { b, c, method: 'chi-square-continuity-corrected', statistic: chi, p: chiSquareSurvival(chi, 1) };
}

/** McNemar's test on per-question correctness of two systems over the same questions. */
export function mcnemar(a: readonly boolean[], bCorrect: readonly boolean[], exactBelow?: number): McNemarResult {
  if (a.length !== bCorrect.length) throw new OutOfRangeError('paired samples differ in length');
  let b = 0;
  let c = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && !bCorrect[i]) b++;
    else if (!a[i] && bCorrect[i]) c++;
  }
  return mcnemarFromCounts(b, c, exactBelow);
}

// ---------------------------------------------------------------- sign and permutation tests

export interface SignTestResult {
  positive: number;
  negative: number;
  /** Pairs with no difference, which the sign test drops. */
  ties: number;
  p: number;
}

/** Exact two-sided sign test on paired scores (differences b − a). */
export function signTest(a: readonly number[], b: readonly number[]): SignTestResult {
  if (a.length !== b.length) throw new OutOfRangeError('paired samples differ in length');
  let positive = 0;
  let negative = 0;
  for (let i = 0; i < a.length; i++) {
    const d = b[i] - a[i];
    if (d > 0) positive++;
    else if (d < 0) negative++;
  }
  return { positive, negative, ties: a.length - positive - negative, p: exactTwoSidedHalf(positive, positive + negative) };
}

export interface PermutationTestResult {
  /** Mean of the differences b − a. */
  meanDifference: number;
  p: number;
  method: 'exact' | 'monte-carlo';
  /** Sign assignments evaluated. */
  rounds: number;
}

export interface PermutationTestOptions {
  /** Enumerate all 2^k sign flips when at most this many differences are non-zero (capped at 24). */
  exactUpTo?: number;
  /** Random sign assignments otherwise. */
  rounds?: number;
  seed?: number;
}

/** Mulberry32: a small seeded PRNG so Monte-Carlo p-values are reproducible. */
function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Paired permutation test: under H0 each per-question difference is equally likely to have
 * either sign, so the p-value is the share of sign assignments whose |sum| reaches the
 * observed one. Exact for few non-zero differences; otherwise Monte Carlo with the
 * (count + 1) / (rounds + 1) estimate, which never returns 0.
 */
export function pairedPermutationTest(
  a: readonly number[],
  b: readonly number[],
  options: PermutationTestOptions = {},
): PermutationTestResult {
  if (a.length !== b.length) throw new OutOfRangeError('paired samples differ in length');
  const { exactUpTo = 20, rounds = 20000, seed = 1 } = options;
  const all = a.map((x, i) => b[i] - x);
  if (all.some((d) => !Number.isFinite(d))) throw new OutOfRangeError('paired scores must be finite');
  const diffs = all.filter((d) => d !== 0);
  const meanDifference = all.length === 0 ? 0 : all.reduce((s, d) => s + d, 0) / all.length;
  const observed = Math.abs(diffs.reduce((s, d) => s + d, 0));
  // a relative tolerance so float sums equal to the observed one count as "as extreme"
  const reaches = (sum: number): boolean => Math.abs(sum) >= observed - 1e-9 * (1 + observed);
  if (diffs.length <= Math.min(exactUpTo, 24)) {
    const total = 2 ** diffs.length;
    let hits = 0;
    for (let mask = 0; mask < total; mask++) {
      let sum = 0;
      for (let i = 0; i < diffs.length; i++) sum += mask & (1 << i) ? -diffs[i] : diffs[i];
      if (reaches(sum)) hits++;
    }
    return { meanDifference, p: hits / total, method: 'exact', rounds: total };
  }
  const rand = mulberry32(seed);
  let hits = 0;
  for (let r = 0; r < rounds; r++) {
    let sum = 0;
    for (const d of diffs) sum += rand() < 0.5 ? -d : d;
    if (reaches(sum)) hits++;
  }
  return { meanDifference, p: (hits + 1) / (rounds + 1), method: 'monte-carlo', rounds };
}
