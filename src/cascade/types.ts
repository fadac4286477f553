/**
 * The contract of the verified answer (`cogito ask`): what one question comes back as, and the
 * oracle the cascade consults last. Shared by the pipeline, the oracle client, the CLI and the
 * benchmark, so each can be built against it on its own.
 */

/** A claim's mark in the annotated answer. */
export type ClaimStatus = 'VERIFIED' | 'CORRECTED' | 'UNVERIFIED' | 'SOFT';

/** What decided a claim: a VKS record, a solver, a corpus passage, the oracle, or a soft pass. */
export type ClaimSource = 'VKS' | 'SOLVER' | 'CORPUS' | 'ORACLE' | 'SOFT' | 'NONE';

/** The whole answer: every checkable claim verified, something corrected, something left open, or a refusal nobody could answer. */
export type AnswerStatus = 'VERIFIED' | 'CORRECTED' | 'UNVERIFIED' | 'REFUSED';

export type ClaimKindName = 'FORMAL' | 'FACTUAL' | 'INTERPRETIVE' | 'META';

/** One self-repair attempt, recorded whether or not it helped. */
export interface RepairAttempt {
  strategy: 're-encode' | 're-state' | 'decompose';
  /** What was tried, e.g. the other formalisation or the other phrasing. */
  input: string;
  /** What came of it, in a sentence. */
  outcome: string;
  /** True when this attempt decided the claim. */
  decided: boolean;
}

export interface ClaimReport {
  text: string;
  kind: ClaimKindName;
  status: ClaimStatus;
  source: ClaimSource;
  /** Proof summary, countermodel, passage reference or VKS record: what a reader checks. */
  reference: string | null;
  /** The corrected claim (status CORRECTED). */
  correction: string | null;
  /** Why the claim is where it is, in a sentence (always set for UNVERIFIED). */
  reason: string;
  repairs: RepairAttempt[];
  /** The VKS record this claim was answered from or written to. */
  vksId: string | null;
}

/** FOLIO's three labels for a question that poses an argument. */
export interface FormalAnswerReport {
  answer: 'True' | 'False' | 'Uncertain';
  /** The logic it was decided in, e.g. "classical", "S4", "LP", "defeasible". */
  logic: string;
  /** Solver or procedure, e.g. "Z3", "tableau". */
  method: string;
}

export interface DecisionReport {
  /** The sidecar answered (false: it refused). */
  answered: boolean;
  confidence: number;
}

export interface AskResult {
  /** Stable id of this answer (for later feedback). */
  id: string;
  question: string;
  /** The model's own answer (empty when it refused). */
  draft: string;
  /** The answer text without marks. */
  final: string;
  /** The answer with a [VERIFIED] / [CORRECTED] / [UNVERIFIED] mark after each claim. */
  annotated: string;
  status: AnswerStatus;
  claims: ClaimReport[];
  formal: FormalAnswerReport | null;
  /** The sidecar's decision; null when run without a sidecar. */
  decision: DecisionReport | null;
  oracle_calls: number;
  /** The meta layer's route for this answer; absent when the cascade runs without a router. */
  route?: RouteReport;
  timings_ms: Record<string, number>;
}

/** Where the meta layer sends a question after the draft (issue 18): answer as drafted, verify, or go to the oracle. */
export type RouteAdvice = 'SELF' | 'HYBRID' | 'ORACLE';

/** The route the cascade took for one answer, and why. */
export interface RouteReport {
  advice: RouteAdvice;
  /** The router's confidence that the draft is right, in [0, 1]. */
  confidence: number;
  /** Who advised, e.g. "meta-learner v3". */
  by: string;
}

/** Why the oracle is consulted: the query is worded for the failure. */
export type OracleErrorType = 'wrong-fact' | 'unsupported-inference' | 'unresolved-reference' | 'refusal' | 'unverified';

export interface OracleQuery {
  /** The user's question. */
  question: string;
  /** The claim at stake (absent for a refusal). */
  claim?: string;
  errorType: OracleErrorType;
  /** Evidence found so far (passage, solver output), in words. */
  evidence?: string;
  /** What failed, in words. */
  failure?: string;
}

export interface OracleReply {
  /** The oracle's answer text, trimmed. */
  text: string;
  /** The model that answered, as the server names it. */
  model: string;
  elapsedMs: number;
}

/** A remote model consulted last. Implementations throw a CogitoError on timeout, HTTP failure or a malformed reply. */
export interface Oracle {
  readonly describe: string;
  ask(query: OracleQuery, signal?: AbortSignal): Promise<OracleReply>;
}
