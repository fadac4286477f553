/**
 * Routes each claim: the VKS first (already decided?), then FORMAL claims to the solvers,
 * FACTUAL claims to the corpus, and a soft pass for INTERPRETIVE and META claims.
 * New solver and corpus verdicts are written back to the VKS when `record` is set.
 */
import type { DomainVocabulary } from '../corpus/types';
import type { FactualVerifier } from '../corpus/verifier';
import type { Vks } from '../vks/store';
import type { NewRecord } from '../vks/types';
import { classifyClaim } from './classifier';
import { formalise, type FormalBackend } from './formal';
import { splitSentences } from './splitter';
import type { Claim, ClaimVerdict, VerdictStatus } from './types';

export interface RouterDeps {
  vks: Vks;
  formal?: FormalBackend | null;
  factual?: FactualVerifier | null;
  /** Write new solver / corpus results to the VKS (default true). */
  record?: boolean;
  /** The domain's people, works and places, for the classifier (default none). */
  vocabulary?: DomainVocabulary;
}

/** Splits `text` into sentences and classifies each; `vocabulary` names the domain's entities. */
export function extractClaims(text: string, vocabulary?: DomainVocabulary): Claim[] {
  return splitSentences(text).map((s) => ({ text: s.text, start: s.start, ...classifyClaim(s.text, vocabulary) }));
}

export class ClaimRouter {
  constructor(private readonly deps: RouterDeps) {}

  async routeText(text: string): Promise<ClaimVerdict[]> {
    const out: ClaimVerdict[] = [];
    for (const claim of extractClaims(text, this.deps.vocabulary)) out.push(await this.route(claim));
    return out;
  }

  async route(claim: Claim): Promise<ClaimVerdict> {
    const canonical = this.canonical(claim.text);
    const hit = this.deps.vks.lookup({ text: claim.text, canonical });
    if (hit) {
      const r = hit.record;
      const status: VerdictStatus = r.status === 'INVALIDATED' ? 'UNVERIFIED' : r.status;
      const ref = r.artifact && typeof r.artifact === 'object' && !Array.isArray(r.artifact) ? r.artifact.reference : undefined;
      return {
        claim,
        status,
        source: 'VKS',
        detail: `${r.tier} record (${r.method}) matched by ${hit.via}${hit.via === 'fuzzy' ? ` ${hit.score.toFixed(2)}` : ''}`,
        vks: { id: r.id, via: hit.via, score: hit.score, status: r.status },
        ...(typeof ref === 'string' ? { reference: ref } : {}),
      };
    }
    switch (claim.kind) {
      case 'FORMAL':
        return this.formal(claim, canonical);
      case 'FACTUAL':
        return this.factual(claim);
      default:
        return { claim, status: 'SOFT_PASS', source: 'SOFT', detail: `${claim.kind.toLowerCase()} claim: not machine-checkable` };
    }
  }

  private canonical(text: string): string | null {
    const backend = this.deps.formal;
    if (!backend) return null;
    try {
      return backend.canonical(text);
    } catch {
      return null;
    }
  }

  private async formal(claim: Claim, canonical: string | null): Promise<ClaimVerdict> {
    const backend = this.deps.formal;
    if (!backend) return { claim, status: 'UNVERIFIED', source: 'SOLVER', detail: 'no logic backend available' };
    const problem = formalise(claim.text, backend);
    if (!problem) return { claim, status: 'UNVERIFIED', source: 'SOLVER', detail: 'no formula to check in this claim' };
    const result = await backend.check(problem.premises, problem.conclusion);
    const status: VerdictStatus = result.answer === 'True' ? 'VERIFIED' : result.answer === 'False' ? 'REFUTED' : 'UNCERTAIN';
    const verdict: ClaimVerdict = {
      claim,
      status,
      source: 'SOLVER',
      detail: `${result.method}: ${result.answer}${problem.premises.length ? ` from ${problem.premises.length} premise(s)` : ' (validity)'}`,
    };
    if (status !== 'UNCERTAIN') {
      verdict.vks = this.record({
        tier: 'DERIVED',
        text: claim.text,
        canonical,
        status,
        method: result.method,
        artifact: { answer: result.answer, premises: problem.premises, conclusion: problem.conclusion, solver: result.artifact },
      });
    }
    return verdict;
  }

  private factual(claim: Claim): ClaimVerdict {
    const verifier = this.deps.factual;
    if (!verifier) return { claim, status: 'UNVERIFIED', source: 'CORPUS', detail: 'no corpus available' };
    const r = verifier.verify(claim.text);
    if (r.verdict === 'NOT_FOUND') return { claim, status: 'UNVERIFIED', source: 'CORPUS', detail: r.reason };
    const status: VerdictStatus = r.verdict === 'SUPPORTED' ? 'VERIFIED' : 'REFUTED';
    return {
      claim,
      status,
      source: 'CORPUS',
      detail: `${r.verdict.toLowerCase()} (${r.confidence.toFixed(2)}): ${r.reason}`,
      reference: r.reference ?? undefined,
      vks: this.record({
        tier: 'FACTUAL',
        text: claim.text,
        status,
        method: 'CORPUS',
        artifact: { reference: r.reference, passage: r.passage?.id ?? null, coverage: r.confidence, reason: r.reason },
      }),
    };
  }

  private record(rec: NewRecord): ClaimVerdict['vks'] {
    if (this.deps.record === false) return undefined;
    const stored = this.deps.vks.add(rec);
    return { id: stored.id, status: stored.status };
  }
}
