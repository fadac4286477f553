/**
 * The rules that turn verdicts into labels (issue 18, item 3; docs/meta.md): how much each source
 * of a verdict weighs, the "true confidence" of an answer from its weighted verdicts, the route
 * that confidence asks for, and the error type of what failed.
 */
import type { OracleErrorType } from '../cascade/types';
import { MetaError } from './errors';

export const OUTCOME_SOURCES = ['solver', 'oracle', 'correction', 'user'] as const;
export type OutcomeSource = (typeof OUTCOME_SOURCES)[number];

export const VERDICTS = ['correct', 'incorrect'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** The five error classes the meta-learner's third head predicts; 'none' for a right answer. */
export const ERROR_TYPES = ['factual', 'logical', 'unresolved-reference', 'out-of-scope', 'none'] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

export const ROUTES = ['SELF', 'HYBRID', 'ORACLE'] as const;
export type Route = (typeof ROUTES)[number];

/** How much one verdict weighs, by who gave it: a proof outweighs a stronger model, which outweighs a person's click. */
export const SOURCE_WEIGHTS: Readonly<Record<OutcomeSource, number>> = Object.freeze({ solver: 3.0, oracle: 2.0, correction: 1.5, user: 0.5 });

/** A user's rejection weighs less than their acceptance: people reject right answers they did not expect. */
export const USER_REJECTION_WEIGHT = 0.3;

/** At or above: the model may answer alone. */
export const SELF_THRESHOLD = 0.85;
/** Below: the question goes to the oracle. */
export const ORACLE_THRESHOLD = 0.4;

export function isOutcomeSource(v: unknown): v is OutcomeSource {
  return typeof v === 'string' && (OUTCOME_SOURCES as readonly string[]).includes(v);
}
export function isVerdict(v: unknown): v is Verdict {
  return typeof v === 'string' && (VERDICTS as readonly string[]).includes(v);
}
export function isErrorType(v: unknown): v is ErrorType {
  return typeof v === 'string' && (ERROR_TYPES as readonly string[]).includes(v);
}

/** The weight of one verdict: its source's, or USER_REJECTION_WEIGHT for a user rejecting. */
export function outcomeWeight(source: OutcomeSource, verdict: Verdict): number {
  if (!isOutcomeSource(source)) throw new MetaError(`unknown outcome source ${String(source)} (one of ${OUTCOME_SOURCES.join(', ')})`);
  if (!isVerdict(verdict)) throw new MetaError(`unknown verdict ${String(verdict)} (one of ${VERDICTS.join(', ')})`);
  return source === 'user' && verdict === 'incorrect' ? USER_REJECTION_WEIGHT : SOURCE_WEIGHTS[source];
}

/** The true confidence of an answer: the weighted share of its verdicts that say 'correct'; null with none. */
export function trueConfidenceOf(outcomes: readonly { verdict: Verdict; weight: number }[]): number | null {
  let total = 0;
  let correct = 0;
  for (const o of outcomes) {
    total += o.weight;
    if (o.verdict === 'correct') correct += o.weight;
  }
  return total > 0 ? correct / total : null;
}

/** The route a true confidence asks for: ≥ 0.85 SELF, < 0.4 ORACLE, HYBRID between. */
export function routeTarget(confidence: number): Route {
  if (!(confidence >= 0 && confidence <= 1)) throw new MetaError(`a confidence must be in [0, 1], not ${confidence}`);
  return confidence >= SELF_THRESHOLD ? 'SELF' : confidence < ORACLE_THRESHOLD ? 'ORACLE' : 'HYBRID';
}

/**
 * The error class of what failed, in the cascade's words (OracleErrorType): a wrong fact is
 * factual, an unsupported inference logical, an unresolved reference itself; a refusal or a claim
 * nothing could verify is out of scope (nothing the model or its checks hold covers it).
 */
export function errorTypeFromFailure(failure: OracleErrorType): Exclude<ErrorType, 'none'> {
  switch (failure) {
    case 'wrong-fact':
      return 'factual';
    case 'unsupported-inference':
      return 'logical';
    case 'unresolved-reference':
      return 'unresolved-reference';
    case 'refusal':
    case 'unverified':
      return 'out-of-scope';
    default:
      throw new MetaError(`unknown failure ${String(failure)}`);
  }
}

/**
 * The error class of an answer from its verdicts: 'none' unless the weighted majority says
 * incorrect (true confidence < 0.5); then the class with the most weight among the incorrect
 * verdicts, the earliest recorded among equals.
 */
export function answerErrorType(outcomes: readonly { verdict: Verdict; weight: number; errorType: ErrorType }[]): ErrorType {
  const confidence = trueConfidenceOf(outcomes);
  if (confidence === null || confidence >= 0.5) return 'none';
  const byType = new Map<ErrorType, number>();
  for (const o of outcomes) if (o.verdict === 'incorrect') byType.set(o.errorType, (byType.get(o.errorType) ?? 0) + o.weight);
  let best: ErrorType = 'none';
  let bestWeight = -1;
  for (const [type, weight] of byType) {
    if (weight > bestWeight) {
      best = type;
      bestWeight = weight;
    }
  }
  return best;
}
