// bench/ask.js's own parts, without a model: the day's questions (seeded Zipf over popularity),
// the judging of an answer against the world, what a result counts as, the figures, the suites'
// expectations and the PNG of the curves.
import type { AskResult, ClaimReport } from '../../src/cascade/types';
import * as plot from '../../src/loom/plot';
import { decodePng } from '../../src/loom/png';
import { normaliseAnswer } from '../../src/loom/judge';
import { createRng } from '../../src/util/prng';

/* eslint-disable @typescript-eslint/no-require-imports */
const day = require('../../bench/ask-day.js');
const { plotDay, frame } = require('../../bench/ask-plot.js');
/* eslint-enable @typescript-eslint/no-require-imports */

interface Fact {
  id: string;
  frame: string;
  subject: string | null;
  answers: string[];
  bucket: string;
  repetitions: number;
  heldout: boolean;
}

const rand = (seed: number) => {
  const rng = createRng(seed);
  return () => rng.next();
};

/** A world of `n` held-out facts, fact i repeated n - i times (fact 0 the most popular), and one not held out. */
function world(n: number): { facts: Fact[]; heldOut: { id: string; question: string; answers: string[]; bucket: string }[] } {
  const facts: Fact[] = Array.from({ length: n }, (_, i) => ({ id: `capital:C${i}`, frame: 'capital', subject: `C${i}`, answers: [`Town${i}`], bucket: 'frequent', repetitions: n - i, heldout: true }));
  facts.push({ id: 'capital:Trained', frame: 'capital', subject: 'Trained', answers: ['X'], bucket: 'frequent', repetitions: 1000, heldout: false });
  return { facts, heldOut: facts.filter((f) => f.heldout).map((f) => ({ id: f.id, question: `What is the capital of ${f.subject}?`, answers: f.answers, bucket: f.bucket })) };
}

const CAPITAL = { id: 'capital', claim: 'The capital of {S} is {A}.', statements: ['The capital of {S} is {A}.', '{A} is the capital of {S}.'] };

describe('the day of use', () => {
  const { facts, heldOut } = world(40);
  const pool = day.heldOutFacts(facts, heldOut);

  test('asks only held-out facts, with their held-out phrasing', () => {
    expect(pool).toHaveLength(40);
    expect(pool.map((f: Fact) => f.id)).not.toContain('capital:Trained');
    expect(pool[3]).toMatchObject({ id: 'capital:C3', question: 'What is the capital of C3?', repetitions: 37 });
    expect(() => day.heldOutFacts(facts, heldOut.slice(1))).toThrow(/capital:C0 is marked held out/);
  });

  test('draws are seeded: the same seed the same day, another seed another', () => {
    const ids = (seed: number) => day.drawDay(pool, 200, rand(seed)).map((d: { fact: Fact }) => d.fact.id);
    expect(ids(7)).toEqual(ids(7));
    expect(ids(7)).not.toEqual(ids(8));
  });

  test('popular facts are asked more: rank r about 1/r as often, rank 1 the most repeated fact', () => {
    const drawn = day.drawDay(pool, 20000, rand(1));
    const count = (rank: number) => drawn.filter((d: { rank: number }) => d.rank === rank).length;
    expect(drawn.filter((d: { rank: number; fact: Fact }) => d.rank === 1).every((d: { fact: Fact }) => d.fact.id === 'capital:C0')).toBe(true);
    // P(rank 1) = 1/H(40) ≈ 0.234; rank 2 half of it, rank 10 a tenth
    expect(count(1) / 20000).toBeGreaterThan(0.21);
    expect(count(1) / 20000).toBeLessThan(0.26);
    expect(count(1) / count(2)).toBeGreaterThan(1.7);
    expect(count(1) / count(2)).toBeLessThan(2.3);
    expect(count(1) / count(10)).toBeGreaterThan(7);
    expect(count(1) / count(10)).toBeLessThan(13);
  });

  test('facts equally popular are ranked in a seeded order, not by id', () => {
    const flat = pool.map((f: Fact) => ({ ...f, repetitions: 1 }));
    const order = (seed: number) => day.rankByPopularity(flat, rand(seed)).map((f: Fact) => f.id);
    expect(order(3)).toEqual(order(3));
    expect(order(3)).not.toEqual(flat.map((f: Fact) => f.id));
    expect([...order(3)].sort()).toEqual(flat.map((f: Fact) => f.id).sort());
  });
});

describe('judging an answer', () => {
  const fact = { id: 'capital:Uten', frame: 'capital', subject: 'Uten', answers: ['Borl'] };
  const forms = day.rightForms(fact, CAPITAL);
  const right = (text: string) => day.isRight(text, forms, normaliseAnswer);

  test.each(['Borl', ' borl.', 'The capital of Uten is Borl.', 'Borl is the capital of Uten', 'Borl\nQuestion: and then?'])('%j is right', (text) => {
    expect(right(text)).toBe(true);
  });
  test.each(['', 'Pell', 'The capital of Uten is Pell.', 'The capital of Uten is Borl or Pell.', 'Borl, I think', 'I do not know'])('%j is not', (text) => {
    expect(right(text)).toBe(false);
  });
  test('without the frame only the answer itself counts', () => {
    expect(day.isRight('The capital of Uten is Borl.', day.rightForms(fact, null), normaliseAnswer)).toBe(false);
    expect(day.isRight('Borl', day.rightForms(fact, null), normaliseAnswer)).toBe(true);
  });
});

function claim(over: Partial<ClaimReport>): ClaimReport {
  return { text: 'The capital of Uten is Borl.', kind: 'FACTUAL', status: 'VERIFIED', source: 'VKS', reference: null, correction: null, reason: '', repairs: [], vksId: null, ...over };
}

function result(over: Partial<AskResult>): AskResult {
  return { id: 'a', question: 'What is the capital of Uten?', draft: 'Borl', final: 'Borl', annotated: 'Borl [VERIFIED]', status: 'VERIFIED', claims: [claim({})], formal: null, decision: null, oracle_calls: 0, timings_ms: {}, ...over };
}

const REPAIRED = { strategy: 're-state' as const, input: 'Which city is the capital of Uten?', outcome: 'the corpus supports it', decided: true };
const TRIED = { ...REPAIRED, decided: false, outcome: 'nothing found' };

describe('what a result counts as', () => {
  test('a VKS hit: every checkable claim from the VKS; a soft claim beside it does not matter, no checkable claim is no hit', () => {
    expect(day.classify(result({})).vksHit).toBe(true);
    expect(day.classify(result({ claims: [claim({}), claim({ kind: 'INTERPRETIVE', status: 'SOFT', source: 'SOFT' })] })).vksHit).toBe(true);
    expect(day.classify(result({ claims: [claim({}), claim({ source: 'CORPUS' })] })).vksHit).toBe(false);
    expect(day.classify(result({ claims: [claim({ kind: 'META', status: 'SOFT', source: 'SOFT' })] })).vksHit).toBe(false);
    expect(day.classify(result({ claims: [] })).vksHit).toBe(false);
  });

  test('failed first checks and repairs: a repair attempted, the oracle or nothing deciding; repaired when an attempt decided', () => {
    const c = day.classify(
      result({
        claims: [
          claim({ source: 'CORPUS', repairs: [TRIED, REPAIRED] }),
          claim({ source: 'ORACLE', status: 'CORRECTED', repairs: [TRIED] }),
          claim({ source: 'NONE', status: 'UNVERIFIED' }),
          claim({ source: 'CORPUS' }),
        ],
        oracle_calls: 1,
        status: 'CORRECTED',
      }),
    );
    expect(c).toMatchObject({ claims: 4, checkable: 4, failedFirst: 3, repaired: 1, oracleCalls: 1, corrected: true, vksHit: false });
  });

  test('a wrong answer marked VERIFIED, and a right draft corrected, are each flagged', () => {
    const forms = day.rightForms({ subject: 'Uten', answers: ['Borl'] }, CAPITAL);
    const drawn = { index: 0, rank: 1, fact: { id: 'capital:Uten', bucket: 'frequent', question: 'What is the capital of Uten?' } };
    const wrong = day.dayRecord(drawn, result({ draft: 'Pell', final: 'Pell', timings_ms: { draft: 40, check: 1.5 } }), 5, forms, normaliseAnswer);
    expect(wrong).toMatchObject({ i: 1, draft_right: false, final_right: false, wrong_verified: true, right_corrected: false, vks_hit: true, ms: 5, check_ms: 1.5 });
    const spoiled = day.dayRecord(drawn, result({ draft: 'Borl', final: 'Pell', status: 'CORRECTED', claims: [claim({ status: 'CORRECTED', source: 'ORACLE' })], oracle_calls: 1 }), 900, forms, normaliseAnswer);
    expect(spoiled).toMatchObject({ draft_right: true, final_right: false, wrong_verified: false, right_corrected: true });
    const fixed = day.dayRecord(drawn, result({ draft: 'Pell', final: 'Borl', status: 'CORRECTED', claims: [claim({ status: 'CORRECTED', source: 'CORPUS' })] }), 900, forms, normaliseAnswer);
    expect(fixed).toMatchObject({ draft_right: false, final_right: true, wrong_verified: false, right_corrected: false });
  });
});

describe('the figures', () => {
  /** 100 records: the first 50 never hit, of the next 50 every other one a hit at 2 ms; others take 1 s or, with the oracle, 3 s. */
  const records = Array.from({ length: 100 }, (_, k) => {
    const hit = k >= 50 && k % 2 === 0;
    const oracle = !hit && k % 10 === 1;
    return {
      i: k + 1,
      id: `f${k % 7}`,
      bucket: k % 3 === 0 ? 'rare' : 'frequent',
      status: hit ? 'VERIFIED' : 'UNVERIFIED',
      vks_hit: hit,
      final_right: hit || k % 4 === 0,
      draft_right: k % 4 === 0,
      claims: 2,
      checkable: 1,
      failed_first: hit ? 0 : 1,
      repaired: !hit && k % 5 === 0 ? 1 : 0,
      oracle_calls: oracle ? 1 : 0,
      wrong_verified: false,
      right_corrected: false,
      ms: hit ? 2 : oracle ? 3000 : 1000,
    };
  });
  const s = day.summariseDay(records, 50);

  test('per window and cumulative', () => {
    expect(s.curve.map((w: { end: number }) => w.end)).toEqual([50, 100]);
    expect(s.curve[0]).toMatchObject({ vks_hit_rate: 0, cumulative_vks_hit_rate: 0, oracle_claim_rate: 0.05 });
    expect(s.curve[1]).toMatchObject({ vks_hit_rate: 0.5, cumulative_vks_hit_rate: 0.25 });
    expect(s.vks_hit_rate_last_window).toBe(0.5);
    expect(s.vks_hit_rate_overall).toBe(0.25);
  });

  test('rates over the day, counts, and latencies by kind of query', () => {
    const failed = records.filter((r) => r.failed_first).length;
    expect(s).toMatchObject({ questions: 100, distinct_facts: 7, failed_first_checks: failed, claims: 200, checkable_claims: 100, oracle_calls: 10, oracle_claim_rate: 0.05, wrong_verified: 0, right_corrected: 0 });
    expect(s.repair_success).toBeCloseTo(records.filter((r) => r.repaired).length / failed, 4);
    expect(s.final_accuracy).toBeCloseTo(records.filter((r) => r.final_right).length / 100, 4);
    expect(s.latency.vks_hit).toEqual({ n: 25, p50_ms: 2, p95_ms: 2 });
    // no check stage reported by these records: nothing measured
    expect(s.latency.vks_hit_check_stage).toEqual({ n: 0, p50_ms: null, p95_ms: null });
    expect(s.latency.full_without_oracle).toEqual({ n: 65, p50_ms: 1000, p95_ms: 1000 });
    expect(s.latency.with_oracle).toEqual({ n: 10, p50_ms: 3000, p95_ms: 3000 });
    expect(s.statuses).toEqual({ UNVERIFIED: 75, VERIFIED: 25 });
    expect(s.by_bucket.rare.asked + s.by_bucket.frequent.asked).toBe(100);
  });

  test('nearest-rank percentiles; nothing measured is null, not zero', () => {
    expect(day.latency([5, 1, 4, 2, 3, 6, 7, 8, 9, 10])).toEqual({ n: 10, p50_ms: 5, p95_ms: 10 });
    expect(day.latency([])).toEqual({ n: 0, p50_ms: null, p95_ms: null });
    expect(day.summariseDay([], 50)).toMatchObject({ questions: 0, final_accuracy: null, vks_hit_rate_last_window: null });
  });
});

describe("a suite line's expectation", () => {
  test.each([
    [{ status: 'VERIFIED', source: 'VKS' }, result({}), []],
    [{ status: 'NOT_VERIFIED' }, result({ status: 'UNVERIFIED' }), []],
    [{ status: 'NOT_VERIFIED' }, result({}), ['status VERIFIED, expected NOT_VERIFIED']],
    [{ source: 'CORPUS' }, result({ claims: [claim({ kind: 'META', source: 'SOFT' }), claim({ source: 'CORPUS' })] }), []],
    [{ source: 'CORPUS' }, result({ claims: [] }), ["first checkable claim's source none (no checkable claim), expected CORPUS"]],
    [{ formal: 'False', logic: 'classical' }, result({ formal: { answer: 'False', logic: 'classical', method: 'Z3' } }), []],
    [{ formal: 'False', logic: 'S4' }, result({ formal: { answer: 'True', logic: 'classical', method: 'Z3' } }), ['formal True, expected False', 'logic classical, expected S4']],
  ])('%j', (expectation, r, unmet) => {
    expect(day.unmetExpectations(r, expectation)).toEqual(unmet);
  });
});

describe('the PNG of the curves', () => {
  test('draws each series where its values lie, at the size asked', () => {
    const curve = [
      { end: 50, vks_hit_rate: 0.1, cumulative_vks_hit_rate: 0.1, final_accuracy: 0.5, oracle_claim_rate: 0.2 },
      { end: 100, vks_hit_rate: 0.6, cumulative_vks_hit_rate: 0.35, final_accuracy: 0.7, oracle_claim_rate: null },
    ];
    const png = decodePng(plotDay(plot, { curve, total: 100, width: 600, height: 480 }));
    expect([png.width, png.height]).toEqual([600, 480]);
    const f = frame(600, 480, 100);
    const at = (x: number, y: number) => Array.from(png.rgb.slice((Math.round(y) * png.width + Math.round(x)) * 3, (Math.round(y) * png.width + Math.round(x)) * 3 + 3));
    expect(at(f.px(100), f.py(0.6))).toEqual([31, 119, 180]);
    expect(at(f.px(100), f.py(0.7))).toEqual([44, 160, 44]);
    expect(at(f.px(50), f.py(0.2))).toEqual([150, 150, 150]);
    // no oracle point at 100: the background there
    expect(at(f.px(100) + 1, f.py(0.9))).toEqual([255, 255, 255]);
  });
});
