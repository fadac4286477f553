/**
 * One claim against the sources. The claims layer's router does the routing — the VKS first (a
 * lookup answers only the same claim), FORMAL → the solvers, FACTUAL → the corpus (a frame fact by
 * its frame, a refutation with its correction), INTERPRETIVE / META → a soft pass — and writes new
 * verdicts to the VKS. This module adds what the cascade needs around it: a posed argument decided
 * by the logic layer, a claim whose VKS record was invalidated since, the correction stored as a
 * verified claim of its own, and the verdict as an Outcome (decided, or open for repair and the oracle).
 */
import { ClaimRouter } from '../claims/router';
import type { Claim, ClaimVerdict } from '../claims/types';
import type { FormalBackend } from '../claims/formal';
import type { DomainPack } from '../corpus/domain';
import type { FactualVerifier } from '../corpus/verifier';
import type { Vks } from '../vks/store';
import type { Json, NewRecord, VksRecord } from '../vks/types';
import type { ArgumentChecks, ArgumentDecision, FrameRef, WorldChecks } from './ports';
import { UNCHECKED, negation, openOutcome, type Outcome, type WorkingClaim } from './work';

export interface CheckerDeps<M extends FrameRef, A> {
  vks: Vks;
  world: WorldChecks<M> | null;
  args: ArgumentChecks<A> | null;
  formal: FormalBackend | null;
  /** The corpus verifier and pack the router reads (none: factual claims stay open). */
  verifier: FactualVerifier | null;
  pack: DomainPack | null;
}

function artifactField(artifact: Json, key: string): string | null {
  if (artifact && typeof artifact === 'object' && !Array.isArray(artifact)) {
    const v = artifact[key];
    return typeof v === 'string' ? v : null;
  }
  return null;
}

/** Solver names the VKS knows; a tableau or other procedure is recorded under the solver that backs the logic layer. */
function vksMethod(method: string): 'Z3' | 'CVC5' {
  return /cvc5/i.test(method) ? 'CVC5' : 'Z3';
}

export class Checker<M extends FrameRef, A> {
  private readonly router: ClaimRouter;

  constructor(private readonly deps: CheckerDeps<M, A>) {
    this.router = new ClaimRouter({ vks: deps.vks, formal: deps.formal, factual: deps.verifier, pack: deps.pack, vocabulary: deps.world?.vocabulary });
  }

  canonical(text: string): string | null {
    try {
      return this.deps.formal?.canonical(text) ?? null;
    } catch {
      return null;
    }
  }

  /** The VKS's record for this claim, as an outcome; null when it holds none worth serving. */
  fromVks(text: string, options: { exactOnly?: boolean } = {}): Outcome | null {
    const hit = this.deps.vks.lookup({ text, canonical: this.canonical(text) });
    if (hit && !(options.exactOnly && hit.via === 'fuzzy')) return this.outcomeOf(hit.record, hit.via);
    return this.invalidatedOutcome(text);
  }

  /** Lookups skip invalidated records: a claim once decided and since invalidated says so (when no live record states it). */
  invalidatedOutcome(text: string): Outcome | null {
    if (this.deps.vks.lookup({ text, canonical: null })?.via === 'exact') return null;
    const gone = this.deps.vks.invalidated(text);
    if (!gone) return null;
    return {
      status: 'UNVERIFIED', decided: true, source: 'VKS', reference: null, correction: null, vksId: gone.record.id,
      reason: `its VKS record ${gone.record.id} (${gone.record.method}) was invalidated on ${gone.record.updatedAt}: ${gone.reason}`,
    };
  }

  /**
   * What the VKS already holds about a frame fact whose answer is not known (the model refused):
   * a verified record stating the same frame about the same subject, found among the records that
   * share its words. Its text is the claim.
   */
  fromVksByFact(match: M): { text: string; outcome: Outcome } | null {
    const world = this.deps.world;
    if (!world) return null;
    // the subject's own words first: they are rarer than the frame's, so its records rank first
    const queries = [...(match.subject ? [match.subject] : []), world.factQuery(match)];
    for (const r of queries.flatMap((text) => this.deps.vks.lemmas({ text, canonical: null }, 10))) {
      const stated = world.readStatement(r.text);
      if (!stated || !world.sameFact(stated.match, match)) continue;
      const outcome = this.outcomeOf(r, 'fact');
      if (outcome) return { text: r.text, outcome: { ...outcome, reason: `the model refused; the VKS holds this fact${outcome.status === 'UNVERIFIED' ? `; ${outcome.reason}` : ''}` } };
    }
    return null;
  }

  outcomeOf(r: VksRecord, via: string): Outcome | null {
    const matched = `${r.tier} record ${r.id} (${r.method}), matched ${via}`;
    const reference = artifactField(r.artifact, 'reference');
    switch (r.status) {
      case 'VERIFIED':
      case 'CONDITIONAL':
        if (r.method === 'ORACLE') {
          // stored from the oracle's word alone: still evidence, not a verification
          return { status: 'UNVERIFIED', decided: true, source: 'VKS', reference: reference ? `${reference}; ${matched}` : matched, correction: null, vksId: r.id, reason: `the oracle said so earlier; ${UNCHECKED}` };
        }
        return {
          status: 'VERIFIED', decided: true, source: 'VKS', reference: reference ? `${reference}; ${matched}` : matched, correction: null, vksId: r.id,
          reason: r.status === 'CONDITIONAL' ? `verified under conditions: ${r.conditions.join('; ')}` : 'already verified',
        };
      case 'REFUTED': {
        const correction = artifactField(r.artifact, 'correction') ?? negation(r.text);
        return {
          status: 'CORRECTED', decided: true, source: 'VKS', reference: reference ? `${reference}; ${matched}` : matched, correction, vksId: r.id,
          reason: 'already refuted',
        };
      }
      default:
        return null; // UNCERTAIN: nothing decided, check again
    }
  }

  /**
   * The claim against its sources, VKS first. A posed argument goes to the logic layer; a claim
   * whose record was invalidated says so; everything else goes through the claims router.
   */
  async check(claim: WorkingClaim<M, A>): Promise<Outcome> {
    const gone = this.invalidatedOutcome(claim.text);
    if (gone) return gone;
    if (claim.origin === 'argument') {
      // a posed argument is looked up by its exact words only: a near-identical one may differ in a negation
      const known = this.fromVks(claim.text, { exactOnly: true });
      if (known) return known;
      if (claim.argument === null || !this.deps.args) return openOutcome('SOLVER', `the argument cannot be read as written: ${claim.unreadable ?? 'no reading'}`, 'unsupported-inference');
      return (await this.argument(claim.text, claim.argument, 'label')).outcome;
    }
    const known = this.fromVks(claim.text);
    if (known) return known;
    const world = this.deps.world;
    if (world && claim.match && claim.answer !== null && world.claimForAnswer(claim.match, claim.answer) === null) {
      // the model's answer is not even of the frame's kind ("smith" for a capital): no claim the corpus can support
      return this.offKind(claim) ?? openOutcome('CORPUS', `"${claim.answer}" is not an answer to this question`, 'wrong-fact');
    }
    const stated = world?.readStatement(claim.text) ?? null;
    if (world && stated) return this.frameFact(claim, stated.match);
    if (claim.kind === 'FORMAL' && this.deps.args) {
      // a claim that reads as an argument ("I think, hence I exist") holds when its conclusion follows
      const reading = claim.argument !== null ? { argument: claim.argument } : this.deps.args.read(claim.text);
      if (reading !== null && 'argument' in reading) return (await this.argument(claim.text, reading.argument, 'claim')).outcome;
    }
    const input: Claim = { text: claim.text, start: 0, kind: claim.kind, confidence: 1, cues: [] };
    // the router reads which frame fact the claim states from the pack itself
    return this.fromVerdict(claim, await this.router.route(input));
  }

  private fromVerdict(claim: WorkingClaim<M, A>, v: ClaimVerdict): Outcome {
    const vksId = v.vks?.id ?? null;
    const reference = v.source === 'VKS' ? [v.reference, `${v.detail}`].filter(Boolean).join('; ') : (v.reference ?? v.detail);
    const source = v.source;
    switch (v.status) {
      case 'VERIFIED':
      case 'CONDITIONAL':
        if (v.source === 'VKS' && vksId !== null && this.deps.vks.get(vksId)?.method === 'ORACLE') {
          // stored from the oracle's word alone: still evidence, not a verification
          return { status: 'UNVERIFIED', decided: true, source, reference, correction: null, vksId, reason: `the oracle said so earlier; ${UNCHECKED}` };
        }
        return { status: 'VERIFIED', decided: true, source, reference, correction: null, vksId, reason: v.source === 'VKS' ? 'already verified' : v.detail };
      case 'REFUTED': {
        const correction = v.correction ?? (claim.kind === 'FORMAL' || v.source === 'SOLVER' ? negation(claim.text) : null);
        if (correction === null) {
          // contradicted, but with nothing to put in its place: the claim is wrong and stays marked
          return { ...openOutcome(source, `the ${source === 'VKS' ? 'VKS' : 'corpus'} contradicts it (${v.detail}) and offers no replacement`, 'wrong-fact', v.detail), reference };
        }
        if (source === 'CORPUS') {
          this.recordOnce({ tier: 'FACTUAL', text: correction, status: 'VERIFIED', method: 'CORPUS', artifact: { reference: v.reference ?? null, reason: 'the passage states it' } });
        }
        return { status: 'CORRECTED', decided: true, source, reference, correction, vksId, reason: source === 'VKS' ? 'already refuted' : v.detail };
      }
      case 'SOFT_PASS':
        return { status: 'SOFT', decided: true, source: 'SOFT', reference: null, correction: null, vksId: null, reason: `${claim.kind.toLowerCase()} claim: a soft pass, not machine-checkable` };
      default: {
        if (source === 'CORPUS') {
          const other = this.offKind(claim) ?? this.otherAnswerInVks(claim);
          if (other) return other;
          return openOutcome('CORPUS', `the corpus does not say: ${v.detail}`, 'unverified', v.detail);
        }
        if (source === 'SOLVER') return openOutcome('SOLVER', `${v.detail}`, 'unsupported-inference', v.detail);
        return openOutcome(source, v.detail, 'unverified', v.detail);
      }
    }
  }

  /** A posed argument, decided by the logic layer and recorded. */
  /**
   * An argument decided by the logic layer. As a posed question ('label') its answer is the label,
   * which the solver verifies whatever it is; as a claim ('claim') it holds when the conclusion
   * follows (True), is refuted when its negation does (False), and stays open when neither does.
   */
  async argument(text: string, argument: A, mode: 'label' | 'claim'): Promise<{ outcome: Outcome; decision: ArgumentDecision }> {
    const args = this.deps.args as ArgumentChecks<A>;
    const decision = await args.decide(argument);
    const reference = `${decision.method} in ${decision.logic}: ${decision.detail}`;
    if (!decision.decided) {
      return { decision, outcome: openOutcome('SOLVER', `the logic layer decided nothing: ${decision.detail}`, 'unsupported-inference', decision.detail) };
    }
    const artifact = { answer: decision.answer, logic: decision.logic, method: decision.method, detail: decision.detail, reference, solver: decision.artifact };
    const method = vksMethod(decision.method);
    if (mode === 'label' || decision.answer === 'True') {
      const stored = this.record({ tier: 'DERIVED', text, status: 'VERIFIED', method, artifact });
      const reason = mode === 'label' ? `the logic layer answers ${decision.answer}` : 'the conclusion follows';
      return { decision, outcome: { status: 'VERIFIED', decided: true, source: 'SOLVER', reference, correction: null, vksId: stored.id, reason } };
    }
    if (decision.answer === 'False') {
      const correction = negation(text);
      const stored = this.record({ tier: 'DERIVED', text, status: 'REFUTED', method, artifact: { ...artifact, correction } });
      return { decision, outcome: { status: 'CORRECTED', decided: true, source: 'SOLVER', reference, correction, vksId: stored.id, reason: 'the negation of the conclusion follows' } };
    }
    return { decision, outcome: { ...openOutcome('SOLVER', `it does not follow: ${decision.detail}`, 'unsupported-inference', decision.detail), reference } };
  }

  /**
   * A frame answer that is not even of the frame's kind ("baker" for a year) is wrong whatever the
   * fact is: the corpus's own answer, when it has one, replaces it.
   */
  private offKind(claim: WorkingClaim<M, A>): Outcome | null {
    const world = this.deps.world;
    if (!world || !claim.match || claim.answer === null || world.claimForAnswer(claim.match, claim.answer) !== null) return null;
    const found = world.findAnswer(claim.match);
    const correction = found ? world.claimForAnswer(claim.match, found.answer) : null;
    if (!found || correction === null) return null;
    const reason = `"${claim.answer}" is not an answer of this kind; the corpus answers ${found.answer}`;
    const stored = this.record({ tier: 'FACTUAL', text: claim.text, status: 'REFUTED', method: 'CORPUS', artifact: { reference: found.reference, passage: found.passageId, reason, correction } });
    this.recordOnce({ tier: 'FACTUAL', text: correction, status: 'VERIFIED', method: 'CORPUS', artifact: { reference: found.reference, passage: found.passageId, reason: 'the passage states it' } });
    return { status: 'CORRECTED', decided: true, source: 'CORPUS', reference: found.reference, correction, vksId: stored.id, reason };
  }

  /** The VKS holds the same frame fact with another answer (verified earlier, e.g. by the oracle): that answer corrects this one. */
  private otherAnswerInVks(claim: WorkingClaim<M, A>): Outcome | null {
    if (!claim.match) return null;
    const known = this.fromVksByFact(claim.match);
    const source = known?.outcome.vksId ? this.deps.vks.get(known.outcome.vksId) : null;
    // a record from the oracle's word alone (UNVERIFIED when looked up) still corrects, naming its source, as the oracle would
    const stands = known && (known.outcome.status === 'VERIFIED' || (known.outcome.status === 'UNVERIFIED' && source?.method === 'ORACLE'));
    if (!known || !stands || this.deps.world?.sameClaim(known.text, claim.text)) return null;
    if (!source) return null;
    // derived from that record: invalidating it invalidates this refutation too
    const stored = this.record({
      tier: source.tier === 'AXIOM' ? 'DERIVED' : source.tier, text: claim.text, status: 'REFUTED', method: source.method, dependsOn: [source.id],
      artifact: { reference: known.outcome.reference, correction: known.text, reason: 'the VKS holds this fact with another answer' },
    });
    return { ...known.outcome, status: 'CORRECTED', correction: known.text, vksId: stored.id, reason: 'the VKS holds this fact with another answer' };
  }

  /**
   * A claim that states a frame fact, against the corpus. A contradiction counts only when the
   * corpus states this very fact (frame and subject) — its answer is then the correction — so a
   * passage about another subject never refutes a claim.
   */
  private frameFact(claim: WorkingClaim<M, A>, match: M): Outcome {
    const world = this.deps.world as WorldChecks<M>;
    const r = world.verify(claim.text, match);
    if (r.verdict === 'SUPPORTED') {
      const stored = this.record({ tier: 'FACTUAL', text: claim.text, status: 'VERIFIED', method: 'CORPUS', artifact: { reference: r.reference, passage: r.passageId, reason: r.reason } });
      return { status: 'VERIFIED', decided: true, source: 'CORPUS', reference: r.reference, correction: null, vksId: stored.id, reason: r.reason };
    }
    const found = r.verdict === 'CONTRADICTED' ? world.findAnswer(match) : null;
    const correction = found ? world.claimForAnswer(match, found.answer) : null;
    if (!found || correction === null) {
      const why = r.verdict === 'CONTRADICTED' ? `a passage seems to contradict it (${r.reason}) but the corpus states no answer to this fact` : `the corpus does not say: ${r.reason}`;
      return this.otherAnswerInVks({ ...claim, match }) ?? openOutcome('CORPUS', why, 'unverified', r.reason);
    }
    if (world.sameClaim(correction, claim.text)) {
      const stored = this.record({ tier: 'FACTUAL', text: claim.text, status: 'VERIFIED', method: 'CORPUS', artifact: { reference: found.reference, passage: found.passageId, reason: 'the passage states this answer' } });
      return { status: 'VERIFIED', decided: true, source: 'CORPUS', reference: found.reference, correction: null, vksId: stored.id, reason: 'the passage states this answer' };
    }
    const reason = `${r.reason}; the corpus answers ${found.answer}`;
    const stored = this.record({ tier: 'FACTUAL', text: claim.text, status: 'REFUTED', method: 'CORPUS', artifact: { reference: found.reference, passage: found.passageId, reason, correction } });
    this.recordOnce({ tier: 'FACTUAL', text: correction, status: 'VERIFIED', method: 'CORPUS', artifact: { reference: found.reference, passage: found.passageId, reason: 'the passage states it' } });
    return { status: 'CORRECTED', decided: true, source: 'CORPUS', reference: found.reference, correction, vksId: stored.id, reason };
  }

  record(rec: NewRecord): VksRecord {
    return this.deps.vks.add(rec);
  }

  /** Writes a record unless the VKS already holds this exact claim. */
  recordOnce(rec: NewRecord): VksRecord | null {
    const hit = this.deps.vks.lookup({ text: rec.text, canonical: null });
    if (hit && hit.via === 'exact') return null;
    return this.record(rec);
  }
}
