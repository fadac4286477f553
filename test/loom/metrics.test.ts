import { areaUnderRiskCoverage, auroc, chooseThreshold, riskCoverageCurve, selectiveMetrics, type QuestionRecord } from '../../src/loom/metrics';

const rec = (confidence: number, pass1Correct: boolean, refused: boolean): QuestionRecord => ({ confidence, pass1Correct, refused });

// Six questions worked by hand: A B C answered (C wrong), D E F refused (D was known).
const SIX: QuestionRecord[] = [
  rec(0.9, true, false), // A
  rec(0.8, true, false), // B
  rec(0.7, false, false), // C
  rec(0.6, true, true), // D
  rec(0.3, false, true), // E
  rec(0.2, false, true), // F
];

describe('selectiveMetrics', () => {
  test('hand-computed case', () => {
    const m = selectiveMetrics(SIX);
    expect(m.n).toBe(6);
    expect(m.base_accuracy).toBeCloseTo(3 / 6, 12);
    expect(m.selective_accuracy).toBeCloseTo(2 / 3, 12);
    expect(m.refusal_rate).toBeCloseTo(0.5, 12);
    expect(m.coverage).toBeCloseTo(0.5, 12);
    expect(m.refusal_precision).toBeCloseTo(2 / 3, 12); // E, F of D, E, F
    expect(m.over_refusal).toBeCloseTo(1 / 3, 12); // D
    expect(m.known_refusal_rate).toBeCloseTo(1 / 3, 12); // D of A, B, D
    expect(m.refusal_recall).toBeCloseTo(2 / 3, 12); // E, F of C, E, F
    // positives .9 .8 .6 vs negatives .7 .3 .2: 3 + 3 + 2 of 9 pairs ordered correctly
    expect(m.auroc).toBeCloseTo(8 / 9, 12);
    expect(m.aurc).toBeCloseTo(148 / 720, 12);
  });

  test('refusal precision is scored against pass1Correct, not what the sidecar said', () => {
    // answerCorrect (pass 2) only affects the answered questions
    const m = selectiveMetrics([
      { confidence: 0.1, pass1Correct: false, refused: true, answerCorrect: true },
      { confidence: 0.9, pass1Correct: false, refused: false, answerCorrect: true },
    ]);
    expect(m.refusal_precision).toBe(1);
    expect(m.selective_accuracy).toBe(1);
    expect(m.base_accuracy).toBe(0);
  });

  test('empty denominators give null, not 0 or NaN', () => {
    const noRefusals = selectiveMetrics([rec(0.5, true, false), rec(0.4, true, false)]);
    expect(noRefusals.refusal_precision).toBeNull();
    expect(noRefusals.over_refusal).toBeNull();
    expect(noRefusals.refusal_recall).toBeNull();
    expect(noRefusals.auroc).toBeNull(); // one class only
    expect(noRefusals.refusal_rate).toBe(0);
    const allRefused = selectiveMetrics([rec(0.5, true, true)]);
    expect(allRefused.selective_accuracy).toBeNull();
    expect(allRefused.coverage).toBe(0);
    const none = selectiveMetrics([]);
    expect(none.n).toBe(0);
    expect(none.base_accuracy).toBeNull();
    expect(none.aurc).toBeNull();
  });

  test('rejects non-finite confidence', () => {
    expect(() => selectiveMetrics([rec(Number.NaN, true, false)])).toThrow(/confidence/);
  });
});

describe('auroc', () => {
  test('ties count one half', () => {
    expect(auroc([0.5, 0.5, 0.5, 0.5], [true, false, true, false])).toBe(0.5);
    // pairs: .8>.5, .8>.2, .5=.5 (½), .5>.2 → 3.5 / 4
    expect(auroc([0.8, 0.5, 0.5, 0.2], [true, true, false, false])).toBeCloseTo(0.875, 12);
  });
  test('perfect and inverted rankings', () => {
    expect(auroc([3, 2, 1], [true, true, false])).toBe(1);
    expect(auroc([1, 2, 3], [true, true, false])).toBe(0);
  });
  test('length mismatch throws', () => {
    expect(() => auroc([1], [true, false])).toThrow(RangeError);
  });
});

describe('riskCoverageCurve', () => {
  test('one point per distinct confidence, most confident first', () => {
    const pts = riskCoverageCurve(SIX);
    expect(pts.map((p) => p.answered)).toEqual([1, 2, 3, 4, 5, 6]);
    const expected = [0, 0, 1 / 3, 1 / 4, 2 / 5, 1 / 2];
    pts.forEach((p, i) => expect(p.risk).toBeCloseTo(expected[i], 12));
    expect(pts[5].coverage).toBe(1);
    expect(pts[0].threshold).toBe(0.9);
  });
  test('ties enter together', () => {
    const pts = riskCoverageCurve([rec(1, true, false), rec(1, false, false), rec(0, true, false)]);
    expect(pts).toHaveLength(2);
    expect(pts[0]).toMatchObject({ threshold: 1, answered: 2, risk: 0.5 });
    expect(pts[0].coverage).toBeCloseTo(2 / 3, 12);
    expect(pts[1]).toMatchObject({ threshold: 0, answered: 3, coverage: 1 });
    expect(pts[1].risk).toBeCloseTo(1 / 3, 12);
  });
  test('area of a flat curve is its risk', () => {
    expect(areaUnderRiskCoverage([{ threshold: 0, coverage: 1, risk: 0.25, answered: 4 }])).toBe(0.25);
  });
});

describe('chooseThreshold', () => {
  // confidences of SIX, by hand: cuts at 0.25 (refuse F), 0.45 (E F), 0.65 (D E F), 0.75, 0.85
  const conf = SIX.map((r) => r.confidence);
  const right = SIX.map((r) => r.pass1Correct);

  test('the best selective accuracy whose refusals are precise enough', () => {
    // 0.45: refuses E F (both wrong, precision 1), answers A B C D (3/4 right)
    // 0.65: refuses D E F (precision 2/3), answers A B C (2/3); 0.75: refuses C D E F (3/4), answers A B (1)
    const strict = chooseThreshold(conf, right, { precision: 0.9 });
    expect(strict.threshold).toBeCloseTo(0.45, 12);
    expect(strict.refusalRate).toBeCloseTo(2 / 6, 12);
    expect(strict.refusalPrecision).toBe(1);
    expect(strict.selectiveAccuracy).toBeCloseTo(3 / 4, 12);
    expect(strict.metPrecision).toBe(true);
    // at 0.75 precision 0.75 is enough, and answering only A B is all right
    const loose = chooseThreshold(conf, right, { precision: 0.75 });
    expect(loose.threshold).toBeCloseTo(0.75, 12);
    expect(loose.selectiveAccuracy).toBe(1);
  });

  test('between equal selective accuracies, the fewer refusals', () => {
    // cut 0.3 refuses the wrong one (precision 1) and answers three right; cut 0.65 also refuses
    // a right one (precision 1/2) and answers two right: both answer only right ones
    const t = chooseThreshold([0.1, 0.5, 0.8, 0.9], [false, true, true, true], { precision: 0.5 });
    expect(t.threshold).toBeCloseTo(0.3, 12);
    expect(t.refusalRate).toBe(0.25);
    expect(t.selectiveAccuracy).toBe(1);
  });

  test('with a level, the precision must hold at its lower confidence bound: a more cautious cut', () => {
    // 40 questions at confidences (i + 0.5)/40: the 10 lowest wrong, then 10 alternating
    // (odd ones right), then 20 right. Observed precision ≥ 0.85 allows refusing 15 (13 wrong,
    // 0.867; the rest 23/25 right); at the 90% Wilson bound that cut is only 0.69 sure, and the best
    // cut that holds refuses the 11 lowest, all wrong: bound 11/(11 + z²) = 0.870, 25/29 answered right
    const conf = Array.from({ length: 40 }, (_, i) => (i + 0.5) / 40);
    const right = conf.map((_, i) => i >= 10 && (i >= 20 || i % 2 === 1));
    const observed = chooseThreshold(conf, right, { precision: 0.85 });
    expect(observed.threshold).toBeCloseTo(0.375, 12);
    expect(observed.refusalPrecision).toBeCloseTo(13 / 15, 12);
    expect(observed.refusalPrecisionBound).toBe(observed.refusalPrecision);
    expect(observed.selectiveAccuracy).toBeCloseTo(23 / 25, 12);
    const bounded = chooseThreshold(conf, right, { precision: 0.85, level: 0.9 });
    expect(bounded.threshold).toBeCloseTo(0.275, 12);
    expect(bounded.refusalPrecision).toBe(1);
    expect(bounded.refusalPrecisionBound).toBeCloseTo(11 / (11 + 1.2815515655446008 ** 2), 9);
    expect(bounded.selectiveAccuracy).toBeCloseTo(25 / 29, 12);
    expect(() => chooseThreshold(conf, right, { precision: 0.85, level: 1 })).toThrow(RangeError);
  });

  test('with a gain target: the cut whose weaker target has the largest margin in standard errors', () => {
    // the 40 questions above, base accuracy 25/40. Refusing the k lowest (k ≤ 11 all wrong):
    //   k 11: precision 1 (score 1.39), gain 25/29 − .625 = .237 (margin 0.59 at a target of .20)
    //   k 13: 12 wrong, precision 12/13 (score (12/13 − .85)/√(.85·.15/13) = 0.74), gain 24/27 − .625 = .264 (0.94)
    //   k 15: 13 wrong (score 0.18), gain .295; k 14 and k ≥ 16 are weaker still
    const conf = Array.from({ length: 40 }, (_, i) => (i + 0.5) / 40);
    const right = conf.map((_, i) => i >= 10 && (i >= 20 || i % 2 === 1));
    const both = chooseThreshold(conf, right, { precision: 0.85, level: 0.9, accuracyGain: 0.2 });
    expect(both.rule).toBe('both');
    expect(both.threshold).toBeCloseTo(0.325, 12);
    expect(both.refusalPrecision).toBeCloseTo(12 / 13, 12);
    expect(both.accuracyGain).toBeCloseTo(24 / 27 - 0.625, 12);
    expect(both.precisionMargin).toBeCloseTo(0.7379, 4);
    expect(both.gainMargin).toBeGreaterThan(both.precisionMargin!);
    expect(both.metPrecision).toBe(true);
    expect(both.metGain).toBe(true);
    // the precision rule at the same level stops at k 11, whatever the gain
    const precisionFirst = chooseThreshold(conf, right, { precision: 0.85, level: 0.9 });
    expect(precisionFirst.threshold).toBeCloseTo(0.275, 12);
    expect(precisionFirst.metGain).toBeNull();
    // a gain no cut reaches (the best is .375, refusing all 15 wrong and more): the precision comes first
    const out = chooseThreshold(conf, right, { precision: 0.85, level: 0.9, accuracyGain: 0.5 });
    expect(out.rule).toBe('precision');
    expect(out.threshold).toBeCloseTo(0.275, 12);
    expect(out.metGain).toBe(false);
    expect(out.gainMargin).toBeLessThan(0);
  });

  test('no cut precise enough: the fallback, flagged', () => {
    const c = [0.2, 0.4, 0.6, 0.8];
    const y = [true, true, false, false]; // the confident ones are wrong: every cut refuses right answers
    const t = chooseThreshold(c, y, { precision: 0.9 });
    expect(t.metPrecision).toBe(false);
    expect(t.threshold).toBe(0.5);
    expect(t.refusalRate).toBe(0.5);
    expect(t.refusalPrecision).toBe(0);
    expect(chooseThreshold(c, y, { precision: 0.9, fallback: 0 }).refusalRate).toBe(0);
    expect(() => chooseThreshold([0.1], [true, false], { precision: 0.5 })).toThrow(RangeError);
  });
});
