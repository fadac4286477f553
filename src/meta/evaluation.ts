/**
 * How a confidence score, a router and an error classifier are measured (issue 18, "Measured against
 * what people use"): the figures bench/meta.js reports for the meta-learner and every baseline. Each
 * function states its definition and where it comes from; a figure with nothing to measure (one
 * class only, an empty set) is null, never 0 or NaN.
 *
 * Scores are confidences: higher means "more likely right" (an uncertainty u is scored as −u).
 */
import { areaUnderRiskCoverage, auroc as aurocOf, riskCoverageCurve } from '../loom/metrics';
import { MetaError } from './errors';
import { ERROR_TYPES, type ErrorType } from './labels';
import { ECE_BINS, expectedCalibrationError } from './learner-metrics';

function checkPaired(a: readonly unknown[], b: readonly unknown[], what: string): void {
  if (a.length !== b.length) throw new MetaError(`${what}: ${a.length} scores for ${b.length} labels`);
}

function checkFinite(scores: readonly number[], what: string): void {
  scores.forEach((s, i) => {
    if (!Number.isFinite(s)) throw new MetaError(`${what}: score ${i} is not finite (${s})`);
  });
}

function checkQuality(quality: readonly number[], what: string): void {
  quality.forEach((q, i) => {
    if (!(q >= 0 && q <= 1)) throw new MetaError(`${what}: quality ${i} must be in [0, 1] (${q})`);
  });
}

/**
 * AUROC: the probability that a random right answer scores above a random wrong one, ties counted
 * one half (Mann–Whitney U; src/loom/metrics.ts `auroc`). Null with one class only.
 */
export function auroc(scores: readonly number[], correct: readonly boolean[]): number | null {
  checkPaired(scores, correct, 'auroc');
  checkFinite(scores, 'auroc');
  return aurocOf(scores, correct);
}

/**
 * AURC: area under the risk–coverage curve (Geifman & El-Yaniv 2017; Ding et al. 2020), lower is
 * better. The most confident answers are kept first, tied scores enter together; risk = share of
 * wrong answers among those kept; trapezoid rule from coverage 0 (src/loom/metrics.ts
 * `riskCoverageCurve` + `areaUnderRiskCoverage`). Null for no answers.
 */
export function aurc(scores: readonly number[], correct: readonly boolean[]): number | null {
  checkPaired(scores, correct, 'aurc');
  checkFinite(scores, 'aurc');
  return areaUnderRiskCoverage(riskCoverageCurve(scores.map((confidence, i) => ({ confidence, pass1Correct: correct[i], refused: false }))));
}

/**
 * Mean quality of the kept answers at each rejection level k/n (k = 0 … n−1): the n−k most
 * confident kept, averaged over the levels — LM-Polygraph's PredictionRejectionArea with
 * max_rejection 1 (lm_polygraph/ue_metrics/pred_rej_area.py). Answers with equal scores are taken
 * in every order with equal chance: each counts at its tie group's mean quality (LM-Polygraph's
 * argsort breaks ties arbitrarily instead).
 */
export function predictionRejectionArea(scores: readonly number[], quality: readonly number[]): number | null {
  checkPaired(scores, quality, 'predictionRejectionArea');
  checkFinite(scores, 'predictionRejectionArea');
  checkQuality(quality, 'predictionRejectionArea');
  const n = scores.length;
  if (n === 0) return null;
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const expected = new Array<number>(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    let sum = 0;
    for (let k = i; k <= j; k++) sum += quality[order[k]];
    for (let k = i; k <= j; k++) expected[k] = sum / (j - i + 1);
    i = j + 1;
  }
  let cumulative = 0;
  let area = 0;
  for (let kept = 1; kept <= n; kept++) {
    cumulative += expected[kept - 1];
    area += cumulative / kept;
  }
  return area / n;
}

/**
 * PRR, the prediction–rejection ratio as LM-Polygraph computes it (Malinin et al. 2017; Vashurin et
 * al. 2024): (A_score − A_random) / (A_oracle − A_random) over predictionRejectionArea, where the
 * oracle keeps the best answers first and the random score keeps them in random order — whose
 * area is exactly the mean quality (LM-Polygraph estimates it from 1 000 random orders). Written on
 * the rejection curve of error instead, it is (AUC_random − AUC_score) / (AUC_random − AUC_oracle).
 * 1 is a perfect ranking, 0 no better than chance. Null when every answer has the same quality.
 */
export function predictionRejectionRatio(scores: readonly number[], quality: readonly number[]): number | null {
  const area = predictionRejectionArea(scores, quality);
  if (area === null) return null;
  const random = quality.reduce((s, q) => s + q, 0) / quality.length;
  // the oracle's ranking: quality itself as the score
  const oracle = predictionRejectionArea(quality, quality) as number;
  if (oracle - random <= 1e-12) return null;
  return (area - random) / (oracle - random);
}

/**
 * ECE, expected calibration error (Naeini et al. 2015; Guo et al. 2017): over 10 equal-width bins of
 * the predicted probability, Σ_b (n_b / n) · |accuracy_b − mean probability_b|. Only for scores that
 * are probabilities; bin b holds [b/10, (b+1)/10), the last one 1 too (the learner's own
 * `expectedCalibrationError`, src/meta/learner-metrics.ts, against 0/1 outcomes). Null for no answers.
 */
export function ece(probabilities: readonly number[], correct: readonly boolean[], bins = ECE_BINS): number | null {
  checkPaired(probabilities, correct, 'ece');
  if (!Number.isInteger(bins) || bins < 1) throw new MetaError(`bins must be an integer >= 1, not ${bins}`);
  probabilities.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) throw new MetaError(`ece: probability ${i} must be in [0, 1] (${p})`);
  });
  return expectedCalibrationError(
    probabilities,
    correct.map((c) => (c ? 1 : 0)),
    bins,
  );
}

export interface RoutingPoint {
  /** Questions whose score is below this go to the oracle (−∞ at share 0: none). */
  threshold: number;
  /** Share of the questions sent to the oracle. */
  share: number;
  /** Mean quality: the oracle's answer for those sent, the model's own for the rest. */
  quality: number;
}

/**
 * The routing curve: quality against the share of questions sent to the oracle, as the threshold
 * rises from below every score (nothing sent) to above every score (everything sent). The least
 * confident go first; tied scores go together, so there is one point per distinct score after the
 * first. Between two points the curve is a straight line: it is what a threshold that sends a random
 * part of a tie group gets on average.
 */
export function routingCurve(scores: readonly number[], qualitySelf: readonly number[], qualityOracle: readonly number[]): RoutingPoint[] {
  checkPaired(scores, qualitySelf, 'routingCurve');
  checkPaired(scores, qualityOracle, 'routingCurve');
  checkFinite(scores, 'routingCurve');
  checkQuality(qualitySelf, 'routingCurve');
  checkQuality(qualityOracle, 'routingCurve');
  const n = scores.length;
  if (n === 0) return [];
  const order = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let total = qualitySelf.reduce((s, q) => s + q, 0);
  const points: RoutingPoint[] = [{ threshold: -Infinity, share: 0, quality: total / n }];
  for (let i = 0; i < n; ) {
    const t = scores[order[i]];
    while (i < n && scores[order[i]] === t) {
      total += qualityOracle[order[i]] - qualitySelf[order[i]];
      i++;
    }
    // the threshold just above t: every score ≤ t is sent
    points.push({ threshold: i < n ? (t + scores[order[i]]) / 2 : Infinity, share: i / n, quality: total / n });
  }
  return points;
}

/** Always-local (share 0) and always-oracle (share 1) quality of a curve. */
export function routingEnds(curve: readonly RoutingPoint[]): { self: number; oracle: number } | null {
  if (curve.length === 0) return null;
  return { self: curve[0].quality, oracle: curve[curve.length - 1].quality };
}

/**
 * APGR, RouteLLM's average performance gap recovered (Ong et al. 2024, "RouteLLM", §4): at oracle
 * share x, PGR(x) = (quality(x) − quality_self) / (quality_oracle − quality_self); APGR is the area
 * under PGR over x from 0 to 1 (trapezoid over the curve's points: exact for the curve above;
 * RouteLLM samples the share on a grid). 0.5 is a random router; above 1 is possible where the
 * model alone beats the oracle on some questions. Null when the oracle is not better than the model
 * alone (no gap to recover).
 */
export function apgr(curve: readonly RoutingPoint[]): number | null {
  const ends = routingEnds(curve);
  if (!ends) return null;
  const gap = ends.oracle - ends.self;
  if (gap <= 1e-12) return null;
  let area = 0;
  for (let i = 1; i < curve.length; i++) {
    const a = (curve[i - 1].quality - ends.self) / gap;
    const b = (curve[i].quality - ends.self) / gap;
    area += ((curve[i].share - curve[i - 1].share) * (a + b)) / 2;
  }
  return area;
}

/**
 * The smallest oracle share at which the router reaches `fraction` (default 0.95) of always-oracle
 * quality, among the curve's points (thresholds a router can set); null for an empty curve. 0 when
 * the model alone already reaches it.
 */
export function oracleShareAt(curve: readonly RoutingPoint[], fraction = 0.95): number | null {
  if (!(fraction > 0 && fraction <= 1)) throw new MetaError(`fraction must be in (0, 1], not ${fraction}`);
  const ends = routingEnds(curve);
  if (!ends) return null;
  const target = fraction * ends.oracle - 1e-12;
  return curve.find((p) => p.quality >= target)?.share ?? null;
}

export interface ErrorTypeScore {
  n: number;
  /** Share of rows whose predicted type is the actual one; null with no rows. */
  accuracy: number | null;
  /** The classes, in ERROR_TYPES order. */
  classes: readonly ErrorType[];
  /** matrix[actual][predicted]: counts, rows and columns in `classes` order. */
  matrix: number[][];
}

/** Error-type accuracy and the confusion matrix, rows the actual type (the cascade's), columns the predicted one. */
export function errorTypeScore(actual: readonly ErrorType[], predicted: readonly ErrorType[]): ErrorTypeScore {
  checkPaired(predicted, actual, 'errorTypeScore');
  const index = new Map<ErrorType, number>(ERROR_TYPES.map((t, i) => [t, i]));
  const matrix = ERROR_TYPES.map(() => ERROR_TYPES.map(() => 0));
  let right = 0;
  actual.forEach((a, i) => {
    const r = index.get(a);
    const c = index.get(predicted[i]);
    if (r === undefined || c === undefined) throw new MetaError(`unknown error type at ${i}: ${String(r === undefined ? a : predicted[i])}`);
    matrix[r][c]++;
    if (r === c) right++;
  });
  return { n: actual.length, accuracy: actual.length ? right / actual.length : null, classes: ERROR_TYPES, matrix };
}

export interface ConfidenceFigures {
  n: number;
  auroc: number | null;
  prr: number | null;
  aurc: number | null;
  /** Null when the score is not a probability. */
  ece: number | null;
}

/** AUROC, PRR, AURC and (for probabilities) ECE of one score against right/wrong. */
export function confidenceFigures(scores: readonly number[], correct: readonly boolean[], isProbability: boolean): ConfidenceFigures {
  return {
    n: scores.length,
    auroc: auroc(scores, correct),
    prr: predictionRejectionRatio(
      scores,
      correct.map((c) => (c ? 1 : 0)),
    ),
    aurc: aurc(scores, correct),
    ece: isProbability ? ece(scores, correct) : null,
  };
}

export interface RoutingFigures {
  curve: RoutingPoint[];
  qualitySelf: number | null;
  qualityOracle: number | null;
  apgr: number | null;
  oracleShareAt95: number | null;
}

/** The routing curve of a score and its figures: APGR and the oracle share for 95 % of always-oracle quality. */
export function routingFigures(scores: readonly number[], qualitySelf: readonly number[], qualityOracle: readonly number[]): RoutingFigures {
  const curve = routingCurve(scores, qualitySelf, qualityOracle);
  const ends = routingEnds(curve);
  return { curve, qualitySelf: ends?.self ?? null, qualityOracle: ends?.oracle ?? null, apgr: apgr(curve), oracleShareAt95: oracleShareAt(curve, 0.95) };
}
