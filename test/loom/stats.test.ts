import {
  accuracyGain,
  binomialHalfCdf,
  chiSquareSurvival,
  logGamma,
  mcnemar,
  mcnemarFromCounts,
  normalQuantile,
  pairedPermutationTest,
  proportionScore,
  signTest,
  wilsonLowerBound,
} from '../../src/loom/stats';

describe('special functions', () => {
  test('normalQuantile at known points (both tails and the centre)', () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.975)).toBeCloseTo(1.9599639845400536, 8);
    expect(normalQuantile(0.9)).toBeCloseTo(1.2815515655446008, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.3263478740408408, 8);
    expect(normalQuantile(1e-6)).toBeCloseTo(-4.753424308822899, 7);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });

  test('wilsonLowerBound against hand-computed values', () => {
    // (p + z²/2n − z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)
    expect(wilsonLowerBound(8, 10, 0.9)).toBeCloseTo(0.6015960115342781, 8);
    expect(wilsonLowerBound(17, 20, 0.95)).toBeCloseTo(0.6781719243246932, 8);
    expect(wilsonLowerBound(2, 2, 0.9)).toBeCloseTo(2 / (2 + 1.2815515655446008 ** 2), 8);
    expect(wilsonLowerBound(0, 5, 0.9)).toBe(0);
    expect(wilsonLowerBound(0, 0, 0.9)).toBe(0);
  });

  test('logGamma at known points', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9); // ln 100!
  });
  test('chi-square critical values from the tables', () => {
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 10);
    expect(chiSquareSurvival(6.634896601021214, 1)).toBeCloseTo(0.01, 10);
    expect(chiSquareSurvival(11.070497693516351, 5)).toBeCloseTo(0.05, 10);
    expect(chiSquareSurvival(0, 1)).toBe(1);
  });
  test('binomial(½) cdf', () => {
    expect(binomialHalfCdf(0, 10)).toBeCloseTo(1 / 1024, 15);
    expect(binomialHalfCdf(1, 10)).toBeCloseTo(11 / 1024, 15);
    expect(binomialHalfCdf(5, 10)).toBeCloseTo(638 / 1024, 12);
    expect(binomialHalfCdf(10, 10)).toBe(1);
  });
});

describe('McNemar', () => {
  test('Agresti presidential approval table (b=150, c=86): chi-square with continuity correction', () => {
    const r = mcnemarFromCounts(150, 86);
    expect(r.method).toBe('chi-square-continuity-corrected');
    expect(r.statistic).toBeCloseTo(3969 / 236, 12); // (|150−86|−1)² / 236 = 16.818
    expect(r.p).toBeCloseTo(4.1145622813e-5, 13);
  });
  test('Wikipedia example (b=6, c=16): exact binomial below 25 discordant pairs', () => {
    const exact = mcnemarFromCounts(6, 16);
    expect(exact.method).toBe('exact-binomial');
    expect(exact.p).toBeCloseTo(0.052478790283203125, 14);
    // the same table forced to the chi-square form gives the textbook 3.68, p = 0.055
    const chi = mcnemarFromCounts(6, 16, 0);
    expect(chi.statistic).toBeCloseTo(81 / 22, 12);
    expect(chi.p).toBeCloseTo(0.05500883362926577, 10);
  });
  test('exact binomial for large discordant counts (recurrence up to 1000, log space beyond)', () => {
    const r = mcnemarFromCounts(80, 120, 1000);
    expect(r.method).toBe('exact-binomial');
    expect(r.p).toBeCloseTo(0.0056851559967503055, 12);
    // 2 · P(X ≤ 1000 | n = 2100), from exact rational arithmetic
    const big = mcnemarFromCounts(1000, 1100, 5000);
    expect(big.p / 0.030720707864242296).toBeCloseTo(1, 9);
  });
  test('no discordant pairs gives p = 1', () => {
    expect(mcnemarFromCounts(0, 0).p).toBe(1);
  });
  test('from paired correctness arrays', () => {
    const base = [true, true, false, false, true, false];
    const side = [true, false, true, true, true, true];
    const r = mcnemar(base, side);
    expect(r).toMatchObject({ b: 1, c: 3, method: 'exact-binomial' });
    expect(r.p).toBeCloseTo(0.625, 12); // 2 · P(X ≤ 1 | n = 4) = 2 · 5/16
  });
  test('rejects bad counts', () => {
    expect(() => mcnemarFromCounts(-1, 2)).toThrow(RangeError);
    expect(() => mcnemarFromCounts(1.5, 2)).toThrow(RangeError);
  });
});

describe('sign test', () => {
  test('9 of 10 pairs improve: p = 2 · 11/1024', () => {
    const a = Array<number>(11).fill(0);
    const b = [1, 1, 1, 1, 1, 1, 1, 1, 1, -1, 0];
    const r = signTest(a, b);
    expect(r).toMatchObject({ positive: 9, negative: 1, ties: 1 });
    expect(r.p).toBeCloseTo(0.021484375, 14);
  });
});

describe('paired permutation test', () => {
  test('exact enumeration: all three differences positive', () => {
    // sign flips of (1, 2, 3): |sum| ≥ 6 only for all + or all −, 2 of 8
    const r = pairedPermutationTest([0, 0, 0], [1, 2, 3]);
    expect(r.method).toBe('exact');
    expect(r.p).toBe(0.25);
    expect(r.meanDifference).toBe(2);
  });
  test('exact on binary scores agrees with the exact sign test', () => {
    const a = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];
    const b = [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0];
    expect(pairedPermutationTest(a, b).p).toBeCloseTo(signTest(a, b).p, 12);
  });
  test('Monte Carlo is seeded, reproducible and close to exact', () => {
    const a = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const b = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const exact = pairedPermutationTest(a, b, { exactUpTo: 30 });
    const mc1 = pairedPermutationTest(a, b, { exactUpTo: 0, rounds: 20000, seed: 7 });
    const mc2 = pairedPermutationTest(a, b, { exactUpTo: 0, rounds: 20000, seed: 7 });
    expect(mc1.method).toBe('monte-carlo');
    expect(mc1.p).toBe(mc2.p);
    expect(Math.abs(mc1.p - exact.p)).toBeLessThan(0.02);
  });
  test('identical systems give p = 1', () => {
    expect(pairedPermutationTest([1, 0, 1], [1, 0, 1]).p).toBe(1);
  });
});

describe('threshold margins', () => {
  test('proportionScore: Wilson\'s score statistic, the inverse of its bound', () => {
    // (12/13 − 0.85) / √(0.85·0.15/13)
    expect(proportionScore(12, 13, 0.85)).toBeCloseTo(0.7379, 4);
    expect(proportionScore(17, 20, 0.85)).toBeCloseTo(0, 12);
    // the bound at level q reaches the target exactly where the score reaches Φ⁻¹(q)
    const agree: boolean[] = [];
    for (const [s, n] of [[11, 11], [40, 45], [90, 100]] as const) {
      for (const q of [0.75, 0.9, 0.95]) {
        const z = proportionScore(s, n, 0.85);
        expect(wilsonLowerBound(s, n, q) >= 0.85).toBe(z >= normalQuantile(q));
        agree.push(z >= normalQuantile(q));
      }
    }
    expect(agree).toContain(true); // both outcomes occur: the comparison is not vacuous
    expect(agree).toContain(false);
    expect(() => proportionScore(1, 0, 0.5)).toThrow(RangeError);
    expect(() => proportionScore(1, 2, 1)).toThrow(RangeError);
  });

  test('accuracyGain: selective minus base accuracy, delta-method standard error by hand', () => {
    // a 5 answered right, b 1 answered wrong, c 1 refused right, d 3 refused wrong: 5/6 − 6/10;
    // cells p = .5 .1 .1 .3, ∂gain/∂p = (.1/.36 − 1, −.5/.36, −1, 0): Var = (E[g²] − E[g]²)/10 = (0.5537037 − 0.36)/10
    const { gain, stdError } = accuracyGain({ answeredRight: 5, answeredWrong: 1, refusedRight: 1, refusedWrong: 3 });
    expect(gain).toBeCloseTo(5 / 6 - 0.6, 12);
    expect(stdError).toBeCloseTo(Math.sqrt(0.019370370370370), 10);
    // refusing only wrong answers of a base that is always wrong when refused: no spread in c
    expect(accuracyGain({ answeredRight: 3, answeredWrong: 0, refusedRight: 0, refusedWrong: 1 }).gain).toBeCloseTo(0.25, 12);
    expect(() => accuracyGain({ answeredRight: 0, answeredWrong: 0, refusedRight: 1, refusedWrong: 1 })).toThrow(RangeError);
  });
});
