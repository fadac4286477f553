/**
 * The loop's labels (issue 18, item 5): every answer `cogito ask` gives is registered in the
 * feedback buffer, each claim of the model's draft that a check decided becomes a labelled outcome
 * (docs/meta.md, "From an answer to labels"), and a user's later judgement is one more outcome of
 * the same answer.
 */
import type { AnswerTrace, AskOptions, AskResult, Cascade, ClaimReport, OracleErrorType } from '../cascade';
import { MetaError, UnknownAnswerError } from './errors';
import { NO_SIGNALS_VERSION, type FeedbackBuffer, type Outcome, type OutcomeInput } from './feedback';
import type { OutcomeSource } from './labels';
import { signalsFromGeneration, type SignalOptions, type Signals } from './signals';

/** Who stands behind a VKS record, by its method: the outcome source of a claim answered from it (null: no label). */
const SOURCE_OF_VKS_METHOD: Readonly<Record<string, OutcomeSource | null>> = Object.freeze({
  Z3: 'solver',
  CVC5: 'solver',
  CORPUS: 'correction',
  ORACLE: 'oracle',
  USER: 'user',
  SEED: null,
  IMPORT: null,
});

/** Looks up the method of the VKS record a claim was answered from (Vks.get(id)?.method). */
export type VksMethodOf = (vksId: string) => string | null;

/**
 * The outcome source of a decided claim, by what decided it: a solver's proof or refutation is
 * `solver`; a passage of the reference corpus is `correction` (the cascade's own check against its
 * reference, which is not a proof); the oracle's correction is `oracle`; a VKS record stands for the
 * method that stored it. Null: nothing to label (a soft pass, an unverified claim, a seed axiom).
 */
export function outcomeSourceOf(claim: ClaimReport, vksMethodOf: VksMethodOf): OutcomeSource | null {
  if (claim.status !== 'VERIFIED' && claim.status !== 'CORRECTED') return null;
  switch (claim.source) {
    case 'SOLVER':
      return 'solver';
    case 'CORPUS':
      return 'correction';
    case 'ORACLE':
      return 'oracle';
    case 'VKS': {
      const method = claim.vksId ? vksMethodOf(claim.vksId) : null;
      return method === null ? null : (SOURCE_OF_VKS_METHOD[method] ?? null);
    }
    default:
      return null;
  }
}

/** What failed in a corrected claim, in the cascade's words: a formal claim's inference, or a fact. */
function failureOf(claim: ClaimReport): OracleErrorType {
  return claim.kind === 'FORMAL' ? 'unsupported-inference' : 'wrong-fact';
}

/**
 * The labelled outcomes of one answer. A claim of the model's draft ('draft' or 'frame' origin)
 * that a check decided is one outcome: VERIFIED → the draft was `correct`, CORRECTED → `incorrect`
 * with the error type of what failed. A claim taken from the question (a posed argument, "Is it
 * true that X?") judges nothing the model said: no outcome. When the model refused and a checked
 * source answered instead ('found' or 'oracle' origin, decided), the refusal is one `incorrect`
 * outcome of type `refusal` (out of scope for the model alone) from the source that answered.
 */
export function outcomesOfAnswer(result: AskResult, trace: Pick<AnswerTrace, 'origins'>, signals: Signals | null, vksMethodOf: VksMethodOf): OutcomeInput[] {
  if (trace.origins.length !== result.claims.length) throw new MetaError(`the trace names ${trace.origins.length} claim origins for ${result.claims.length} claims`);
  const out: OutcomeInput[] = [];
  let refusalLabelled = false;
  result.claims.forEach((claim, i) => {
    const origin = trace.origins[i];
    const source = outcomeSourceOf(claim, vksMethodOf);
    if (source === null) return;
    const base = { answerId: result.id, question: result.question, claim: claim.text, source, signals };
    if (origin === 'draft' || origin === 'frame') {
      out.push(claim.status === 'VERIFIED' ? { ...base, verdict: 'correct' } : { ...base, verdict: 'incorrect', failure: failureOf(claim) });
    } else if ((origin === 'found' || origin === 'oracle') && !refusalLabelled) {
      refusalLabelled = true;
      out.push({ ...base, verdict: 'incorrect', failure: 'refusal' });
    }
  });
  return out;
}

export interface RecordedAnswer {
  result: AskResult;
  /** The draft's signals; null without a sidecar. */
  signals: Signals | null;
  /** The outcomes written (none when the buffer already knew this answer). */
  outcomes: Outcome[];
}

/** Asks the cascade and writes the answer and its labels to the buffer. */
export class FeedbackRecorder {
  constructor(
    private readonly cascade: Cascade,
    readonly buffer: FeedbackBuffer,
    private readonly signalOptions: SignalOptions = {},
  ) {}

  async ask(question: string, options: Omit<AskOptions, 'onAnswer'> = {}): Promise<RecordedAnswer> {
    let trace: AnswerTrace | null = null;
    const result = await this.cascade.ask(question, { ...options, onAnswer: (_r, t) => (trace = t) });
    if (trace === null) throw new MetaError('the cascade answered without its trace');
    return { result, ...this.record(result, trace) };
  }

  /** Registers an answer and records its labels; an answer the buffer already holds (same id) adds nothing. */
  record(result: AskResult, trace: AnswerTrace): { signals: Signals | null; outcomes: Outcome[] } {
    const signals = trace.generation ? signalsFromGeneration(trace.generation, this.signalOptions) : null;
    const vksMethodOf: VksMethodOf = (id) => this.cascade.vks.get(id)?.method ?? null;
    const inputs = outcomesOfAnswer(result, trace, signals, vksMethodOf);
    const outcomes = this.buffer.transaction(() => {
      const fresh = this.buffer.registerAnswer({ answerId: result.id, question: result.question, draft: result.draft, status: result.status, signals, model: this.cascade.modelFingerprint });
      return fresh ? this.buffer.recordAll(inputs) : [];
    });
    return { signals, outcomes };
  }
}

export const JUDGEMENTS = ['accept', 'reject', 'correct'] as const;
export type Judgement = (typeof JUDGEMENTS)[number];

export function isJudgement(v: unknown): v is Judgement {
  return typeof v === 'string' && (JUDGEMENTS as readonly string[]).includes(v);
}

/**
 * A user's judgement of an answer the buffer knows: `accept` is a `correct` verdict (weight 0.5),
 * `reject` an `incorrect` one (0.3) of type factual, `correct "…"` an `incorrect` one (0.3) of type
 * factual whose claim column keeps the user's correction. The outcome carries the answer's signals.
 */
export function recordJudgement(buffer: FeedbackBuffer, answerId: string, judgement: Judgement, correction?: string): Outcome {
  if (!isJudgement(judgement)) throw new MetaError(`a judgement is one of ${JUDGEMENTS.join(', ')}, not ${JSON.stringify(judgement)}`);
  if (judgement === 'correct' && (typeof correction !== 'string' || correction.trim() === '')) throw new MetaError('correct needs the corrected answer, e.g. correct "Lana plays the bell."');
  if (judgement !== 'correct' && correction !== undefined) throw new MetaError(`${judgement} takes no text; give the corrected answer with correct "…"`);
  const answer = buffer.answer(answerId);
  if (!answer) throw new UnknownAnswerError(buffer.path, answerId);
  const signals = answer.signalsVersion === NO_SIGNALS_VERSION ? null : { vector: answer.signals, version: answer.signalsVersion };
  const base = { answerId, question: answer.question, source: 'user' as const, signals };
  if (judgement === 'accept') return buffer.record({ ...base, claim: null, verdict: 'correct' });
  return buffer.record({ ...base, claim: judgement === 'correct' ? (correction as string).trim() : null, verdict: 'incorrect', errorType: 'factual' });
}
