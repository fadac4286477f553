/**
 * One claim against the sources, VKS first: a record already decided answers at once (a REFUTED
 * record with a stored correction answers with the correction; an invalidated one says so);
 * otherwise FORMAL → the logic layer, FACTUAL → the corpus, INTERPRETIVE / META → a soft pass.
 * Every new decision is written to the VKS.
 */
import { formalise, type FormalBackend } from '../claims/formal';
import type { Vks } from '../vks/store';
import type { Json, NewRecord, VksRecord } from '../vks/types';
import type { ArgumentChecks, ArgumentDecision, FrameRef, WorldChecks } from './ports';
import { asSentence, negation, openOutcome, type Outcome, type WorkingClaim } from './work';

export interface CheckerDeps<M extends FrameRef, A> {
  vks: Vks;
  world: WorldChecks<M> | null;
  args: ArgumentChecks<A> | null;
  formal: FormalBackend | null;
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
  constructor(private readonly deps: CheckerDeps<M, A>) {}

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
    // lookups skip invalidated records: a claim once verified and since invalidated says so
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
    for (const r of this.deps.vks.lemmas({ text: world.factQuery(match), canonical: null }, 10)) {
      const stated = world.readStatement(r.text);
      if (!stated || !world.sameFact(stated.match, match)) continue;
      const outcome = this.outcomeOf(r, 'fact');
      if (outcome) return { text: r.text, outcome: { ...outcome, reason: 'the model refused; the VKS holds this fact' } };
    }
    return null;
  }

  outcomeOf(r: VksRecord, via: string): Outcome | null {
    const matched = `${r.tier} record ${r.id} (${r.method}), matched ${via}`;
    const reference = artifactField(r.artifact, 'reference');
    switch (r.status) {
      case 'VERIFIED':
      case 'CONDITIONAL':
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

  /** The claim against its source (the VKS already missed). */
  async route(claim: WorkingClaim<M, A>): Promise<Outcome> {
    switch (claim.kind) {
      case 'FORMAL':
        return this.formal(claim);
      case 'FACTUAL':
        return this.factual(claim);
      default:
        return {
          status: 'SOFT', decided: true, source: 'SOFT', reference: null, correction: null, vksId: null,
          reason: `${claim.kind.toLowerCase()} claim: a soft pass, not machine-checkable`,
        };
    }
  }

  /** A posed argument, decided by the logic layer and recorded. */
  async argument(text: string, argument: A): Promise<{ outcome: Outcome; decision: ArgumentDecision }> {
    const args = this.deps.args as ArgumentChecks<A>;
    const decision = await args.decide(argument);
    if (!decision.decided) {
      return { decision, outcome: openOutcome('SOLVER', `the logic layer decided nothing: ${decision.detail}`, 'unsupported-inference', decision.detail) };
    }
    const stored = this.record({
      tier: 'DERIVED', text, status: 'VERIFIED', method: vksMethod(decision.method),
      artifact: { answer: decision.answer, logic: decision.logic, method: decision.method, detail: decision.detail, reference: `${decision.method} in ${decision.logic}: ${decision.detail}`, solver: decision.artifact },
    });
    return {
      decision,
      outcome: {
        status: 'VERIFIED', decided: true, source: 'SOLVER', reference: `${decision.method} in ${decision.logic}: ${decision.detail}`, correction: null, vksId: stored.id,
        reason: `the logic layer answers ${decision.answer}`,
      },
    };
  }

  private async formal(claim: WorkingClaim<M, A>): Promise<Outcome> {
    const args = this.deps.args;
    const reading = claim.argument !== null ? { argument: claim.argument } : (args?.read(claim.text) ?? null);
    if (reading !== null && 'argument' in reading && args) {
      const { decision, outcome } = await this.argument(claim.text, reading.argument);
      return outcome.decided ? { ...outcome, reason: `the argument's label is ${decision.answer}` } : outcome;
    }
    if (reading !== null && 'unreadable' in reading) return openOutcome('SOLVER', `the argument cannot be read as written: ${reading.unreadable}`, 'unsupported-inference');
    const backend = this.deps.formal;
    const problem = backend ? formalise(claim.text, backend) : null;
    if (!backend || !problem) return openOutcome('SOLVER', 'no formula or argument the logic layer reads in this claim', 'unsupported-inference');
    const r = await backend.check(problem.premises, problem.conclusion);
    if (r.answer === 'Uncertain') return openOutcome('SOLVER', `${r.method}: neither the claim nor its negation follows`, 'unsupported-inference', `${r.method} found it undecided`);
    const reference = `${r.method}: ${r.answer}${problem.premises.length ? ` from ${problem.premises.length} premise(s)` : ' (validity)'}`;
    const correction = r.answer === 'False' ? negation(claim.text) : null;
    const stored = this.record({
      tier: 'DERIVED', text: claim.text, canonical: this.canonical(claim.text), status: r.answer === 'True' ? 'VERIFIED' : 'REFUTED', method: r.method,
      artifact: { reference, correction, premises: problem.premises, conclusion: problem.conclusion, solver: r.artifact },
    });
    return r.answer === 'True'
      ? { status: 'VERIFIED', decided: true, source: 'SOLVER', reference, correction: null, vksId: stored.id, reason: 'proved' }
      : { status: 'CORRECTED', decided: true, source: 'SOLVER', reference, correction, vksId: stored.id, reason: 'its negation is proved' };
  }

  /** A factual claim against the corpus: supported, contradicted (with the passage's answer), or not found. */
  factual(claim: WorkingClaim<M, A>): Outcome {
    const world = this.deps.world;
    if (!world) return openOutcome('CORPUS', 'no reference corpus is configured', 'unverified');
    const r = world.verify(claim.text, claim.match ?? undefined);
    if (r.verdict === 'NOT_FOUND') return this.offKind(claim) ?? this.otherAnswerInVks(claim) ?? openOutcome('CORPUS', `the corpus does not say: ${r.reason}`, 'unverified', r.reason);
    if (r.verdict === 'SUPPORTED') {
      const stored = this.record({
        tier: 'FACTUAL', text: claim.text, status: 'VERIFIED', method: 'CORPUS',
        artifact: { reference: r.reference, passage: r.passageId, reason: r.reason },
      });
      return { status: 'VERIFIED', decided: true, source: 'CORPUS', reference: r.reference, correction: null, vksId: stored.id, reason: r.reason };
    }
    const correction = this.correctionOf(claim, r.correction);
    if (correction === null) {
      // contradicted, but with nothing to put in its place: the claim is wrong and stays marked
      return { ...openOutcome('CORPUS', `the corpus contradicts it (${r.reason}) and offers no replacement`, 'wrong-fact', r.reason), reference: r.reference };
    }
    const stored = this.record({
      tier: 'FACTUAL', text: claim.text, status: 'REFUTED', method: 'CORPUS',
      artifact: { reference: r.reference, passage: r.passageId, reason: r.reason, correction },
    });
    this.recordOnce({ tier: 'FACTUAL', text: correction, status: 'VERIFIED', method: 'CORPUS', artifact: { reference: r.reference, passage: r.passageId, reason: 'the passage states it' } });
    return { status: 'CORRECTED', decided: true, source: 'CORPUS', reference: r.reference, correction, vksId: stored.id, reason: r.reason };
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
    if (!known || known.outcome.status !== 'VERIFIED' || known.text === claim.text) return null;
    const source = known.outcome.vksId ? this.deps.vks.get(known.outcome.vksId) : null;
    if (!source) return null;
    // derived from that record: invalidating it invalidates this refutation too
    const stored = this.record({
      tier: source.tier === 'AXIOM' ? 'DERIVED' : source.tier, text: claim.text, status: 'REFUTED', method: source.method, dependsOn: [source.id],
      artifact: { reference: known.outcome.reference, correction: known.text, reason: 'the VKS holds this fact with another answer' },
    });
    return { ...known.outcome, status: 'CORRECTED', correction: known.text, vksId: stored.id, reason: 'the VKS holds this fact with another answer' };
  }

  /** The corrected claim: the frame's claim with the passage's answer, or the answer read into the claim's own frame. */
  correctionOf(claim: WorkingClaim<M, A>, answer: string | null): string | null {
    if (answer === null) return null;
    const world = this.deps.world;
    const match = claim.match ?? world?.readStatement(claim.text)?.match ?? null;
    if (match && world) return world.claimForAnswer(match, answer);
    // an answer that is already a sentence stands for itself
    return /\s/.test(answer.trim()) ? asSentence(answer) : null;
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
