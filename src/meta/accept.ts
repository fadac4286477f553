/**
 * When a newly trained meta-learner replaces the current one (issue 18, item 4; docs/meta.md,
 * "The accept rule").
 *
 * - **Validation slice**: an answer belongs to it when the first four bytes of the SHA-256 of its
 *   id, read as an unsigned integer, are 0 modulo 5 — one answer in five, fixed by the id alone. An
 *   answer never moves between the slice and the training rows as the buffer grows, so no version
 *   is trained on an answer it is later judged on, and every version is judged on the same answers.
 * - **Score**: the training objective on the slice — per answer 2.0 × the cross-entropy of the
 *   confidence head against the true confidence + 1.5 × the route head's cross-entropy against the
 *   route target + 1.0 × the error head's against the error type (META_LOSS_WEIGHTS), averaged with
 *   the answer's weight (the weight of the verdicts behind its labels). Brier score, AUROC and the
 *   route and error-type accuracies are kept beside it, for reading; they decide nothing.
 * - **Rule**: the candidate is installed when there is no current learner, or when its slice loss is
 *   at most the current learner's on the same slice (ties keep the new: it has seen more answers).
 *   An empty slice installs a candidate only when there is no current learner; a loss that is not a
 *   finite number never installs.
 */
import { createHash } from 'node:crypto';
import { auroc } from '../loom/metrics';
import type { TrainingRow } from './feedback';
import { META_LOSS_WEIGHTS, type MetaLearnerApi } from './learner-types';

export const VALIDATION_MODULUS = 5;

export function inValidationSlice(answerId: string): boolean {
  return createHash('sha256').update(answerId).digest().readUInt32BE(0) % VALIDATION_MODULUS === 0;
}

export function splitRows(rows: readonly TrainingRow[]): { training: TrainingRow[]; validation: TrainingRow[] } {
  const training: TrainingRow[] = [];
  const validation: TrainingRow[] = [];
  for (const r of rows) (inValidationSlice(r.answerId) ? validation : training).push(r);
  return { training, validation };
}

/** A learner's figures on a set of labelled answers (null where undefined: no rows, or one class only for AUROC). */
export interface SliceScore {
  rows: number;
  /** The weighted training objective (see the module comment); the accept rule compares it. */
  loss: number | null;
  /** Weighted mean of (predicted − true confidence)². */
  brier: number | null;
  /** Confidence head against correct = true confidence ≥ 0.5, unweighted. */
  auroc: number | null;
  routeAccuracy: number | null;
  errorTypeAccuracy: number | null;
}

const EPS = 1e-7;
const clamp = (p: number) => Math.min(1 - EPS, Math.max(EPS, p));

export function scoreOnSlice(learner: Pick<MetaLearnerApi, 'predictMany'>, rows: readonly TrainingRow[]): SliceScore {
  if (rows.length === 0) return { rows: 0, loss: null, brier: null, auroc: null, routeAccuracy: null, errorTypeAccuracy: null };
  const predictions = learner.predictMany(rows.map((r) => r.signals));
  let weight = 0;
  let loss = 0;
  let brier = 0;
  let route = 0;
  let error = 0;
  rows.forEach((r, i) => {
    const p = predictions[i];
    const c = clamp(p.confidence);
    const confidenceLoss = -(r.confidence * Math.log(c) + (1 - r.confidence) * Math.log(1 - c));
    const routeLoss = -Math.log(clamp(p.routeProbabilities[r.route]));
    const errorLoss = -Math.log(clamp(p.errorProbabilities[r.errorType]));
    weight += r.weight;
    loss += r.weight * (META_LOSS_WEIGHTS.confidence * confidenceLoss + META_LOSS_WEIGHTS.route * routeLoss + META_LOSS_WEIGHTS.error * errorLoss);
    brier += r.weight * (p.confidence - r.confidence) ** 2;
    if (p.route === r.route) route += r.weight;
    if (p.errorType === r.errorType) error += r.weight;
  });
  return {
    rows: rows.length,
    loss: loss / weight,
    brier: brier / weight,
    auroc: auroc(predictions.map((p) => p.confidence), rows.map((r) => r.confidence >= 0.5)),
    routeAccuracy: route / weight,
    errorTypeAccuracy: error / weight,
  };
}

export interface AcceptDecision {
  accepted: boolean;
  reason: string;
}

/** The rule: see the module comment. `current` is null when there is no current learner to compare with. */
export function acceptRule(candidate: SliceScore, current: SliceScore | null): AcceptDecision {
  if (candidate.loss === null) {
    return current === null
      ? { accepted: true, reason: 'no validation answers yet, and no current learner' }
      : { accepted: false, reason: 'no validation answers to compare it with the current learner' };
  }
  if (!Number.isFinite(candidate.loss)) return { accepted: false, reason: `its validation loss is ${candidate.loss}` };
  if (current === null || current.loss === null) return { accepted: true, reason: `no current learner (validation loss ${candidate.loss.toFixed(4)})` };
  if (candidate.loss <= current.loss) return { accepted: true, reason: `validation loss ${candidate.loss.toFixed(4)} ≤ the current ${current.loss.toFixed(4)}` };
  return { accepted: false, reason: `validation loss ${candidate.loss.toFixed(4)} > the current ${current.loss.toFixed(4)}: worse, kept but not installed` };
}
