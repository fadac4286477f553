'use strict';
// Small statistics the benchmarks share.

/** The middle value (the upper of the two middles for an even count). */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

module.exports = { median };
