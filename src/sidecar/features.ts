/**
 * The output features φ of pass 1 (FORMAT.md, version 2): how sure the base is of its next
 * token, from its logits at the last prompt token. Collect, the trainer and the two-pass runtime
 * all compute them here, in float64.
 */
import { OUTPUT_FEATURES } from './format';
import { OutOfRangeError } from '../util/errors';

/**
 * φ = (ℓ₍₁₎, ℓ₍₁₎ − ℓ₍₂₎, −Σ_v e^{ℓ_v} ℓ_v) with ℓ = z − logsumexp(z): the log-probability of the
 * most likely token, its margin over the second most likely (0 for a one-token vocabulary or a
 * tie) and the entropy in nats. A logit of −∞ is a token with probability 0 (samplers and
 * grammars mask tokens that way); NaN, +∞ or no finite logit at all is a RangeError.
 */
export function outputFeatures(logits: ArrayLike<number>): Float64Array {
  const V = logits.length;
  if (V === 0) throw new OutOfRangeError('outputFeatures: no logits');
  let at = 0;
  let top = -Infinity;
  let second = -Infinity;
  for (let v = 0; v < V; v++) {
    const z = logits[v];
    if (z === -Infinity) continue;
    if (!Number.isFinite(z)) throw new OutOfRangeError(`outputFeatures: logit ${v} is ${z}; logits must be finite or −∞`);
    if (z > top) [at, top, second] = [v, z, top];
    else if (z > second) second = z;
  }
  if (top === -Infinity) throw new OutOfRangeError('outputFeatures: every logit is −∞');
  // relative to the max, so exp never overflows: log Σ e^(z − max) = log1p(Σ over the others),
  // which keeps a near-certain base's tiny ℓ_top and entropy instead of rounding 1 + ε to 1
  let rest = 0;
  for (let v = 0; v < V; v++) if (v !== at) rest += Math.exp(logits[v] - top);
  const logSum = Math.log1p(rest);
  let entropy = 0;
  for (let v = 0; v < V; v++) {
    if (logits[v] === -Infinity) continue;
    const l = logits[v] - top - logSum;
    entropy -= Math.exp(l) * l;
  }
  const phi = new Float64Array(OUTPUT_FEATURES);
  phi[0] = 0 - logSum; // ℓ_top = (max − max) − logSum: +0, not −0, for a certain base
  // ℓ₍₁₎ − ℓ₍₂₎ = z₍₁₎ − z₍₂₎: the difference of the logits, without logsumexp's rounding
  phi[1] = second > -Infinity ? top - second : 0;
  phi[2] = entropy;
  return phi;
}
