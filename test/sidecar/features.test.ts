import { OUTPUT_FEATURES, outputFeatures } from '../../src/sidecar';

const close = (got: ArrayLike<number>, want: number[], digits = 12) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits));
};

describe('outputFeatures: φ = (log-prob of the top token, its margin over the second, entropy)', () => {
  test('by hand: logits [0, ln 2, ln 5]', () => {
    // e^z = 1, 2, 5 → Σ = 8, p = 1/8, 2/8, 5/8, ℓ = ln p
    // φ0 = ln(5/8); φ1 = ln 5 − ln 2 = ln(5/2); φ2 = −Σ p ln p = (1/8)ln 8 + (1/4)ln 4 + (5/8)ln(8/5) ≈ 0.9003
    const want = [Math.log(5 / 8), Math.log(5 / 2), Math.log(8) / 8 + Math.log(4) / 4 + (5 / 8) * Math.log(8 / 5)];
    expect(want[2]).toBeCloseTo(0.9003, 4);
    const phi = outputFeatures([0, Math.log(2), Math.log(5)]);
    expect(phi).toBeInstanceOf(Float64Array);
    expect(OUTPUT_FEATURES).toBe(3);
    close(phi, want);
    // the order of the vocabulary does not matter: the top token first, last, in the middle
    close(outputFeatures([Math.log(5), 0, Math.log(2)]), want);
    close(outputFeatures([Math.log(2), Math.log(5), 0]), want);
  });

  test('stable far from 0: a shift of every logit by ±1000 changes nothing (naive e^z overflows or underflows)', () => {
    const want = Array.from(outputFeatures([0, Math.log(2), Math.log(5)]));
    close(outputFeatures([1000, 1000 + Math.log(2), 1000 + Math.log(5)]), want, 9);
    close(outputFeatures([-1000, -1000 + Math.log(2), -1000 + Math.log(5)]), want, 9);
  });

  test('uniform over V tokens: (−ln V, 0, ln V)', () => {
    for (const V of [2, 5, 1000]) close(outputFeatures(new Float32Array(V).fill(3.25)), [-Math.log(V), 0, Math.log(V)]);
  });

  test('a tie at the top has margin 0; a one-token vocabulary is certain', () => {
    // e^z ∝ e², e², 1: ℓ_top = 2 − ln(2e² + 1)
    const phi = outputFeatures([2, 2, 0]);
    expect(phi[0]).toBeCloseTo(2 - Math.log(2 * Math.E ** 2 + 1), 12);
    expect(phi[1]).toBe(0);
    expect(Array.from(outputFeatures([7.5]))).toEqual([0, 0, 0]); // +0: toEqual tells −0 apart
  });

  test('the margin is over the second most likely token, wherever it is', () => {
    expect(outputFeatures([5, 0, 3, -1])[1]).toBe(2);
    expect(outputFeatures([0, 3, -1, 5])[1]).toBe(2);
  });

  test('a near-certain base: its tiny ℓ_top and entropy are kept, not rounded away with 1 + ε', () => {
    // ε = e⁻⁶⁰: ℓ_top = −ln(1 + 2ε) ≈ −2ε; entropy = ln(1 + 2ε) + 2ε·(60 + ln(1 + 2ε)) ≈ 122ε (to relative O(ε))
    const eps = Math.exp(-60);
    const [top, margin, entropy] = outputFeatures([0, 60, 0]);
    expect(top / (-2 * eps)).toBeCloseTo(1, 12);
    expect(margin).toBe(60);
    expect(entropy / (122 * eps)).toBeCloseTo(1, 12);
  });

  test('a −∞ logit is a token of probability 0', () => {
    // [0, ln 3, −∞]: p = (1/4, 3/4, 0), as if the masked token were not there
    const [top, margin, entropy] = outputFeatures([0, Math.log(3), -Infinity]);
    expect(top).toBeCloseTo(Math.log(3 / 4), 12);
    expect(margin).toBeCloseTo(Math.log(3), 12);
    expect(entropy).toBeCloseTo(-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)), 12);
    expect(Array.from(outputFeatures([-Infinity, 2]))).toEqual([0, 0, 0]);
  });

  test('no logits, NaN, +∞ or nothing but −∞ is refused', () => {
    expect(() => outputFeatures([])).toThrow(RangeError);
    expect(() => outputFeatures([0, NaN])).toThrow(/logit 1 is NaN/);
    expect(() => outputFeatures([Infinity, 0])).toThrow(/logit 0 is Infinity/);
    expect(() => outputFeatures([-Infinity, -Infinity])).toThrow(/every logit is −∞/);
  });
});
