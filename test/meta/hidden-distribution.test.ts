// The OOD score's distribution: distances against a known Gaussian, the shrinkage fit with fewer
// states than dimensions, and the stored form read back.
import { fitHiddenDistribution, mahalanobis, MetaError, parseHiddenDistribution } from '../../src/meta';
import { createRng, type Rng } from '../../src/util/prng';

/** A standard normal draw (Box–Muller). */
function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

describe('fitHiddenDistribution and mahalanobis', () => {
  test('diagonal: the mean is at distance 0, k standard deviations along one axis at distance k', () => {
    const states = [
      [1, 10],
      [3, 10],
      [1, 14],
      [3, 14],
    ];
    const dist = fitHiddenDistribution(states, { kind: 'diagonal', epsilon: 0 });
    expect(dist.mean).toEqual([2, 12]);
    expect(dist.factor).toEqual([1, 4]);
    expect(mahalanobis(dist, [2, 12])).toBe(0);
    expect(mahalanobis(dist, [5, 12])).toBeCloseTo(3, 12);
    expect(mahalanobis(dist, [2, 8])).toBeCloseTo(2, 12);
  });

  test('shrinkage on many states of a correlated Gaussian: the distance of its true covariance, barely shrunk', () => {
    // x = z1, y = 0.9 z1 + sqrt(1 - 0.81) z2: unit variances, correlation 0.9
    const rng = createRng(7);
    const states = Array.from({ length: 4000 }, () => {
      const z1 = normal(rng);
      const z2 = normal(rng);
      return [z1, 0.9 * z1 + Math.sqrt(0.19) * z2];
    });
    const dist = fitHiddenDistribution(states);
    expect(dist.shrinkage).toBeLessThan(0.01);
    // the true distance: Σ⁻¹ = 1/(1 − ρ²)·[[1, −ρ], [−ρ, 1]]
    const trueDistance = (x: number, y: number): number => Math.sqrt((x * x - 1.8 * x * y + y * y) / 0.19);
    for (const [x, y] of [
      [1, 1],
      [1, -1],
      [2, 0.5],
    ]) {
      expect(Math.abs(mahalanobis(dist, [x, y]) / trueDistance(x, y) - 1)).toBeLessThan(0.05);
    }
    // against the correlation, [1, −1] is far; along it, [1, 1] is near: what a diagonal fit cannot see
    expect(mahalanobis(dist, [1, -1])).toBeGreaterThan(3 * mahalanobis(dist, [1, 1]));
    const diagonal = fitHiddenDistribution(states, { kind: 'diagonal' });
    expect(mahalanobis(diagonal, [1, -1]) / mahalanobis(diagonal, [1, 1])).toBeCloseTo(1, 1);
  });

  test('shrinkage with fewer states than dimensions fits, and an outlier lies beyond every state it was fitted on', () => {
    const rng = createRng(11);
    const d = 64;
    const states = Array.from({ length: 20 }, () => Array.from({ length: d }, () => normal(rng)));
    const dist = fitHiddenDistribution(states);
    expect(dist.shrinkage).toBeGreaterThan(0);
    expect(dist.shrinkage).toBeLessThanOrEqual(1);
    const inSample = states.map((s) => mahalanobis(dist, s));
    expect(inSample.every(Number.isFinite)).toBe(true);
    const outlier = Array.from({ length: d }, () => 6);
    expect(mahalanobis(dist, outlier)).toBeGreaterThan(Math.max(...inSample));
  });

  test('rejects too few states, ragged or non-finite states, and a state of another dimension', () => {
    expect(() => fitHiddenDistribution([[1, 2]])).toThrow(MetaError);
    expect(() => fitHiddenDistribution([[1, 2], [1]])).toThrow(MetaError);
    expect(() => fitHiddenDistribution([[1, NaN], [1, 2]])).toThrow(MetaError);
    const dist = fitHiddenDistribution([[0, 0], [1, 1], [2, 0]]);
    expect(() => mahalanobis(dist, [1, 2, 3])).toThrow(MetaError);
    expect(() => mahalanobis(dist, [1, Infinity])).toThrow(MetaError);
  });
});

describe('parseHiddenDistribution', () => {
  test('reads back what was stored, to the same distances', () => {
    const dist = fitHiddenDistribution([[0, 1, 2], [1, 0, 2], [2, 2, 0], [0, 0, 1]]);
    const back = parseHiddenDistribution(JSON.stringify(dist));
    expect(back).toEqual(dist);
    expect(mahalanobis(back, [1, 1, 1])).toBe(mahalanobis(dist, [1, 1, 1]));
  });

  test('rejects what is not a distribution, naming why', () => {
    const good = fitHiddenDistribution([[0, 1], [1, 0], [2, 2]], { kind: 'diagonal' });
    const cases: unknown[] = [
      'not json',
      null,
      { ...good, format: 'other' },
      { ...good, version: 2 },
      { ...good, kind: 'full' },
      { ...good, dimension: 0 },
      { ...good, mean: [0] },
      { ...good, factor: [1, -1] },
      { ...good, shrinkage: 2 },
    ];
    for (const c of cases) expect(() => parseHiddenDistribution(c)).toThrow(MetaError);
  });
});
