// The measures of bench/meta.js, each on small cases computed by hand.
import {
  apgr,
  aurc,
  auroc,
  confidenceFigures,
  ece,
  errorTypeScore,
  oracleShareAt,
  predictionRejectionArea,
  predictionRejectionRatio,
  routingCurve,
  routingFigures,
} from '../../src/meta/evaluation';
import { MetaError } from '../../src/meta/errors';
import { ERROR_TYPES } from '../../src/meta/labels';

const SCORES = [0.9, 0.8, 0.3, 0.1];
const CORRECT = [true, false, true, false];
const QUALITY = CORRECT.map((c) => (c ? 1 : 0));

describe('AUROC and AURC (the loom\'s, on confidences)', () => {
  test('AUROC: 3 of the 4 right–wrong pairs are ordered right', () => {
    expect(auroc(SCORES, CORRECT)).toBeCloseTo(0.75, 12);
    expect(auroc([0.5, 0.5], [true, false])).toBeCloseTo(0.5, 12);
    expect(auroc([0.2, 0.3], [true, true])).toBeNull();
  });

  test('AURC: risks 0, 1/2, 1/3, 1/2 at coverage 1/4 … 1, trapezoids from coverage 0', () => {
    // 0.25·0 + 0.25·(0 + 1/2)/2 + 0.25·(1/2 + 1/3)/2 + 0.25·(1/3 + 1/2)/2
    expect(aurc(SCORES, CORRECT)).toBeCloseTo(0.0625 + 0.25 * (5 / 6), 12);
    expect(aurc([], [])).toBeNull();
  });
});

describe('prediction–rejection (LM-Polygraph)', () => {
  test('the area is the mean, over rejection levels, of the kept answers\' quality', () => {
    // kept 1: 1; kept 2: 1/2; kept 3: 2/3; kept 4: 1/2
    expect(predictionRejectionArea(SCORES, QUALITY)).toBeCloseTo((1 + 0.5 + 2 / 3 + 0.5) / 4, 12);
  });

  test('PRR = (area − random) / (oracle − random): 4/7 here, 1 perfect, −1 reversed', () => {
    // random 1/2, oracle (1 + 1 + 2/3 + 1/2)/4 = 19/24, ours 2/3: (1/6) / (7/24) = 4/7
    expect(predictionRejectionRatio(SCORES, QUALITY)).toBeCloseTo(4 / 7, 12);
    expect(predictionRejectionRatio([4, 3, 2, 1], [1, 1, 0, 0])).toBeCloseTo(1, 12);
    expect(predictionRejectionRatio([1, 2, 3, 4], [1, 1, 0, 0])).toBeCloseTo(-1, 12);
  });

  test('tied scores count at their group\'s mean quality: a constant score is chance, 0', () => {
    expect(predictionRejectionArea([1, 1, 0, 0], [1, 0, 1, 0])).toBeCloseTo(0.5, 12);
    expect(predictionRejectionRatio([0.7, 0.7, 0.7, 0.7], [1, 0, 0, 1])).toBeCloseTo(0, 12);
    // a tie between a right and a wrong answer at the top: 1/2 at every level but the last two
    expect(predictionRejectionArea([2, 2, 1], [1, 0, 1])).toBeCloseTo((0.5 + 0.5 + 2 / 3) / 3, 12);
  });

  test('undefined without answers or when every answer has the same quality', () => {
    expect(predictionRejectionArea([], [])).toBeNull();
    expect(predictionRejectionRatio([0.1, 0.9], [1, 1])).toBeNull();
  });

  test('bad input is refused', () => {
    expect(() => predictionRejectionRatio([0.1], [1, 0])).toThrow(MetaError);
    expect(() => predictionRejectionRatio([NaN, 1], [1, 0])).toThrow(MetaError);
    expect(() => predictionRejectionRatio([0, 1], [2, 0])).toThrow(MetaError);
  });
});

describe('ECE over 10 equal-width bins', () => {
  const p = [0.05, 0.15, 0.95, 0.95, 0.55];
  const right = [false, false, true, false, true];

  test('Σ (n_b/n)·|accuracy_b − confidence_b|', () => {
    // bins 0, 1, 5, 9: 1/5·0.05 + 1/5·0.15 + 1/5·0.45 + 2/5·0.45
    expect(ece(p, right)).toBeCloseTo(0.31, 12);
    expect(ece([], [])).toBeNull();
  });

  test('1 falls in the last bin; a bin holds its answers whatever their spread', () => {
    // bin 9: 1 and 0.9, one right: |0.5 − 0.95|; bin 0: 0, wrong: 0
    expect(ece([1, 0.9, 0], [true, false, false])).toBeCloseTo((2 / 3) * 0.45, 12);
    expect(ece([1, 1], [true, true])).toBeCloseTo(0, 12);
  });

  test('only probabilities', () => {
    expect(() => ece([1.2], [true])).toThrow(MetaError);
    expect(() => ece([-0.1], [true])).toThrow(MetaError);
    expect(() => ece([0.1], [true, false])).toThrow(MetaError);
  });
});

describe('routing: the curve, APGR, the oracle share for 95 %', () => {
  const scores = [0.9, 0.2, 0.5, 0.2];
  const self = [1, 0, 1, 0];
  const oracle = [1, 1, 0, 1];

  test('the least confident go first, ties together', () => {
    expect(routingCurve(scores, self, oracle)).toEqual([
      { threshold: -Infinity, share: 0, quality: 0.5 },
      { threshold: 0.35, share: 0.5, quality: 1 },
      { threshold: 0.7, share: 0.75, quality: 0.75 },
      { threshold: Infinity, share: 1, quality: 0.75 },
    ]);
  });

  test('APGR: PGR 0, 2, 1, 1 at shares 0, 1/2, 3/4, 1 → 1/2 + 3/8 + 1/4', () => {
    const curve = routingCurve(scores, self, oracle);
    expect(apgr(curve)).toBeCloseTo(1.125, 12);
    // 95 % of 0.75 is 0.7125: reached at share 1/2
    expect(oracleShareAt(curve)).toBe(0.5);
    expect(oracleShareAt(curve, 1)).toBe(0.5);
  });

  test('a router that cannot tell questions apart recovers half the gap; a perfect one more', () => {
    expect(apgr(routingCurve([1, 1, 1, 1], self, oracle))).toBeCloseTo(0.5, 12);
    // perfect: the two questions only the oracle gets right go first (share 1/2, quality 1), the one only the model gets right last
    const perfect = routingCurve(
      self.map((s, i) => s - oracle[i]),
      self,
      oracle,
    );
    expect(perfect[1]).toEqual({ threshold: -0.5, share: 0.5, quality: 1 });
    // PGR 0, 2, 2, 1 at shares 0, 1/2, 3/4, 1
    expect(apgr(perfect)).toBeCloseTo(0.5 + 0.5 + 0.375, 12);
  });

  test('the model alone already at 95 %: share 0; no gap: APGR undefined', () => {
    const curve = routingCurve([0.1, 0.2], [1, 1], [1, 1]);
    expect(oracleShareAt(curve)).toBe(0);
    expect(apgr(curve)).toBeNull();
    // the oracle worse than the model alone: nothing to recover
    expect(apgr(routingCurve([0.1, 0.2], [1, 1], [0, 1]))).toBeNull();
    expect(routingCurve([], [], [])).toEqual([]);
    expect(apgr([])).toBeNull();
    expect(oracleShareAt([])).toBeNull();
  });

  test('routingFigures gathers them', () => {
    expect(routingFigures(scores, self, oracle)).toMatchObject({ qualitySelf: 0.5, qualityOracle: 0.75, apgr: 1.125, oracleShareAt95: 0.5 });
  });
});

describe('error type', () => {
  test('accuracy and the confusion matrix, rows actual, columns predicted', () => {
    const s = errorTypeScore(['none', 'none', 'factual', 'out-of-scope'], ['none', 'factual', 'factual', 'none']);
    expect(s.accuracy).toBeCloseTo(0.5, 12);
    expect(s.classes).toEqual(ERROR_TYPES);
    const at = (a: string, p: string) => s.matrix[ERROR_TYPES.indexOf(a as never)][ERROR_TYPES.indexOf(p as never)];
    expect(at('none', 'none')).toBe(1);
    expect(at('none', 'factual')).toBe(1);
    expect(at('factual', 'factual')).toBe(1);
    expect(at('out-of-scope', 'none')).toBe(1);
    expect(s.matrix.flat().reduce((a, b) => a + b, 0)).toBe(4);
    expect(errorTypeScore([], []).accuracy).toBeNull();
    expect(() => errorTypeScore(['none'], ['bogus' as never])).toThrow(MetaError);
  });
});

test('confidenceFigures: ECE only for probabilities', () => {
  const f = confidenceFigures(SCORES, CORRECT, true);
  expect(f).toMatchObject({ n: 4 });
  expect(f.auroc).toBeCloseTo(0.75, 12);
  expect(f.prr).toBeCloseTo(4 / 7, 12);
  expect(f.ece).not.toBeNull();
  expect(confidenceFigures([-3, -1, 2, 5], CORRECT, false).ece).toBeNull();
});
