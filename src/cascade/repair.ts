/**
 * Self-repair before the oracle, each attempt recorded on the claim: re-encode (the logic layer's
 * other formalisations of a formal claim), re-state (the model asked the frame's question in its
 * other wordings, each answer checked again; agreement between phrasings is evidence, not proof),
 * decompose (a compound claim split at and / ; / , and each part checked).
 */
import type { Checker } from './check';
import type { Drafter } from './draft';
import type { ArgumentChecks, FrameRef, WorldChecks } from './ports';
import { claimOfSentence } from './plan';
import type { RepairAttempt } from './types';
import { asSentence, type Outcome, type WorkingClaim } from './work';

export interface RepairDeps<M extends FrameRef, A> {
  checker: Checker<M, A>;
  world: WorldChecks<M> | null;
  args: ArgumentChecks<A> | null;
  drafter: Drafter;
  signal?: AbortSignal;
}

const MAX_ATTEMPTS = 3;

function note(claim: WorkingClaim<FrameRef, unknown>, attempt: RepairAttempt): void {
  claim.repairs.push(attempt);
}

/** Tries each strategy that applies, in turn; the first that decides the claim wins. Returns the open outcome updated otherwise. */
export async function selfRepair<M extends FrameRef, A>(claim: WorkingClaim<M, A>, open: Outcome, deps: RepairDeps<M, A>): Promise<Outcome> {
  let current = open;
  for (const strategy of [reencode, restate, decompose]) {
    const next = await strategy(claim, current, deps);
    if (next) {
      if (next.decided) return next;
      current = next;
    }
  }
  return current;
}

async function reencode<M extends FrameRef, A>(claim: WorkingClaim<M, A>, open: Outcome, deps: RepairDeps<M, A>): Promise<Outcome | null> {
  if (claim.kind !== 'FORMAL' || !deps.args) return null;
  const alternatives = deps.args.reencode(claim.text).slice(0, MAX_ATTEMPTS);
  if (alternatives.length === 0) {
    note(claim, { strategy: 're-encode', input: claim.text, outcome: 'no other formalisation of this text', decided: false });
    return null;
  }
  for (const alt of alternatives) {
    const input = deps.args.describe(alt);
    try {
      const { outcome, decision } = await deps.checker.argument(claim.text, alt, claim.origin === 'argument' ? 'label' : 'claim');
      note(claim, { strategy: 're-encode', input, outcome: `${decision.method} in ${decision.logic}: ${decision.answer}${outcome.decided ? '' : ' (decides nothing)'}`, decided: outcome.decided });
      if (outcome.decided) {
        claim.argument = alt;
        return outcome;
      }
    } catch (err) {
      note(claim, { strategy: 're-encode', input, outcome: `not decided: ${(err as Error).message}`, decided: false });
    }
  }
  return { ...open, reason: `${open.reason}; no other formalisation could be decided` };
}

async function restate<M extends FrameRef, A>(claim: WorkingClaim<M, A>, open: Outcome, deps: RepairDeps<M, A>): Promise<Outcome | null> {
  const { world, checker, drafter } = deps;
  if (!world || !claim.match || claim.origin === 'check') return null;
  const match = claim.match;
  const answers: string[] = [];
  for (const phrasing of world.otherPhrasings(match).slice(0, MAX_ATTEMPTS)) {
    const draft = await drafter.draft(phrasing, deps.signal);
    if (draft.refused) {
      note(claim, { strategy: 're-state', input: phrasing, outcome: 'the model refused', decided: false });
      continue;
    }
    const answer = draft.text.replace(/[.!]+$/, '').trim();
    answers.push(answer);
    const restated = world.claimForAnswer(match, answer);
    if (restated === null) {
      note(claim, { strategy: 're-state', input: phrasing, outcome: `"${answer}" is not an answer of this kind`, decided: false });
      continue;
    }
    const checked = await checker.check({ ...claim, text: restated, kind: 'FACTUAL', answer, repairs: [] });
    const verified = checked.status === 'VERIFIED' ? restated : checked.status === 'CORRECTED' && checked.decided ? checked.correction : null;
    if (!checked.decided || verified === null) {
      note(claim, { strategy: 're-state', input: phrasing, outcome: `answered "${answer}"; still not decided`, decided: false });
      continue;
    }
    const same = world.sameClaim(verified, claim.text);
    note(claim, { strategy: 're-state', input: phrasing, outcome: `answered "${answer}"; ${checked.source} verifies "${verified}"`, decided: true });
    const reference = `re-stated as "${phrasing}"; ${checked.reference ?? checked.source}`;
    if (same) return { status: 'VERIFIED', decided: true, source: checked.source, reference, correction: null, reason: 'verified through another phrasing of the question', vksId: checked.vksId };
    // the frame states one fact: a verified other answer refutes this one
    checker.record({ tier: 'FACTUAL', text: claim.text, status: 'REFUTED', method: 'CORPUS', artifact: { reference, correction: verified, reason: 're-state' } });
    return { status: 'CORRECTED', decided: true, source: checked.source, reference, correction: verified, reason: 'another phrasing of the question was verified with another answer', vksId: checked.vksId };
  }
  if (answers.length === 0) return null;
  const own = claim.answer === null ? [] : [claim.answer];
  const distinct = new Set([...own, ...answers].map((a) => a.toLowerCase()));
  return distinct.size > 1
    ? { ...open, errorType: 'wrong-fact', evidence: `the model gives different answers to phrasings of the question: ${[...distinct].join(', ')}`, reason: `${open.reason}; phrasings of the question disagree (${[...distinct].join(', ')})` }
    : { ...open, evidence: `the model gives the same answer to ${answers.length + own.length} phrasings (agreement, not proof)`, reason: `${open.reason}; ${answers.length + own.length} phrasings agree, which is not proof` };
}

/** "Tuten plays the harp and lives in Uten" → ["Tuten plays the harp.", "Tuten lives in Uten."] */
export function splitCompound(text: string): string[] {
  const body = text.trim().replace(/[.!]+$/, '');
  const parts = body.split(/\s*(?:;|,\s*and\s+|\band\b|,)\s*/).map((p) => p.trim()).filter(Boolean);
  if (parts.length < 2) return [];
  const subject = /^((?:[A-Z][\w'-]*\s+)*?(?:the\s+\w+\s+of\s+)?[A-Z][\w'-]*)\s+[a-z]/.exec(parts[0])?.[1] ?? null;
  return parts.map((p, i) => {
    if (i > 0 && subject && /^[a-z]/.test(p) && !/^(the|a|an|he|she|it|they|his|her|its)\b/.test(p)) return asSentence(`${subject} ${p}`);
    return asSentence(p.charAt(0).toUpperCase() + p.slice(1));
  });
}

async function decompose<M extends FrameRef, A>(claim: WorkingClaim<M, A>, open: Outcome, deps: RepairDeps<M, A>): Promise<Outcome | null> {
  if (claim.origin === 'argument' || claim.kind === 'FORMAL') return null;
  const parts = splitCompound(claim.text);
  if (parts.length === 0) return null;
  const results: Array<{ part: string; outcome: Outcome }> = [];
  for (const part of parts) {
    const sub = claimOfSentence<M, A>(deps.world, part, claim.kind, claim.origin);
    const outcome = await deps.checker.check(sub);
    results.push({ part, outcome });
    note(claim, { strategy: 'decompose', input: part, outcome: `${outcome.status} (${outcome.source}): ${outcome.reason}`, decided: outcome.decided && outcome.status !== 'SOFT' });
  }
  const allDecided = results.every((r) => r.outcome.decided && (r.outcome.status === 'VERIFIED' || r.outcome.status === 'CORRECTED'));
  if (!allDecided) return { ...open, reason: `${open.reason}; split into ${parts.length} parts, not all decided` };
  const corrected = results.some((r) => r.outcome.status === 'CORRECTED');
  const reference = results.map((r) => `${r.part} ${r.outcome.reference ?? r.outcome.source}`).join('; ');
  const sources = new Set(results.map((r) => r.outcome.source));
  const source = sources.size === 1 ? results[0].outcome.source : results.find((r) => r.outcome.status === 'CORRECTED')?.outcome.source ?? results[0].outcome.source;
  if (!corrected) return { status: 'VERIFIED', decided: true, source, reference, correction: null, reason: `each of its ${parts.length} parts is verified`, vksId: null };
  const correction = results.map((r) => (r.outcome.status === 'CORRECTED' ? r.outcome.correction : r.part)).join(' ');
  return { status: 'CORRECTED', decided: true, source, reference, correction, reason: 'a part of it is refuted', vksId: null };
}
