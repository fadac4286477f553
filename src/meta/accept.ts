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
 *   the answer's weight (the weight of the verdicts behind its labels): the learner's own loss
 *   (docs/meta.md, "Loss"), computed from its predictions. AUROC, ECE, Brier score and the route and
 *   error-type accuracies (./learner-metrics.ts) are kept beside it, for reading; they decide nothing.
 * - **Rule**: the candidate is installed when there is no current learner, or when its slice loss is
 *   at most the current learner's on the same slice (ties keep the new: it has seen more answers).
 *   An empty slice installs a candidate only when there is no current learner; a loss that is not a
 *   finite number never installs.
 */
import { createHash } from 'node:crypto';
import type { TrainingRow } from './feedback';
import { scoreMetaPredictions } from './learner-metrics';
import { META_LOSS_WEIGHTS, type MetaLearnerApi, type MetaMetrics } from './learner-types';

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
export interface SliceScore extends Pick<MetaMetrics, 'auroc' | 'ece' | 'brier' | 'routeAccuracy' | 'errorTypeAccuracy'> {
  rows: number;
  /** The weighted training objective (see the module comment); the accept rule compares it. */
  loss: number | null;
}

const EPS = 1e-7;

export function scoreOnSlice(learner: Pick<MetaLearnerApi, 'predictMany'>, rows: readonly TrainingRow[]): SliceScore {
  const predictions = learner.predictMany(rows.map((r) => r.signals));
  let weight = 0;
  let loss = 0;
  rows.forEach((r, i) => {
    const p = predictions[i];
    const c = Math.min(1 - EPS, Math.max(EPS, p.confidence));
    const confidenceLoss = -(r.confidence * Math.log(c) + (1 - r.confidence) * Math.log(1 - c));
    const routeLoss = -Math.log(p.routeProbabilities[r.route] + EPS);
    const errorLoss = -Math.log(p.errorProbabilities[r.errorType] + EPS);
    weight += r.weight;
    loss += r.weight * (META_LOSS_WEIGHTS.confidence * confidenceLoss + META_LOSS_WEIGHTS.route * routeLoss + META_LOSS_WEIGHTS.error * errorLoss);
  });
  const m = scoreMetaPredictions(predictions, rows, { rows: rows.length, trainLoss: 0, validationLoss: null });
  return { rows: rows.length, loss: weight > 0 ? loss / weight : null, auroc: m.auroc, ece: m.ece, brier: m.brier, routeAccuracy: m.routeAccuracy, errorTypeAccuracy: m.errorTypeAccuracy };
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
