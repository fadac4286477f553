/**
 * Filling the feedback buffer from nothing (`cogito meta bootstrap`, issue 18, item 5): questions
 * drawn from the model's domain pack — every frame's question phrasings × the subjects of its kind —
 * never the facts of the model's held-out file, asked through the cascade one by one, each answer's
 * labels recorded and the online schedule told after each.
 */
import type { DomainPack } from '../corpus/domain';
import { createRng } from '../util/prng';
import { MetaError } from './errors';
import type { OnlineTrainer } from './online';
import type { FeedbackRecorder, RecordedAnswer } from './recorder';

export interface DomainQuestion {
  /** The fact asked: `<frame id>:<subject>`, or the frame id for a frame without a subject (the held-out file's ids). */
  fact: string;
  question: string;
}

/** Every question the pack can ask: each phrasing of each frame, for each subject of its kind. */
export function domainQuestions(pack: DomainPack): DomainQuestion[] {
  const out: DomainQuestion[] = [];
  for (const frame of pack.frames) {
    if (frame.subjectKind === null) {
      for (const q of frame.questions) out.push({ fact: frame.id, question: q });
      continue;
    }
    for (const subject of pack.vocabulary.kinds[frame.subjectKind] ?? []) {
      for (const q of frame.questions) out.push({ fact: `${frame.id}:${subject}`, question: q.replace('{S}', subject) });
    }
  }
  return out;
}

/** What bootstrap must never ask: the held-out file's facts (any phrasing of them) and its questions. */
export interface HeldOut {
  facts: ReadonlySet<string>;
  questions: ReadonlySet<string>;
}

const fold = (q: string) => q.trim().replace(/\s+/g, ' ').toLowerCase();

export function heldOutOf(lines: ReadonlyArray<{ id: string; question: string }>): HeldOut {
  return { facts: new Set(lines.map((l) => l.id)), questions: new Set(lines.map((l) => fold(l.question))) };
}

/** `count` questions drawn without repetition by a seeded shuffle, none about a held-out fact or worded as a held-out question. */
export function drawBootstrapQuestions(pack: DomainPack, options: { count: number; seed: number; heldOut: HeldOut }): DomainQuestion[] {
  const { count, seed, heldOut } = options;
  if (!Number.isInteger(count) || count < 1) throw new MetaError(`the number of bootstrap questions must be a whole number ≥ 1, not ${count}`);
  const pool = domainQuestions(pack).filter((q) => !heldOut.facts.has(q.fact) && !heldOut.questions.has(fold(q.question)));
  if (pool.length < count) throw new MetaError(`${pack.origin} can ask ${pool.length} questions outside the held-out file, fewer than ${count}`);
  return createRng(seed).fork('meta-bootstrap').shuffle(pool).slice(0, count);
}

export interface BootstrapSummary {
  questions: number;
  /** Answers that gave at least one labelled outcome. */
  labelled: number;
  outcomes: number;
  byStatus: Record<string, number>;
  oracleCalls: number;
  /** Online training steps started during the run. */
  trainingSteps: number;
}

/** Asks each question through the recorder (labels written as `ask` writes them) and tells the trainer after each. */
export async function runBootstrap(
  recorder: FeedbackRecorder,
  questions: readonly DomainQuestion[],
  options: { trainer?: OnlineTrainer | null; signal?: AbortSignal; onAnswer?: (done: number, total: number, answer: RecordedAnswer) => void } = {},
): Promise<BootstrapSummary> {
  const summary: BootstrapSummary = { questions: 0, labelled: 0, outcomes: 0, byStatus: {}, oracleCalls: 0, trainingSteps: 0 };
  const before = options.trainer?.started ?? 0;
  for (const q of questions) {
    const answer = await recorder.ask(q.question, { signal: options.signal });
    summary.questions++;
    if (answer.outcomes.length > 0) summary.labelled++;
    summary.outcomes += answer.outcomes.length;
    summary.byStatus[answer.result.status] = (summary.byStatus[answer.result.status] ?? 0) + 1;
    summary.oracleCalls += answer.result.oracle_calls;
    options.trainer?.notify();
    options.onAnswer?.(summary.questions, questions.length, answer);
  }
  await options.trainer?.idle();
  summary.trainingSteps = (options.trainer?.started ?? 0) - before;
  return summary;
}
