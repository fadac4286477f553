/**
 * The oracle, last: asked about a claim nothing local could decide (or a question the model refused),
 * with the query worded by what failed. Its answer is itself checked where a checker exists — for a
 * frame fact, the corpus: a corpus contradiction beats the oracle — and is stored in the VKS in the
 * CONTESTED tier, below a proof (DERIVED) and a passage (FACTUAL). An answer only the oracle vouches
 * for is shown but stays UNVERIFIED (a model's word is evidence, not a check); one it contradicts is
 * CORRECTED with the oracle named as the source. "I don't know", a refusal or a failure (timeout,
 * HTTP error, malformed reply) leaves the claim UNVERIFIED with the reason.
 */
import type { Checker } from './check';
import { isOracleRefusal } from './oracle';
import type { FrameRef, WorldChecks } from './ports';
import type { Oracle, OracleQuery, OracleReply } from './types';
import { UNCHECKED, asSentence, type Outcome, type WorkingClaim } from './work';

export interface OracleDeps<M extends FrameRef, A> {
  oracle: Oracle;
  checker: Checker<M, A>;
  world: WorldChecks<M> | null;
  signal?: AbortSignal;
  /** Counts each call made. */
  onCall(): void;
}

type Asked = { reply: OracleReply } | { failure: string };

async function ask<M extends FrameRef, A>(deps: OracleDeps<M, A>, query: OracleQuery): Promise<Asked> {
  deps.onCall();
  try {
    return { reply: await deps.oracle.ask(query, deps.signal) };
  } catch (err) {
    if (deps.signal?.aborted) throw err;
    return { failure: err instanceof Error ? err.message : String(err) };
  }
}

const YES = /^\s*(yes|true|correct|right|that is (true|correct)|it is true)\b/i;
const NO = /^\s*(no|false|incorrect|wrong|that is (false|incorrect)|it is false)\b[\s,.:;-]*/i;

/** The answer a short reply gives ("Borl.", "Borl", "The capital of Uten is Borl."). */
function answerOf<M extends FrameRef>(world: WorldChecks<M>, match: M, reply: string): string | null {
  const first = reply.split('\n')[0].trim();
  const stated = world.readStatement(asSentence(first));
  if (stated && stated.match.frame.id === match.frame.id) return stated.answer;
  const bare = first.replace(/[.!]+$/, '').trim();
  return bare.split(/\s+/).length <= 5 ? bare : null;
}

function via(oracle: Oracle, reply: OracleReply): string {
  return `oracle ${oracle.describe} (${reply.model}, ${Math.round(reply.elapsedMs)} ms)`;
}

/** A frame claim (or a refused frame question, `claim` null): the oracle answers the frame's question. */
export async function oracleForFrame<M extends FrameRef, A>(
  deps: OracleDeps<M, A>,
  question: string,
  match: M,
  claim: WorkingClaim<M, A> | null,
  open: Outcome | null,
): Promise<{ outcome: Outcome; text: string } | null> {
  const world = deps.world as WorldChecks<M>;
  const query: OracleQuery = claim && open
    ? { question, claim: claim.text, errorType: open.errorType ?? 'unverified', evidence: open.evidence, failure: open.reason }
    : { question, errorType: 'refusal', failure: 'the local model declined to answer and the corpus does not say' };
  const asked = await ask(deps, query);
  const text = claim?.text ?? '';
  if ('failure' in asked) return failed(text, `the oracle failed: ${asked.failure}`, open);
  const { reply } = asked;
  if (isOracleRefusal(reply.text) || reply.text.trim() === '') return failed(text, `the oracle (${deps.oracle.describe}) does not know either`, open);
  const answer = answerOf(world, match, reply.text);
  const said = answer === null ? null : world.claimForAnswer(match, answer);
  if (said === null) return failed(text, `the oracle's reply is not an answer to this question: "${reply.text.slice(0, 120)}"`, open);
  const reference = via(deps.oracle, reply);
  // the oracle's answer is checked where a checker exists: the corpus on a frame fact
  const check = world.verify(said, match);
  let verified = said;
  let source: Outcome['source'] = 'ORACLE';
  let ref = reference;
  if (check.verdict === 'CONTRADICTED' && check.correction !== null) {
    const corpusClaim = world.claimForAnswer(match, check.correction);
    if (corpusClaim !== null) {
      verified = corpusClaim;
      source = 'CORPUS';
      ref = `${check.reference ?? 'the corpus'} (the corpus contradicts ${reference}, and wins)`;
    }
  } else if (check.verdict === 'SUPPORTED') {
    source = 'CORPUS';
    ref = `${check.reference ?? 'the corpus'} (confirms ${reference})`;
  } else {
    deps.checker.recordOnce({ tier: 'CONTESTED', text: said, status: 'VERIFIED', method: 'ORACLE', conditions: [`answered by ${deps.oracle.describe}`], artifact: { reference, oracle: reply.model, reply: reply.text } });
  }
  // the oracle's word alone is evidence, never a verification: only a checker makes [VERIFIED]
  const status = source === 'ORACLE' ? 'UNVERIFIED' : 'VERIFIED';
  const unchecked = source === 'ORACLE' ? `; ${UNCHECKED} (${reference})` : '';
  if (claim === null) {
    return { text: verified, outcome: { status, decided: true, source, reference: ref, correction: null, vksId: null, reason: `the model refused; answered from the oracle${unchecked}` } };
  }
  if (world.sameClaim(verified, claim.text)) {
    return { text, outcome: { status, decided: true, source, reference: ref, correction: null, vksId: null, reason: `the oracle gives the same answer${unchecked}` } };
  }
  deps.checker.record({ tier: source === 'CORPUS' ? 'FACTUAL' : 'CONTESTED', text: claim.text, status: 'REFUTED', method: source === 'CORPUS' ? 'CORPUS' : 'ORACLE', artifact: { reference: ref, correction: verified } });
  return { text, outcome: { status: 'CORRECTED', decided: true, source, reference: ref, correction: verified, vksId: null, reason: 'the oracle answers otherwise' } };
}

/** Any other claim: the oracle is asked whether it holds. */
export async function oracleForClaim<M extends FrameRef, A>(deps: OracleDeps<M, A>, question: string, claim: WorkingClaim<M, A>, open: Outcome): Promise<Outcome> {
  const asked = await ask(deps, { question, claim: claim.text, errorType: open.errorType ?? 'unverified', evidence: open.evidence, failure: open.reason });
  if ('failure' in asked) return failed(claim.text, `the oracle failed: ${asked.failure}`, open).outcome;
  const { reply } = asked;
  const reference = via(deps.oracle, reply);
  if (isOracleRefusal(reply.text)) return failed(claim.text, `the oracle (${deps.oracle.describe}) does not know either`, open).outcome;
  if (YES.test(reply.text)) {
    deps.checker.recordOnce({ tier: 'CONTESTED', text: claim.text, status: 'VERIFIED', method: 'ORACLE', conditions: [`answered by ${deps.oracle.describe}`], artifact: { reference, reply: reply.text } });
    return { status: 'UNVERIFIED', decided: true, source: 'ORACLE', reference, correction: null, vksId: null, reason: `the oracle confirms it; ${UNCHECKED} (${reference})` };
  }
  const no = NO.exec(reply.text);
  if (no) {
    const rest = reply.text.slice(no[0].length).trim();
    if (rest.length > 0) {
      const correction = asSentence(rest.charAt(0).toUpperCase() + rest.slice(1));
      deps.checker.record({ tier: 'CONTESTED', text: claim.text, status: 'REFUTED', method: 'ORACLE', artifact: { reference, correction, reply: reply.text } });
      return { status: 'CORRECTED', decided: true, source: 'ORACLE', reference, correction, vksId: null, reason: 'the oracle refutes it' };
    }
    return failed(claim.text, `the oracle (${deps.oracle.describe}) disputes it but gives no correction`, open).outcome;
  }
  return failed(claim.text, `the oracle's reply neither confirms nor refutes it: "${reply.text.slice(0, 120)}"`, open).outcome;
}

function failed(text: string, why: string, open: Outcome | null): { outcome: Outcome; text: string } {
  const base = open ?? { status: 'UNVERIFIED' as const, decided: false, source: 'ORACLE' as const, reference: null, correction: null, vksId: null, reason: '' };
  return { text, outcome: { ...base, status: 'UNVERIFIED', decided: false, reason: base.reason ? `${base.reason}; ${why}` : why } };
}


/** A question the model refused and no frame covers: the oracle's answer as text, or why there is none. */
export async function oracleAnswer<M extends FrameRef, A>(deps: OracleDeps<M, A>, question: string): Promise<{ text: string; reference: string } | { failure: string }> {
  const asked = await ask(deps, { question, errorType: 'refusal', failure: 'the local model declined to answer' });
  if ('failure' in asked) return { failure: `the oracle failed: ${asked.failure}` };
  if (isOracleRefusal(asked.reply.text)) return { failure: `the oracle (${deps.oracle.describe}) does not know either` };
  return { text: asked.reply.text.trim(), reference: via(deps.oracle, asked.reply) };
}
