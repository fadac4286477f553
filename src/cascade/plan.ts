/**
 * Claims from (question, draft): a posed argument is one FORMAL claim; "Is it true that X?" is X;
 * a frame question's answer becomes the frame's one-fact claim ("bell" to "What instrument does
 * Lana play?" → "Lana plays the bell."); anything else is the draft split into sentences (by the
 * model itself for a chat model, else by the rule-based splitter), each classified.
 */
import { classifyClaim } from '../claims/classifier';
import { extractClaims } from '../claims/router';
import type { ArgumentChecks, FrameRef, QuestionReading, WorldChecks } from './ports';
import type { Draft } from './draft';
import type { ClaimKindName } from './types';
import { asSentence, type ClaimOrigin, type WorkingClaim } from './work';

export interface Plan<M extends FrameRef, A> {
  reading: QuestionReading<M> | { kind: 'argument' };
  claims: WorkingClaim<M, A>[];
  /** How the draft was split ('template', 'rules', 'model'); null when the question was the claim. */
  splitter: 'template' | 'rules' | 'model' | null;
}

/** Splits a draft into claim sentences; a chat model's extractor returns null when it cannot. */
export type ClaimExtractor = (question: string, draft: string) => Promise<Array<{ text: string; kind: ClaimKindName }> | null>;

export function workingClaim<M extends FrameRef, A>(text: string, kind: ClaimKindName, origin: ClaimOrigin, extra: Partial<WorkingClaim<M, A>> = {}): WorkingClaim<M, A> {
  return { text, kind, origin, match: null, answer: null, argument: null, unreadable: null, repairs: [], ...extra };
}

/** A sentence, with the frame fact it states when it states one (then it is FACTUAL, whatever its cues). */
export function claimOfSentence<M extends FrameRef, A>(world: WorldChecks<M> | null, text: string, kind: ClaimKindName, origin: ClaimOrigin): WorkingClaim<M, A> {
  const stated = world?.readStatement(text) ?? null;
  if (stated) return workingClaim<M, A>(text, 'FACTUAL', origin, { match: stated.match, answer: stated.answer });
  return workingClaim<M, A>(text, kind, origin);
}

export async function planClaims<M extends FrameRef, A>(
  question: string,
  draft: Draft,
  world: WorldChecks<M> | null,
  args: ArgumentChecks<A> | null,
  extractor: ClaimExtractor | null,
): Promise<Plan<M, A>> {
  const posed = args?.read(question) ?? null;
  if (posed !== null) {
    const argument = 'argument' in posed ? posed.argument : null;
    const unreadable = 'unreadable' in posed ? posed.unreadable : null;
    return { reading: { kind: 'argument' }, claims: [workingClaim<M, A>(question.trim(), 'FORMAL', 'argument', { argument, unreadable })], splitter: null };
  }
  const vocabulary = world?.vocabulary;
  const reading: QuestionReading<M> = world?.readQuestion(question) ?? { kind: 'open' };
  if (reading.kind === 'check') {
    const claim = asSentence(reading.claim);
    const posedClaim = args?.read(claim) ?? null;
    if (posedClaim !== null && 'argument' in posedClaim) return { reading, claims: [workingClaim<M, A>(claim, 'FORMAL', 'check', { argument: posedClaim.argument })], splitter: null };
    // a claim posed to check is checked: an interpretive reading of its words does not make it a soft pass
    const kind = classifyClaim(claim, vocabulary).kind === 'FORMAL' ? 'FORMAL' : 'FACTUAL';
    return { reading, claims: [claimOfSentence<M, A>(world, claim, kind, 'check')], splitter: null };
  }
  if (draft.refused) return { reading, claims: [], splitter: null };
  if (reading.kind === 'frame' && world) {
    const answer = draft.text.replace(/[.!]+$/, '').trim();
    const claim = world.claimForAnswer(reading.match, answer);
    // an answer not of the frame's kind is still the model's claim about that fact
    return { reading, claims: [workingClaim<M, A>(claim ?? asSentence(draft.text), 'FACTUAL', 'frame', { match: reading.match, answer })], splitter: 'template' };
  }
  const modelClaims = extractor ? await extractor(question, draft.text) : null;
  if (modelClaims && modelClaims.length > 0) {
    return { reading, claims: modelClaims.map((c) => claimOfSentence<M, A>(world, c.text, c.kind, 'draft')), splitter: 'model' };
  }
  return { reading, claims: extractClaims(draft.text, vocabulary).map((c) => claimOfSentence<M, A>(world, c.text, c.kind, 'draft')), splitter: 'rules' };
}
