/** Claim kinds and the verdict the router returns for each claim. */
import type { FrameFact } from '../corpus/verifier';
import type { LookupVia, Status } from '../vks/types';

export const CLAIM_KINDS = ['FORMAL', 'FACTUAL', 'INTERPRETIVE', 'META'] as const;
export type ClaimKind = (typeof CLAIM_KINDS)[number];

export interface Classification {
  kind: ClaimKind;
  /** 0..1: the winning kind's share of the evidence (low when cues are absent or mixed). */
  confidence: number;
  /** The cues that fired, for explanations and debugging. */
  cues: string[];
}

export interface Claim extends Classification {
  text: string;
  /** Character offset of the claim in the text it was split from. */
  start: number;
}

export type VerdictStatus = 'VERIFIED' | 'REFUTED' | 'CONDITIONAL' | 'UNCERTAIN' | 'UNVERIFIED' | 'SOFT_PASS';
export type VerdictSource = 'VKS' | 'SOLVER' | 'CORPUS' | 'SOFT';

export interface ClaimVerdict {
  claim: Claim;
  status: VerdictStatus;
  source: VerdictSource;
  /** What decided it, in a sentence. */
  detail: string;
  /** The VKS record that answered (source VKS) or that this verdict was written to. */
  vks?: { id: string; via?: LookupVia; score?: number; status?: Status };
  /** Corpus reference (FACTUAL). */
  reference?: string;
  /** REFUTED frame fact: the claim as the source states it (e.g. "Lana plays the bell."). */
  correction?: string;
  /** The domain pack's fact the claim states, when it states one. */
  fact?: FrameFact;
}
