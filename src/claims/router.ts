/**
 * Routes each claim: the VKS first (already decided? a lookup answers only the same claim), then
 * FORMAL claims to the solvers, FACTUAL claims to the corpus (a claim that states a domain pack's
 * frame fact is FACTUAL whatever its wording's cues, and a refuted one carries its correction), and
 * a soft pass for INTERPRETIVE and META claims. New solver and corpus verdicts are written back to
 * the VKS when `record` is set. Open the VKS with `lookupOptions(backend)` so lookups can confirm
 * candidates by logic.
 */
import type { DomainPack } from '../corpus/domain';
import { fillTemplate, readStatement } from '../corpus/templates';
import type { DomainVocabulary } from '../corpus/types';
import type { FactualVerifier, FrameFact } from '../corpus/verifier';
import type { Vks } from '../vks/store';
import type { Json, NewRecord, VksRecord } from '../vks/types';
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
  /** The domain's people, works and places, for the classifier (default: the pack's, else none). */
  vocabulary?: DomainVocabulary;
  /** A domain pack: claims stating its frame facts go to the corpus as frame facts. */
  pack?: DomainPack | null;
  /** Fuzzy VKS candidates a solver may prove equivalent to a formal claim (default 3; 0 turns it off). */
  proveCandidates?: number;
}

/** A string field of a record's artifact, if it has one. */
function artifactText(r: VksRecord, key: string): string | undefined {
  const a = r.artifact;
  if (!a || typeof a !== 'object' || Array.isArray(a)) return undefined;
  const v = (a as Record<string, Json>)[key];
  return typeof v === 'string' ? v : undefined;
}

/** Splits `text` into sentences and classifies each; `vocabulary` names the domain's entities. */
export function extractClaims(text: string, vocabulary?: DomainVocabulary): Claim[] {
  return splitSentences(text).map((s) => ({ text: s.text, start: s.start, ...classifyClaim(s.text, vocabulary) }));
}

export class ClaimRouter {
  constructor(private readonly deps: RouterDeps) {}

  private get vocabulary(): DomainVocabulary | undefined {
    return this.deps.vocabulary ?? this.deps.pack?.vocabulary;
  }

  async routeText(text: string): Promise<ClaimVerdict[]> {
    const out: ClaimVerdict[] = [];
    for (const claim of extractClaims(text, this.vocabulary)) out.push(await this.route(claim));
    return out;
  }

  /** Routes one sentence as a single claim (a claim posed to check is not split). `fact` as for route(). */
  async check(text: string, fact?: FrameFact | null): Promise<ClaimVerdict> {
    return this.route({ text, start: 0, ...classifyClaim(text, this.vocabulary) }, fact);
  }

  /**
   * Routes one claim. `fact` is the frame fact it states when the caller knows it (an answer to a
   * frame question); otherwise the pack, if any, is asked whether the claim states one.
   */
  async route(input: Claim, fact?: FrameFact | null): Promise<ClaimVerdict> {
    const stated = fact ?? (this.deps.pack ? readStatement(input.text, this.deps.pack) : null);
    const claim: Claim = stated && input.kind !== 'FACTUAL' ? { ...input, kind: 'FACTUAL', cues: [...input.cues, `FACTUAL:frame:${stated.frame.id}`] } : input;
    const canonical = this.canonical(claim.text);
    const hit = this.deps.vks.lookup({ text: claim.text, canonical });
    if (hit) return this.fromRecord(claim, hit.record, `matched by ${hit.via}${hit.via === 'fuzzy' ? ` ${hit.score.toFixed(2)}` : ''}`, { via: hit.via, score: hit.score }, stated);
    if (canonical !== null) {
      const proved = await this.provedEquivalent(claim.text);
      if (proved) return this.fromRecord(claim, proved, 'proved equivalent by the solver', { via: 'equivalent', score: 1 }, stated);
    }
    if (stated) return this.factual(claim, stated);
    switch (claim.kind) {
      case 'FORMAL':
        return this.formal(claim, canonical);
      case 'FACTUAL':
        return this.factual(claim, null);
      default:
        return { claim, status: 'SOFT_PASS', source: 'SOFT', detail: `${claim.kind.toLowerCase()} claim: not machine-checkable` };
    }
  }

  private fromRecord(
    claim: Claim,
    r: VksRecord,
    how: string,
    match: { via: 'exact' | 'equivalent' | 'fuzzy'; score: number },
    fact: FrameFact | null,
  ): ClaimVerdict {
    const status: VerdictStatus = r.status === 'INVALIDATED' ? 'UNVERIFIED' : r.status;
    const ref = artifactText(r, 'reference');
    const correction = status === 'REFUTED' ? artifactText(r, 'correction') : undefined;
    return {
      claim,
      status,
      source: 'VKS',
      detail: `${r.tier} record (${r.method}) ${how}`,
      vks: { id: r.id, via: match.via, score: match.score, status: r.status },
      ...(ref !== undefined ? { reference: ref } : {}),
      ...(correction !== undefined ? { correction } : {}),
      ...(fact ? { fact } : {}),
    };
  }

  /**
   * A fuzzy candidate the solver proves equivalent to the claim (each entails the other), among
   * the few best; null when none is, or without a logic backend.
   */
  private async provedEquivalent(text: string): Promise<VksRecord | null> {
    const backend = this.deps.formal;
    const limit = this.deps.proveCandidates ?? 3;
    if (!backend || limit <= 0) return null;
    for (const { record } of this.deps.vks.hints(text, limit)) {
      if (record.status !== 'VERIFIED' && record.status !== 'REFUTED') continue;
      for (const phrasing of [record.text, ...record.aliases]) {
        if (backend.canonical(phrasing) === null) continue;
        try {
          // one solver call at a time: the solver is shared
          if ((await backend.check([text], phrasing)).answer === 'True' && (await backend.check([phrasing], text)).answer === 'True') return record;
        } catch {
          // a solver failure proves nothing: try the next phrasing
        }
      }
    }
    return null;
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

  private factual(claim: Claim, fact: FrameFact | null): ClaimVerdict {
    const verifier = this.deps.factual;
    const withFact = fact ? { fact } : {};
    if (!verifier) return { claim, status: 'UNVERIFIED', source: 'CORPUS', detail: 'no corpus available', ...withFact };
    const r = verifier.verify(claim.text, fact);
    if (r.verdict === 'NOT_FOUND') return { claim, status: 'UNVERIFIED', source: 'CORPUS', detail: r.reason, ...withFact };
    const status: VerdictStatus = r.verdict === 'SUPPORTED' ? 'VERIFIED' : 'REFUTED';
    // The corrected claim: the frame's claim with the passage's answer.
    const correction = r.correction !== null && fact ? fillTemplate(fact.frame.claim, fact.subject, r.correction) : undefined;
    return {
      claim,
      status,
      source: 'CORPUS',
      detail: `${r.verdict.toLowerCase()} (${r.confidence.toFixed(2)}): ${r.reason}`,
      reference: r.reference ?? undefined,
      ...(correction !== undefined ? { correction } : {}),
      ...withFact,
      vks: this.record({
        tier: 'FACTUAL',
        text: claim.text,
        status,
        method: 'CORPUS',
        artifact: {
          reference: r.reference,
          passage: r.passage?.id ?? null,
          coverage: r.confidence,
          reason: r.reason,
          ...(correction !== undefined ? { correction } : {}),
        },
      }),
    };
  }

  private record(rec: NewRecord): ClaimVerdict['vks'] {
    if (this.deps.record === false) return undefined;
    const stored = this.deps.vks.add(rec);
    return { id: stored.id, status: stored.status };
  }
}
