/** The cascade's working state for one claim, as it moves through check, repair and the oracle. */
import type { FrameRef } from './ports';
import type { ClaimKindName, ClaimSource, ClaimStatus, OracleErrorType, RepairAttempt } from './types';

/** Where a claim came from: the question itself or the draft. */
export type ClaimOrigin =
  /** A posed argument: the question is the claim, decided by the logic layer. */
  | 'argument'
  /** "Is it true that X?": X. */
  | 'check'
  /** A frame question's answer, as the frame's one-fact claim. */
  | 'frame'
  /** The model refused; the claim was found by a verified source. */
  | 'found'
  /** A sentence of the draft. */
  | 'draft'
  /** A sentence of the oracle's answer to a question the model refused. */
  | 'oracle';

export interface WorkingClaim<M extends FrameRef = FrameRef, A = unknown> {
  text: string;
  kind: ClaimKindName;
  origin: ClaimOrigin;
  /** The frame fact it states, when it states one. */
  match: M | null;
  /** The answer slot's value, for a frame claim. */
  answer: string | null;
  argument: A | null;
  /** Why a posed argument could not be read as written (re-encode may still read it). */
  unreadable: string | null;
  repairs: RepairAttempt[];
  /** Where an oracle-stated claim came from. */
  reference?: string;
}

/** A check's outcome: decided (a status a reader can trust) or open (repair and the oracle may still decide it). */
export interface Outcome {
  status: ClaimStatus;
  decided: boolean;
  source: ClaimSource;
  reference: string | null;
  correction: string | null;
  reason: string;
  vksId: string | null;
  /** For an open claim: what went wrong, which words the oracle's query. */
  errorType?: OracleErrorType;
  /** Evidence found so far, in words (for the oracle). */
  evidence?: string;
}

export function openOutcome(source: ClaimSource, reason: string, errorType: OracleErrorType, evidence?: string): Outcome {
  return { status: 'UNVERIFIED', decided: false, source, reference: null, correction: null, reason, vksId: null, errorType, evidence };
}

/** "The capital of Uten is Borl." → "It is not the case that the capital of Uten is Borl." */
export function negation(text: string): string {
  const body = text.trim().replace(/[.!]+$/, '');
  return `It is not the case that ${body.charAt(0).toLowerCase()}${body.slice(1)}.`;
}

/** A sentence ends with a full stop. */
export function asSentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Why an answer only the oracle vouches for stays [UNVERIFIED]: a model's word is not a proof or a passage. */
export const UNCHECKED = "nothing here could check the oracle's answer";
