/**
 * The verified answer: draft → route → claims → check (VKS first) → self-repair → oracle → integrate.
 * `Cascade.open` loads the model, its sidecar, the VKS, the domain pack and the corpus once;
 * `ask` answers one question. Each stage is its own module; this one only runs them in order,
 * times them and turns working claims into the reports of ./types.ts. A router (the meta layer's,
 * passed in) may shorten the order after the draft: ./route.ts says how.
 */
import * as fs from 'node:fs';
import { loadLogicBackend } from '../claims/logic-backend';
import { lookupOptions } from '../claims/lookup';
import type { FormalBackend } from '../claims/formal';
import { loadModel } from '../engine/model';
import type { Model } from '../engine/model';
import { DisposedError, throwIfAborted } from '../engine/errors';
import { CogitoError } from '../util/errors';
import { seedVks } from '../vks/seed';
import { Vks } from '../vks/store';
import { annotatedText, answerId, answerStatus, finalText } from './annotate';
import { Checker } from './check';
import { Drafter, type Draft, type DraftGeneration } from './draft';
import { oracleAnswer, oracleForClaim, oracleForFrame, type OracleDeps } from './escalate';
import { modelClaimExtractor } from './model-claims';
import { resolvePaths, type CascadeOptions, type ResolvedPaths, type Router } from './options';
import { planClaims, workingClaim } from './plan';
import type { ArgumentChecks, FrameRef, WorldChecks } from './ports';
import { selfRepair } from './repair';
import { routePlan, type RoutePlan } from './route';
import { openSources, type Sources } from './sources';
import type { AskResult, ClaimReport, FormalAnswerReport, Oracle } from './types';
import { openOutcome, type ClaimOrigin, type Outcome, type WorkingClaim } from './work';

/** What the result alone does not say, for a caller that learns from answers (the meta layer's feedback loop). */
export interface AnswerTrace {
  /** The draft's generation and pass 1's state; null without a sidecar. */
  generation: DraftGeneration | null;
  /** Where each of the result's claims came from, in the order of `claims`. */
  origins: ClaimOrigin[];
}

export interface AskOptions {
  signal?: AbortSignal;
  /** Called with the answer's trace before `ask` returns; asking for it costs one prompt-cache lookup of the sidecar. */
  onAnswer?: (result: AskResult, trace: AnswerTrace) => void;
}

type Stage = 'draft' | 'route' | 'claims' | 'check' | 'repair' | 'oracle' | 'integrate';

export class Cascade {
  private closed = false;

  private constructor(
    readonly paths: ResolvedPaths,
    private readonly model: Model,
    private readonly drafter: Drafter,
    readonly vks: Vks,
    private readonly world: WorldChecks<FrameRef> | null,
    private readonly args: ArgumentChecks<unknown> | null,
    private readonly formal: FormalBackend,
    private readonly oracle: Oracle | null,
    private readonly repair: boolean,
    private readonly sources: Sources,
    private router: Router | null,
  ) {}

  /** Routes the questions asked from now on (null: the full order); a router made after open, e.g. for this model's fingerprint. */
  useRouter(router: Router | null): void {
    this.router = router;
  }

  /** Loads everything a question needs; a missing or corrupt file fails here, before any question. */
  static async open(options: CascadeOptions = {}): Promise<Cascade> {
    const paths = resolvePaths(options, (p) => fs.existsSync(p));
    const formal = loadLogicBackend();
    // the data files first: a corrupt corpus or VKS is reported before the model loads
    const sources = openSources(paths);
    let vks: Vks | null = null;
    let model: Model | null = null;
    try {
      vks = Vks.open(paths.vks, lookupOptions(formal));
      // the seed axioms (the Cogito and its kin), once: what `cogito vks seed` writes
      seedVks(vks, (t) => formal.canonical(t));
      model = await loadModel(paths.model);
      const drafter = await Drafter.open(model, paths.sidecar, { threads: options.threads, maxTokens: options.maxDraftTokens });
      return new Cascade(paths, model, drafter, vks, sources.world, sources.args, formal, options.oracle ?? null, options.repair ?? true, sources, options.router ?? null);
    } catch (err) {
      vks?.close();
      sources.close();
      await model?.dispose();
      throw err;
    }
  }

  /** The fingerprint of the model that drafts (ModelInfo.fingerprint): the base its answers' labels are about. */
  get modelFingerprint(): string {
    return this.model.info.fingerprint;
  }

  /** Checks a question without answering it (empty, NUL, longer than the context): for a batch, before the first answer. */
  checkQuestion(question: string): void {
    this.drafter.prompt(question);
  }

  async ask(question: string, opts: AskOptions = {}): Promise<AskResult> {
    if (this.closed) throw new DisposedError('this cascade is closed', 'DISPOSED');
    const { signal } = opts;
    const timings: Record<string, number> = {};
    const started = performance.now();
    const timed = async <T>(stage: Stage, work: () => Promise<T> | T): Promise<T> => {
      throwIfAborted(signal);
      const t0 = performance.now();
      try {
        return await work();
      } finally {
        timings[stage] = round((timings[stage] ?? 0) + performance.now() - t0);
      }
    };
    let oracleCalls = 0;
    const checker = new Checker({ vks: this.vks, world: this.world, args: this.args, formal: this.formal, verifier: this.sources.verifier, pack: this.sources.pack });

    // the router reads the draft's generation (its signals), as does a caller that learns from answers
    const draft: Draft = await timed('draft', () => this.drafter.draft(question, signal, opts.onAnswer !== undefined || this.router !== null));
    const route = this.router ? await timed('route', () => this.router?.route(question, { text: draft.text, refused: draft.refused, generation: draft.generation ?? null }) ?? null) : null;
    const steps: RoutePlan = routePlan(route, { repair: this.repair, oracle: this.oracle !== null });
    const oracle = steps.oracle ? this.oracle : null;
    const extractor = this.drafter.isChatModel && this.drafter.chatTemplate ? modelClaimExtractor(this.drafter.plainContext, this.drafter.chatTemplate) : null;
    const plan = await timed('claims', () => planClaims(question, draft, this.world, this.args, extractor));

    const outcomes = new Map<WorkingClaim, Outcome>();
    let refusal = oracle ? 'no verified source could answer' : `no verified source could answer, and ${steps.noOracle}`;
    const claims = plan.claims;

    // the model refused a frame question: the corpus may know the answer
    if (claims.length === 0 && plan.reading.kind === 'frame' && this.world) {
      const match = plan.reading.match;
      const known = await timed('check', () => checker.fromVksByFact(match));
      const found = known ? null : await timed('check', () => this.world?.findAnswer(match) ?? null);
      const text = found ? this.world.claimForAnswer(match, found.answer) : null;
      if (known) {
        const claim = workingClaim<FrameRef, unknown>(known.text, 'FACTUAL', 'found', { match });
        claims.push(claim);
        outcomes.set(claim, known.outcome);
      } else if (found && text !== null) {
        const claim = workingClaim<FrameRef, unknown>(text, 'FACTUAL', 'found', { match, answer: found.answer });
        claims.push(claim);
        const known = checker.fromVks(text);
        if (!known) checker.recordOnce({ tier: 'FACTUAL', text, status: 'VERIFIED', method: 'CORPUS', artifact: { reference: found.reference, passage: found.passageId, reason: 'the passage answers the question' } });
        outcomes.set(claim, known ?? { status: 'VERIFIED', decided: true, source: 'CORPUS', reference: found.reference, correction: null, vksId: null, reason: 'the model refused; the corpus answers' });
      } else if (oracle) {
        const deps = this.oracleDeps(oracle, checker, signal, () => oracleCalls++);
        const r = await timed('oracle', () => oracleForFrame(deps, question, match, null, null));
        if (r && r.outcome.decided) {
          const claim = workingClaim<FrameRef, unknown>(r.text, 'FACTUAL', 'found', { match });
          claims.push(claim);
          outcomes.set(claim, r.outcome);
        } else if (r) refusal = r.outcome.reason;
      } else refusal = `the corpus does not say, and ${steps.noOracle}`;
    } else if (claims.length === 0 && draft.refused && plan.reading.kind === 'open' && oracle) {
      // an open question the model refused: the oracle's answer, split into claims each checked like a draft's
      const deps = this.oracleDeps(oracle, checker, signal, () => oracleCalls++);
      const answered = await timed('oracle', () => oracleAnswer(deps, question));
      if ('text' in answered) {
        const found = await timed('claims', () => planClaims(question, { text: answered.text, refused: false, decision: null }, this.world, this.args, extractor));
        for (const c of found.claims) claims.push({ ...c, origin: 'oracle', reference: answered.reference });
      } else refusal = answered.failure;
    }

    for (const claim of claims) {
      if (outcomes.has(claim)) continue;
      let outcome = await timed('check', async () => {
        try {
          return await checker.check(claim);
        } catch (err) {
          // a solver that fails on this claim decides nothing; the claim stays open
          if (!(err instanceof CogitoError) || err.code === 'ABORTED') throw err;
          return openOutcome(claim.kind === 'FORMAL' ? 'SOLVER' : 'CORPUS', `the check failed: ${err.message.split('\n', 1)[0]}`, 'unsupported-inference');
        }
      });
      if (!outcome.decided && steps.repair) outcome = await timed('repair', () => selfRepair(claim, outcome, { checker, world: this.world, args: this.args, drafter: this.drafter, signal }));
      if (!outcome.decided && claim.origin === 'oracle') {
        outcome = { ...outcome, reference: claim.reference ?? null, reason: `${outcome.reason}; stated by the oracle, and no checker confirms it` };
      } else if (!outcome.decided && oracle) {
        const deps = this.oracleDeps(oracle, checker, signal, () => oracleCalls++);
        const current = outcome;
        outcome = await timed('oracle', async () => {
          if (claim.match && this.world) {
            const frameQuestion = plan.reading.kind === 'frame' ? question : (this.world.otherPhrasings(claim.match)[0] ?? question);
            return (await oracleForFrame(deps, frameQuestion, claim.match, claim, current))?.outcome ?? current;
          }
          return oracleForClaim(deps, question, claim, current);
        });
      }
      if (!outcome.decided && !oracle && outcome.status === 'UNVERIFIED') outcome = { ...outcome, reason: `${outcome.reason}; ${steps.noOracle}` };
      outcomes.set(claim, outcome);
    }

    const t0 = performance.now();
    const formal = this.formalFromVks(claims, outcomes);
    const reports = claims.map((c) => report(c, outcomes.get(c) as Outcome));
    const refused = draft.refused && (plan.reading.kind === 'frame' || plan.reading.kind === 'open') && !claims.some((c) => c.origin === 'oracle');
    const status = answerStatus(reports, refused);
    const annotated = annotatedText(reports, formal, status, refusal);
    timings.integrate = round(performance.now() - t0);
    timings.total = round(performance.now() - started);
    const result: AskResult = {
      id: answerId(question, annotated),
      question,
      draft: draft.text,
      final: status === 'REFUSED' ? '' : finalText(reports, formal),
      annotated,
      status,
      claims: reports,
      formal,
      decision: draft.decision,
      oracle_calls: oracleCalls,
      ...(route ? { route } : {}),
      timings_ms: timings,
    };
    opts.onAnswer?.(result, { generation: draft.generation ?? null, origins: claims.map((c) => c.origin) });
    return result;
  }

  /** A posed argument's label, from the VKS record its decision was written to (or answered from). */
  private formalFromVks(claims: WorkingClaim[], outcomes: Map<WorkingClaim, Outcome>): FormalAnswerReport | null {
    const claim = claims.find((c) => c.origin === 'argument');
    const id = claim ? outcomes.get(claim)?.vksId : null;
    const artifact = id ? this.vks.get(id)?.artifact : null;
    if (!artifact || typeof artifact !== 'object' || Array.isArray(artifact)) return null;
    const { answer, logic, method } = artifact;
    if ((answer === 'True' || answer === 'False' || answer === 'Uncertain') && typeof logic === 'string' && typeof method === 'string') return { answer, logic, method };
    return null;
  }

  private oracleDeps(oracle: Oracle, checker: Checker<FrameRef, unknown>, signal: AbortSignal | undefined, onCall: () => void): OracleDeps<FrameRef, unknown> {
    return { oracle, checker, world: this.world, signal, onCall };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.drafter.dispose();
      await this.model.dispose();
    } finally {
      this.vks.close();
      this.sources.close();
    }
  }
}

function report(claim: WorkingClaim, o: Outcome): ClaimReport {
  return {
    text: claim.text,
    kind: claim.kind,
    status: o.status,
    source: o.status === 'UNVERIFIED' && !o.decided ? 'NONE' : o.source,
    reference: o.reference,
    correction: o.status === 'CORRECTED' ? o.correction : null,
    reason: o.reason,
    repairs: claim.repairs,
    vksId: o.vksId,
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
