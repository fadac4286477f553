/**
 * The sidecar learns from proofs (issue 18, item 6; docs/meta.md, "The sidecar from proofs"): a
 * sidecar training run whose labels are the cascade's verdicts in the feedback buffer — Z3, the
 * corpus, the oracle, the user — instead of exact match against reference answers, so that a
 * sidecar can be trained on questions that have none. loom's `collectLabelled` runs the base and
 * keeps what the sidecar learns from; this module says, per question, what the verdicts say.
 */
import * as fs from 'node:fs';
import { isRefusal } from '../cascade/draft';
import { collectLabelled, type AnswerLabel, type AnswerLabeller, type CollectBaseOptions, type LabelledCollectSummary } from '../loom/collect';
import { normaliseAnswer, type QaItem } from '../loom/judge';
import type { JsonValue } from '../loom/manifest';
import { FeedbackModelMismatchError, FeedbackNotFoundError, MetaError } from './errors';
import { FeedbackBuffer, type Outcome, type RegisteredAnswer } from './feedback';
import { OUTCOME_SOURCES, trueConfidenceOf, type OutcomeSource } from './labels';

/** At or above this true confidence the base's answer is labelled right. */
export const PROOF_LABEL_THRESHOLD = 0.5;

/** The label rule, as the run's manifest records it. */
export const PROOF_LABEL_RULE =
  "a question is labelled by the outcomes of the buffer's answers to it that this base drafted and whose draft is the base's answer at collect (normalised; a refusal matches an empty draft): right if their true confidence (weighted share of 'correct') is at least 0.5, wrong below; no outcome: skipped";

/** Why a question of the buffer is left out of the run. */
export const PROOF_SKIP_REASONS = {
  /** The answers of this base to it carry no outcome: nothing decided their claims. */
  noVerdict: 'no decided verdict',
  /** This base's drafts recorded in the buffer differ from its answer at collect (another prompt, a sidecar's refusal, another length). */
  otherAnswer: 'verdicts about another answer',
  /** Only another base model (or answers that recorded none) answered it. */
  otherModel: 'answered by another model',
} as const;

export interface CollectFromFeedbackOptions extends CollectBaseOptions {
  /** The feedback buffer's file (feedback.db beside a VKS). */
  feedback: string;
}

export interface FeedbackCollectSummary extends LabelledCollectSummary {
  /** The outcomes behind the labels kept, per source. */
  sources: Record<OutcomeSource, number>;
}

/** What the buffer says about one question: its answers and their outcomes. */
interface QuestionEvidence {
  answers: { answer: RegisteredAnswer; outcomes: Outcome[] }[];
}

/** Reads the buffer whole (it is closed before the base loads): every answer with its outcomes, per question. */
function readBuffer(file: string): { questions: Map<string, QuestionEvidence>; answers: RegisteredAnswer[] } {
  if (!fs.existsSync(file)) throw new FeedbackNotFoundError(file);
  const buffer = FeedbackBuffer.open(file, { readonly: true });
  try {
    const answers = buffer.registered();
    const questions = new Map<string, QuestionEvidence>();
    for (const answer of answers) {
      const evidence = questions.get(answer.question) ?? { answers: [] };
      evidence.answers.push({ answer, outcomes: buffer.outcomes(answer.answerId) });
      questions.set(answer.question, evidence);
    }
    return { questions, answers };
  } finally {
    buffer.close();
  }
}

/** Does a draft the buffer recorded say what the base answered at collect? */
export function sameAnswer(draft: string, answer: string): boolean {
  const d = normaliseAnswer(draft);
  if (d.length > 0) return d === normaliseAnswer(answer);
  // the cascade records a refusal as an empty draft
  return draft.trim() === '' && isRefusal(answer);
}

/**
 * The label of the base's answer from the verdicts about it (PROOF_LABEL_RULE), or why there is
 * none. `fingerprint`: the base; only its answers count.
 */
export function proofLabel(evidence: QuestionEvidence | undefined, answer: string, fingerprint: string): AnswerLabel & { outcomes?: Outcome[] } {
  const mine = (evidence?.answers ?? []).filter((a) => a.answer.model === fingerprint);
  if (mine.length === 0) return { skip: PROOF_SKIP_REASONS.otherModel };
  const same = mine.filter((a) => sameAnswer(a.answer.draft, answer));
  if (same.length === 0) return { skip: PROOF_SKIP_REASONS.otherAnswer };
  const outcomes = same.flatMap((a) => a.outcomes);
  const confidence = trueConfidenceOf(outcomes);
  if (confidence === null) return { skip: PROOF_SKIP_REASONS.noVerdict };
  return { correct: confidence >= PROOF_LABEL_THRESHOLD, outcomes };
}

/** The labeller of a run from the buffer: refuses a base none of the buffer's answers came from. */
class ProofLabeller implements AnswerLabeller {
  readonly name = 'verdicts';
  private fingerprint: string | null = null;
  private readonly sources: Record<OutcomeSource, number> = { solver: 0, oracle: 0, correction: 0, user: 0 };
  private readonly models = { base: 0, other: 0, none: 0 };

  constructor(
    private readonly file: string,
    private readonly questions: ReadonlyMap<string, QuestionEvidence>,
    private readonly answers: readonly RegisteredAnswer[],
  ) {}

  checkBase(base: { path: string; fingerprint: string }): void {
    const mine = this.answers.filter((a) => a.model === base.fingerprint).length;
    if (mine === 0) throw new FeedbackModelMismatchError(this.file, base.fingerprint, [...new Set(this.answers.map((a) => a.model))]);
    this.fingerprint = base.fingerprint;
    this.models.base = mine;
    this.models.none = this.answers.filter((a) => a.model === null).length;
    this.models.other = this.answers.length - mine - this.models.none;
  }

  label(question: QaItem, answer: string): AnswerLabel {
    if (this.fingerprint === null) throw new MetaError('the base was not checked against the feedback buffer before labelling');
    const label = proofLabel(this.questions.get(question.question), answer, this.fingerprint);
    if ('skip' in label) return label;
    for (const o of label.outcomes ?? []) this.sources[o.source]++;
    return { correct: label.correct };
  }

  sourceCounts(): Record<OutcomeSource, number> {
    return { ...this.sources };
  }

  detail(): { [key: string]: JsonValue } {
    return {
      buffer: this.file,
      rule: PROOF_LABEL_RULE,
      sources: Object.fromEntries(OUTCOME_SOURCES.map((s) => [s, this.sources[s]])),
      answers: { ofThisModel: this.models.base, ofOtherModels: this.models.other, withoutModel: this.models.none },
    };
  }
}

/**
 * `cogito collect --from-feedback`: a sidecar training run from the feedback buffer. Every question
 * the buffer holds is asked of the base as collect asks it; the run keeps those the verdicts label
 * (PROOF_LABEL_RULE) and lists the others, with the reason, in collect/skipped.jsonl; its manifest
 * records `labels: { by: 'verdicts', detail: { buffer, rule, sources, skippedBy, … } }`.
 */
export async function collectFromFeedback(options: CollectFromFeedbackOptions): Promise<FeedbackCollectSummary> {
  if (typeof options.feedback !== 'string' || options.feedback === '') throw new MetaError('collect from feedback needs the feedback buffer\'s file');
  const { questions, answers } = readBuffer(options.feedback);
  if (answers.length === 0) throw new MetaError(`${options.feedback}: the feedback buffer holds no answers: fill it with cogito ask first`);
  const labeller = new ProofLabeller(options.feedback, questions, answers);
  const items: QaItem[] = [...questions.keys()].map((question) => ({ question, answers: [] }));
  const { feedback: _file, ...base } = options;
  const summary = await collectLabelled({ ...base, questions: items, labeller });
  return { ...summary, sources: labeller.sourceCounts() };
}
