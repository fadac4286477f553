/**
 * What the cascade needs from the layers below it, stated narrowly: the world's facts (domain
 * pack + corpus) and the logic layer's posed arguments. ./sources.ts builds both from the real
 * modules; the pipeline is written against these shapes only, so each stage says what it uses.
 */
import type { DomainVocabulary } from '../corpus/types';
import type { Json } from '../vks/types';

/** A question matched to one of the domain's frames: which fact it asks for. */
export interface FrameRef {
  frame: { id: string };
  subject: string | null;
}

/** How a question reads: a claim to check, a frame question, or anything else. */
export type QuestionReading<M extends FrameRef> = { kind: 'check'; claim: string } | { kind: 'frame'; match: M } | { kind: 'open' };

export type FactVerdict = 'SUPPORTED' | 'CONTRADICTED' | 'NOT_FOUND';

/** The corpus on one claim. */
export interface FactCheck {
  verdict: FactVerdict;
  /** Where the deciding passage is (a reader checks it there). */
  reference: string | null;
  passageId: string | null;
  reason: string;
  /** The passage's answer, when it contradicts the claim. */
  correction: string | null;
}

/** The corpus's answer to a frame question. */
export interface FoundAnswer {
  answer: string;
  reference: string | null;
  passageId: string | null;
}

export interface WorldChecks<M extends FrameRef = FrameRef> {
  readonly vocabulary: DomainVocabulary;
  readQuestion(question: string): QuestionReading<M>;
  /** The frame's one-fact claim with this answer; null when the answer is not of the frame's kind. */
  claimForAnswer(match: M, answer: string): string | null;
  /** The same question in the frame's other wordings (re-state). */
  otherPhrasings(match: M): string[];
  /** A sentence that states one of the frame's facts, read back into its match and answer. */
  readStatement(sentence: string): { match: M; answer: string } | null;
  findAnswer(match: M): FoundAnswer | null;
  /** The frame's claim about the match's subject with the answer left out: what a search for the fact reads. */
  factQuery(match: M): string;
  /** The two name the same fact (frame and subject). */
  sameFact(a: M, b: M): boolean;
  /** The two claims say the same: the same fact with the same answer ("Discourse" and "the Discourse"), or the same words. */
  sameClaim(a: string, b: string): boolean;
  verify(claim: string, fact?: M): FactCheck;
}

export type FormalLabel = 'True' | 'False' | 'Uncertain';

/** The logic layer's decision on a posed argument. */
export interface ArgumentDecision {
  answer: FormalLabel;
  logic: string;
  method: string;
  /** Proof summary or countermodel, in words. */
  detail: string;
  artifact: Json;
  /** False when a check ran out of time or answered unknown: an Uncertain that decides nothing. */
  decided: boolean;
}

/** What a text poses: an argument read, one that poses an argument but cannot be read as written, or none. */
export type ArgumentReading<A> = { argument: A } | { unreadable: string } | null;

export interface ArgumentChecks<A = unknown> {
  read(text: string): ArgumentReading<A>;
  decide(argument: A): Promise<ArgumentDecision>;
  /** Other formalisations of the same text (re-encode). */
  reencode(text: string): A[];
  /** One reading in words (for the repair record). */
  describe(argument: A): string;
}
