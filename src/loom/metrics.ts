/**
 * Selective-prediction metrics over per-question records of base + sidecar.
 *
 * Every metric is scored against `pass1Correct` (whether the frozen base's own answer was
 * right), never by reading the refusal text: a refusal is good exactly when the base would
 * have been wrong. A metric with an empty denominator is `null`, not 0 or NaN, so a report
 * never claims a precision it did not measure.
 */
import { accuracyGain, proportionScore, wilsonLowerBound, type SelectiveCells } from './stats';
import { OutOfRangeError } from '../util/errors';

export interface QuestionRecord {
  /** The base model's greedy answer (pass 1) was judged correct. */
  pass1Correct: boolean;
  /** The sidecar-equipped model refused to answer. */
  refused: boolean;
  /** The sidecar's confidence that the base is right, higher = more sure; any real scale. */
  confidence: number;
  /**
   * Correctness of the answer actually given when not refused, if pass 2 can differ from
   * pass 1. Defaults to `pass1Correct`.
   */
  answerCorrect?: boolean;
}

export interface SelectiveMetrics {
  n: number;
  base_accuracy: number | null;
  /** Accuracy on the questions the sidecar model answered. */
  selective_accuracy: number | null;
  refusal_rate: number | null;
  /** Share of refusals where the base was wrong. */
  refusal_precision: number | null;
  /** Share of refusals where the base was right (1 − refusal_precision). */
  over_refusal: number | null;
  /** Share of the questions the base knew that were refused anyway (a recall-side view of over-refusal). */
  known_refusal_rate: number | null;
  /** Share of the questions the base got wrong that were refused. */
  refusal_recall: number | null;
  coverage: number | null;
  /** AUROC of `confidence` as a score for `pass1Correct`; null when only one class is present. */
  auroc: number | null;
  /** Area under the risk–coverage curve (lower is better). */
  aurc: number | null;
}

export interface RiskCoveragePoint {
  /** Threshold: the questions with confidence ≥ this are answered. */
  threshold: number;
  coverage: number;
  /** Error rate of the base on the answered questions. */
  risk: number;
  answered: number;
}

const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);

function checkRecords(records: readonly QuestionRecord[]): void {
  records.forEach((r, i) => {
    if (!Number.isFinite(r.confidence)) {
      throw new OutOfRangeError(`record ${i}: confidence must be a finite number, got ${r.confidence}`);
    }
  });
}

/**
 * AUROC = P(score of a random positive > score of a random negative) with ties counted as
 * one half: the Mann–Whitney U statistic over average ranks.
 */
export function auroc(scores: readonly number[], labels: readonly boolean[]): number | null {
  if (scores.length !== labels.length) throw new OutOfRangeError('scores and labels differ in length');
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const ranks = new Array<number>(scores.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const avg = (i + j) / 2 + 1; // 1-based average rank of the tie group
    for (let k = i; k <= j; k++) ranks[idx[k]] = avg;
    i = j + 1;
  }
  let nPos = 0;
  let rankSumPos = 0;
  labels.forEach((l, i) => {
    if (l) {
      nPos++;
      rankSumPos += ranks[i];
    }
  });
  const nNeg = labels.length - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Risk–coverage curve: answer the most confident questions first. Tied confidences enter
 * together (a threshold cannot split them), so there is one point per distinct confidence,
 * from the highest to full coverage.
 */
export function riskCoverageCurve(records: readonly QuestionRecord[]): RiskCoveragePoint[] {
  checkRecords(records);
  const sorted = [...records].sort((a, b) => b.confidence - a.confidence);
  const points: RiskCoveragePoint[] = [];
  let errors = 0;
  for (let i = 0; i < sorted.length; ) {
    const t = sorted[i].confidence;
    while (i < sorted.length && sorted[i].confidence === t) {
      if (!sorted[i].pass1Correct) errors++;
      i++;
    }
    points.push({ threshold: t, coverage: i / sorted.length, risk: errors / i, answered: i });
  }
  return points;
}

/** Area under the risk–coverage curve by the trapezoid rule, from coverage 0 (at the first point's risk). */
export function areaUnderRiskCoverage(points: readonly RiskCoveragePoint[]): number | null {
  if (points.length === 0) return null;
  let area = points[0].coverage * points[0].risk;
  for (let i = 1; i < points.length; i++) {
    area += ((points[i].coverage - points[i - 1].coverage) * (points[i].risk + points[i - 1].risk)) / 2;
  }
  return area;
}

export function selectiveMetrics(records: readonly QuestionRecord[]): SelectiveMetrics {
  checkRecords(records);
  const n = records.length;
  let baseCorrect = 0;
  let refused = 0;
  let refusedWrong = 0;
  let refusedKnown = 0;
  let answeredCorrect = 0;
  for (const r of records) {
    if (r.pass1Correct) baseCorrect++;
    if (r.refused) {
      refused++;
      if (r.pass1Correct) refusedKnown++;
      else refusedWrong++;
    } else if (r.answerCorrect ?? r.pass1Correct) {
      answeredCorrect++;
    }
  }
  const answered = n - refused;
  return {
    n,
    base_accuracy: ratio(baseCorrect, n),
    selective_accuracy: ratio(answeredCorrect, answered),
    refusal_rate: ratio(refused, n),
    refusal_precision: ratio(refusedWrong, refused),
    over_refusal: ratio(refusedKnown, refused),
    known_refusal_rate: ratio(refusedKnown, baseCorrect),
    refusal_recall: ratio(refusedWrong, n - baseCorrect),
    coverage: ratio(answered, n),
    auroc: auroc(
      records.map((r) => r.confidence),
      records.map((r) => r.pass1Correct),
    ),
    aurc: areaUnderRiskCoverage(riskCoverageCurve(records)),
  };
}

export interface ThresholdChoice {
  /** Refuse below this confidence. */
  threshold: number;
  /** Which rule chose it (see `chooseThreshold`). */
  rule: 'precision' | 'both';
  /** On the questions it was chosen on: share refused, their precision, accuracy of the rest. */
  refusalRate: number;
  refusalPrecision: number | null;
  selectiveAccuracy: number | null;
  /** Selective accuracy minus the base's accuracy on the same questions. */
  accuracyGain: number | null;
  /** The one-sided lower confidence bound of the refusal precision at the level asked for (Wilson). */
  refusalPrecisionBound: number | null;
  /**
   * How many standard errors each observed figure lies above its target: the refusal precision by
   * Wilson's score statistic, the accuracy gain by the delta method (null without a gain target).
   */
  precisionMargin: number | null;
  gainMargin: number | null;
  /** False when no threshold reached the precision asked for (the fallback was used). */
  metPrecision: boolean;
  /** With a gain target: whether the observed gain reached it (null without one). */
  metGain: boolean | null;
}

export interface ThresholdTargets {
  /** The share of refusals that must be wrong answers of the base. */
  precision: number;
  /** The precision must hold at its one-sided lower confidence bound of this level (default 0: as observed). */
  level?: number;
  /** Also aim for selective accuracy this far above the base's (a share: 0.25 is 25 points). */
  accuracyGain?: number;
  /** The threshold when no cut reaches the precision (default 0.5). */
  fallback?: number;
}

/**
 * The decision threshold for a confidence P(correct), among the cuts between distinct confidences.
 *
 * Rule 'precision': the cut with the best accuracy on the answered questions whose refusals are at
 * least `precision` wrong answers of the base (ties: the fewer refusals). With `level` > 0 the
 * precision must hold at its one-sided lower confidence bound of that level: the cut with the best
 * accuracy among many is the one whose observed precision is most likely luck, so the observed
 * share alone overstates the precision on new questions (the bound, as in selective
 * classification with guaranteed risk). With no such cut, `fallback` (0.5: refuse when the base is
 * more likely wrong than right).
 *
 * Rule 'both', with an `accuracyGain` target: the two targets pull apart (more refusals raise the
 * gain and, past some point, lower the precision), and bounding the precision alone stops where
 * the gain is least sure. So the cut is the one whose weaker target has the largest margin in
 * standard errors — the one most likely to meet both on new questions. When no cut meets both
 * as observed, the precision comes first: rule 'precision'.
 */
export function chooseThreshold(confidences: readonly number[], correct: readonly boolean[], targets: ThresholdTargets): ThresholdChoice {
  if (confidences.length !== correct.length) throw new OutOfRangeError('chooseThreshold: one confidence per question');
  const level = targets.level ?? 0;
  if (!(level >= 0 && level < 1)) throw new OutOfRangeError(`chooseThreshold: level must be in [0, 1), got ${level}`);
  const at = (threshold: number, rule: ThresholdChoice['rule'], metPrecision: boolean): ThresholdChoice => {
    const cells: SelectiveCells = { answeredRight: 0, answeredWrong: 0, refusedRight: 0, refusedWrong: 0 };
    confidences.forEach((c, i) => {
      if (c < threshold) {
        if (correct[i]) cells.refusedRight++;
        else cells.refusedWrong++;
      } else if (correct[i]) cells.answeredRight++;
      else cells.answeredWrong++;
    });
    const refused = cells.refusedRight + cells.refusedWrong;
    const answered = confidences.length - refused;
    const precision = refused ? cells.refusedWrong / refused : null;
    const gain = answered ? accuracyGain(cells) : null;
    const score = refused && targets.precision > 0 && targets.precision < 1 ? proportionScore(cells.refusedWrong, refused, targets.precision) : null;
    const gainMargin = gain && targets.accuracyGain !== undefined ? marginOf(gain.gain - targets.accuracyGain, gain.stdError) : null;
    return {
      threshold,
      rule,
      refusalRate: confidences.length ? refused / confidences.length : 0,
      refusalPrecision: precision,
      selectiveAccuracy: answered ? cells.answeredRight / answered : null,
      accuracyGain: gain?.gain ?? null,
      refusalPrecisionBound: refused ? (level > 0 ? wilsonLowerBound(cells.refusedWrong, refused, level) : precision) : null,
      precisionMargin: score,
      gainMargin,
      metPrecision,
      metGain: targets.accuracyGain === undefined ? null : gain !== null && gain.gain >= targets.accuracyGain - 1e-12,
    };
  };
  const sorted = [...new Set(confidences)].sort((a, b) => a - b);
  const cuts = sorted.slice(1).map((c, k) => (sorted[k] + c) / 2);
  if (targets.accuracyGain !== undefined) {
    let best: ThresholdChoice | null = null;
    let bestMargin = -Infinity;
    for (const t of cuts) {
      const c = at(t, 'both', true);
      if (c.refusalPrecision === null || c.gainMargin === null) continue;
      // a precision target of 0 or 1 has no score: met or not
      const precisionMargin = c.precisionMargin ?? marginOf(c.refusalPrecision - targets.precision, 0);
      const margin = Math.min(precisionMargin, c.gainMargin);
      if (margin > bestMargin) {
        best = c;
        bestMargin = margin;
      }
    }
    // a margin ≥ 0 is both targets met as observed
    if (best && bestMargin >= 0) return best;
  }
  let best: ThresholdChoice | null = null;
  for (const t of cuts) {
    const c = at(t, 'precision', true);
    if ((c.refusalPrecisionBound ?? 0) < targets.precision || c.selectiveAccuracy === null) continue;
    if (!best || c.selectiveAccuracy > best.selectiveAccuracy! || (c.selectiveAccuracy === best.selectiveAccuracy && c.refusalRate < best.refusalRate)) best = c;
  }
  return best ?? at(targets.fallback ?? 0.5, 'precision', false);
}

/** A difference from a target in standard errors; with no spread, the sign alone (±∞). */
function marginOf(difference: number, stdError: number): number {
  if (stdError > 0) return difference / stdError;
  return difference >= -1e-12 ? Infinity : -Infinity;
}
