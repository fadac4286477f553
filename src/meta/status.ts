/** What the feedback buffer holds, summed up for `cogito meta status`. */
import type { FeedbackBuffer } from './feedback';
import { routeTarget, type OutcomeSource, type Route } from './labels';

export interface FeedbackStatus {
  path: string;
  /** Answers registered by `ask` (labelled or not). */
  answers: number;
  /** Answers with at least one labelled outcome. */
  labelledAnswers: number;
  outcomes: number;
  bySource: Record<OutcomeSource, number>;
  /** Labelled answers per true-confidence bin: [0, 0.2), [0.2, 0.4), [0.4, 0.6), [0.6, 0.8), [0.8, 1]. */
  trueConfidence: { bins: number[]; mean: number | null };
  /** Labelled answers per route target (labels.ts routeTarget). */
  routes: Record<Route, number>;
}

export const CONFIDENCE_BINS = 5;

export function feedbackStatus(buffer: FeedbackBuffer): FeedbackStatus {
  const confidences = buffer.trueConfidences();
  const bins = new Array<number>(CONFIDENCE_BINS).fill(0);
  const routes: Record<Route, number> = { SELF: 0, HYBRID: 0, ORACLE: 0 };
  let sum = 0;
  for (const { confidence } of confidences) {
    bins[Math.min(CONFIDENCE_BINS - 1, Math.floor(confidence * CONFIDENCE_BINS))]++;
    routes[routeTarget(confidence)]++;
    sum += confidence;
  }
  return {
    path: buffer.path,
    answers: buffer.registeredAnswers(),
    labelledAnswers: confidences.length,
    outcomes: buffer.count(),
    bySource: buffer.countsBySource(),
    trueConfidence: { bins, mean: confidences.length ? sum / confidences.length : null },
    routes,
  };
}
