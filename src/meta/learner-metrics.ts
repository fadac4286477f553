/**
 * How well a meta-learner's heads do on labelled rows (MetaMetrics): the confidence head's AUROC
 * against "correct" (true confidence ≥ 0.5), its expected calibration error and Brier score against
 * the true confidence, and the route and error-type heads' accuracy. Every row counts once (the
 * sample weights shape the training loss, not these scores). A score with nothing to score is null.
 */
import { auroc } from '../loom/metrics';
import type { TrainingRow } from './feedback';
import type { MetaMetrics, MetaPrediction } from './learner-types';

/** Bins of the expected calibration error. */
export const ECE_BINS = 10;

/**
 * Expected calibration error over equal-width bins of the predicted confidence: the rows'
 * share-weighted gap between each bin's mean prediction and its mean true confidence.
 */
export function expectedCalibrationError(predicted: readonly number[], observed: readonly number[], bins = ECE_BINS): number | null {
  if (predicted.length === 0) return null;
  const count = new Array<number>(bins).fill(0);
  const sumPredicted = new Array<number>(bins).fill(0);
  const sumObserved = new Array<number>(bins).fill(0);
  predicted.forEach((p, i) => {
    const b = Math.min(bins - 1, Math.floor(p * bins));
    count[b]++;
    sumPredicted[b] += p;
    sumObserved[b] += observed[i];
  });
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b] > 0) ece += (count[b] / predicted.length) * Math.abs(sumPredicted[b] / count[b] - sumObserved[b] / count[b]);
  }
  return ece;
}

/** Mean squared gap between predicted and true confidence. */
export function brierScore(predicted: readonly number[], observed: readonly number[]): number | null {
  if (predicted.length === 0) return null;
  return predicted.reduce((s, p, i) => s + (p - observed[i]) ** 2, 0) / predicted.length;
}

/** The scores of `predictions` on `rows` (same order); losses come from training. */
export function scoreMetaPredictions(
  predictions: readonly MetaPrediction[],
  rows: readonly TrainingRow[],
  losses: { rows: number; trainLoss: number; validationLoss: number | null },
): MetaMetrics {
  const n = rows.length;
  const confidence = predictions.map((p) => p.confidence);
  const target = rows.map((r) => r.confidence);
  const share = (hit: (i: number) => boolean): number | null => (n === 0 ? null : rows.filter((_, i) => hit(i)).length / n);
  return {
    rows: losses.rows,
    validationRows: n,
    trainLoss: losses.trainLoss,
    validationLoss: losses.validationLoss,
    auroc: n === 0 ? null : auroc(confidence, target.map((t) => t >= 0.5)),
    ece: expectedCalibrationError(confidence, target),
    brier: brierScore(confidence, target),
    routeAccuracy: share((i) => predictions[i].route === rows[i].route),
    errorTypeAccuracy: share((i) => predictions[i].errorType === rows[i].errorType),
  };
}
