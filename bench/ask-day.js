'use strict';
// The parts of bench/ask.js that need no model: which questions a day of use asks, how an answer
// is judged against the world, what each question counts as (a VKS hit, a repair, an oracle
// call), the figures per window of questions, and whether a suite's line met its `expect`.
// The rules are written out in bench/README.md (`bench/ask.js`); this file is their one copy.

const { percentile, zipf } = require('./stats');

/** One object a non-empty line; a bad line throws naming the source and the line. */
function parseJsonl(text, source) {
  const out = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line));
    } catch (err) {
      throw new Error(`${source}:${i + 1}: not JSON: ${err.message}`);
    }
  });
  return out;
}

/**
 * The facts a day of use may ask: those marked held out in the world's facts (so no question was
 * used to train the sidecar), each with its held-out phrasing and popularity (`repetitions`).
 */
function heldOutFacts(facts, heldOut) {
  const questions = new Map(heldOut.map((h) => [h.id, h]));
  const out = [];
  for (const f of facts) {
    if (f.heldout !== true) continue;
    const h = questions.get(f.id);
    if (!h) throw new Error(`fact ${f.id} is marked held out but models/default.heldout.jsonl has no question for it`);
    if (!Number.isInteger(f.repetitions) || f.repetitions < 0) throw new Error(`fact ${f.id}: repetitions must be a non-negative integer`);
    out.push({ id: f.id, question: h.question, answers: f.answers, bucket: f.bucket, repetitions: f.repetitions, frame: f.frame, subject: f.subject ?? null });
  }
  if (out.length === 0) throw new Error('no held-out facts to ask about');
  return out;
}

/** Most popular first (repetitions descending); facts equally popular in a seeded random order. */
function rankByPopularity(facts, rand) {
  const tieBreak = new Map(facts.map((f) => [f.id, rand()]));
  return [...facts].sort((a, b) => b.repetitions - a.repetitions || tieBreak.get(a.id) - tieBreak.get(b.id));
}

/** `n` questions in asking order: a fact of popularity rank r is drawn with probability ∝ 1/r (Zipf, s = 1). */
function drawDay(facts, n, rand) {
  const ranked = rankByPopularity(facts, rand);
  const draw = zipf(ranked.length, rand);
  return Array.from({ length: n }, (_, i) => {
    const rank = draw();
    return { index: i, rank: rank + 1, fact: ranked[rank] };
  });
}

/** "{S}"/"{A}" filled in. */
function render(template, subject, answer) {
  return template.split('{S}').join(subject ?? '').split('{A}').join(answer);
}

/** What counts as a right answer to a fact: an accepted answer alone, or its frame's claim or a statement of it. */
function rightForms(fact, frame) {
  const forms = [...fact.answers];
  if (frame) {
    for (const template of [frame.claim, ...(frame.statements ?? [])]) {
      for (const a of fact.answers) forms.push(render(template, fact.subject, a));
    }
  }
  return forms;
}

/** The text's first non-empty line equals one of the forms under `normalise` (the loom's normaliseAnswer). */
function isRight(text, forms, normalise) {
  const line = String(text ?? '').split(/\r?\n/).find((l) => l.trim()) ?? '';
  const n = normalise(line);
  return n.length > 0 && forms.some((f) => normalise(f) === n);
}

/** Claims a checker can decide; INTERPRETIVE and META only ever get a soft pass. */
const CHECKABLE = new Set(['FACTUAL', 'FORMAL']);

const ratio = (a, b) => (b > 0 ? a / b : null);
const round = (x, digits = 4) => (x === null || x === undefined ? null : Number(x.toFixed(digits)));

/**
 * What one AskResult counts as. A VKS hit: at least one checkable claim, and every checkable claim
 * answered from the VKS. A failed first check: a checkable claim the cascade tried to repair, or
 * one it sent to the oracle or left undecided (source ORACLE or NONE). Repaired: a claim one of
 * whose repair attempts decided it.
 */
function classify(result) {
  const claims = result.claims ?? [];
  const checkable = claims.filter((c) => CHECKABLE.has(c.kind));
  const failedFirst = checkable.filter((c) => c.repairs.length > 0 || c.source === 'ORACLE' || c.source === 'NONE');
  return {
    claims: claims.length,
    checkable: checkable.length,
    vksHit: checkable.length > 0 && checkable.every((c) => c.source === 'VKS'),
    failedFirst: failedFirst.length,
    repaired: failedFirst.filter((c) => c.repairs.some((r) => r.decided)).length,
    oracleCalls: result.oracle_calls ?? 0,
    corrected: result.status === 'CORRECTED' || claims.some((c) => c.status === 'CORRECTED'),
  };
}

/** A day's record of one question: what it was, what came back, how it is judged. */
function dayRecord(drawn, result, ms, forms, normalise) {
  const c = classify(result);
  const finalRight = isRight(result.final, forms, normalise);
  const draftRight = isRight(result.draft, forms, normalise);
  return {
    i: drawn.index + 1,
    id: drawn.fact.id,
    bucket: drawn.fact.bucket,
    rank: drawn.rank,
    question: drawn.fact.question,
    status: result.status,
    draft: result.draft,
    final: result.final,
    draft_right: draftRight,
    final_right: finalRight,
    vks_hit: c.vksHit,
    claims: c.claims,
    checkable: c.checkable,
    failed_first: c.failedFirst,
    repaired: c.repaired,
    oracle_calls: c.oracleCalls,
    wrong_verified: result.status === 'VERIFIED' && !finalRight,
    right_corrected: draftRight && c.corrected,
    ms: round(ms, 2),
    // the cascade's own time in its check stage (the VKS lookup, for a hit), when it reports one
    check_ms: typeof result.timings_ms?.check === 'number' ? result.timings_ms.check : null,
  };
}

/** The curves: per window of `size` questions (and cumulative up to its end). */
function windows(records, size) {
  const out = [];
  for (let end = size; end <= records.length; end += size) {
    const w = records.slice(end - size, end);
    const upTo = records.slice(0, end);
    const sum = (rs, k) => rs.reduce((s, r) => s + r[k], 0);
    out.push({
      end,
      vks_hit_rate: round(ratio(w.filter((r) => r.vks_hit).length, w.length)),
      cumulative_vks_hit_rate: round(ratio(upTo.filter((r) => r.vks_hit).length, upTo.length)),
      final_accuracy: round(ratio(w.filter((r) => r.final_right).length, w.length)),
      oracle_claim_rate: round(ratio(sum(w, 'oracle_calls'), sum(w, 'claims'))),
      repair_success: round(ratio(sum(w, 'repaired'), sum(w, 'failed_first'))),
    });
  }
  return out;
}

/** p50/p95 (nearest rank) of a list of milliseconds, or nulls when it is empty. */
function latency(ms) {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50_ms: s.length ? round(percentile(s, 50), 2) : null, p95_ms: s.length ? round(percentile(s, 95), 2) : null };
}

/** The day's figures (keys of bench/results/ask.json). */
function summariseDay(records, windowSize) {
  const sum = (k) => records.reduce((s, r) => s + r[k], 0);
  const curve = windows(records, windowSize);
  const byBucket = {};
  for (const r of records) {
    const b = (byBucket[r.bucket] ??= { asked: 0, right: 0, vks_hits: 0, verified: 0 });
    b.asked++;
    if (r.final_right) b.right++;
    if (r.vks_hit) b.vks_hits++;
    if (r.status === 'VERIFIED') b.verified++;
  }
  const statuses = {};
  for (const r of records) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  return {
    questions: records.length,
    distinct_facts: new Set(records.map((r) => r.id)).size,
    vks_hit_rate_last_window: curve.length ? curve[curve.length - 1].vks_hit_rate : null,
    vks_hit_rate_overall: round(ratio(records.filter((r) => r.vks_hit).length, records.length)),
    repair_success: round(ratio(sum('repaired'), sum('failed_first'))),
    failed_first_checks: sum('failed_first'),
    repaired: sum('repaired'),
    oracle_calls: sum('oracle_calls'),
    claims: sum('claims'),
    checkable_claims: sum('checkable'),
    oracle_claim_rate: round(ratio(sum('oracle_calls'), sum('claims'))),
    draft_accuracy: round(ratio(records.filter((r) => r.draft_right).length, records.length)),
    final_accuracy: round(ratio(records.filter((r) => r.final_right).length, records.length)),
    wrong_verified: records.filter((r) => r.wrong_verified).length,
    right_corrected: records.filter((r) => r.right_corrected).length,
    statuses,
    by_bucket: byBucket,
    latency: {
      vks_hit: latency(records.filter((r) => r.vks_hit).map((r) => r.ms)),
      vks_hit_check_stage: latency(records.filter((r) => r.vks_hit && r.check_ms !== null && r.check_ms !== undefined).map((r) => r.check_ms)),
      full_without_oracle: latency(records.filter((r) => !r.vks_hit && r.oracle_calls === 0).map((r) => r.ms)),
      with_oracle: latency(records.filter((r) => r.oracle_calls > 0).map((r) => r.ms)),
    },
    curve,
  };
}

/**
 * Whether an AskResult meets a suite line's `expect` (domain-spec: status, or NOT_VERIFIED for
 * anything but VERIFIED; source of the first checkable claim; formal answer; logic). Returns the
 * parts that failed, empty when met.
 */
function unmetExpectations(result, expect) {
  const unmet = [];
  if (expect.status !== undefined) {
    const ok = expect.status === 'NOT_VERIFIED' ? result.status !== 'VERIFIED' : result.status === expect.status;
    if (!ok) unmet.push(`status ${result.status}, expected ${expect.status}`);
  }
  if (expect.source !== undefined) {
    const first = (result.claims ?? []).find((c) => CHECKABLE.has(c.kind));
    if (first?.source !== expect.source) unmet.push(`first checkable claim's source ${first?.source ?? 'none (no checkable claim)'}, expected ${expect.source}`);
  }
  if (expect.formal !== undefined && result.formal?.answer !== expect.formal) unmet.push(`formal ${result.formal?.answer ?? 'none'}, expected ${expect.formal}`);
  if (expect.logic !== undefined && result.formal?.logic !== expect.logic) unmet.push(`logic ${result.formal?.logic ?? 'none'}, expected ${expect.logic}`);
  return unmet;
}

module.exports = { parseJsonl, heldOutFacts, rankByPopularity, drawDay, rightForms, isRight, classify, dayRecord, windows, latency, summariseDay, unmetExpectations, CHECKABLE };
