'use strict';
// Small statistics the benchmarks share.

/** The middle value (the upper of the two middles for an even count). */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The nearest-rank p-th percentile (0 < p <= 100) of values sorted ascending; undefined for none. */
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * A Zipf(1) sampler over ranks 0..n-1 (rank 0 the most likely, P(r) ∝ 1/(r+1)), by inverting the
 * tabulated harmonic CDF; `rand` is a uniform [0, 1) source, so the draws are as seeded as it is.
 */
function zipf(n, rand) {
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) cdf[i] = acc += 1 / (i + 1);
  return () => {
    const x = rand() * acc;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

module.exports = { median, percentile, zipf };
