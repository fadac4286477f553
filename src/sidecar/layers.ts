// A sidecar's target layers: which of the base's layers it reads, from a spec a user writes.
import { OutOfRangeError } from '../util/errors';

/**
 * Resolves a `--target-layers` spec for a model with `nLayers` layers: 'early', 'mid',
 * 'late' (thirds of the stack), 'all', or a comma list of indices and ranges ("2,5-7"),
 * where negative indices count from the end (-1 is the last layer).
 */
export function resolveTargetLayers(spec: string, nLayers: number): number[] {
  if (!Number.isInteger(nLayers) || nLayers < 1) throw new OutOfRangeError(`layer count must be a positive integer, got ${nLayers}`);
  const third = (k: number): number => Math.floor((k * nLayers) / 3);
  const range = (a: number, b: number): number[] => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
  const named: Record<string, () => number[]> = {
    early: () => range(0, Math.max(1, third(1))),
    mid: () => range(third(1), Math.max(third(1) + 1, third(2))),
    late: () => range(Math.min(third(2), nLayers - 1), nLayers),
    all: () => range(0, nLayers),
  };
  const key = spec.trim().toLowerCase();
  if (named[key]) return named[key]();
  const bad = (why: string): never => {
    throw new OutOfRangeError(`--target-layers ${JSON.stringify(spec)}: ${why} (use early, mid, late, all, or indices like 2,5-7 for a ${nLayers}-layer model)`);
  };
  const index = (t: string): number => {
    if (!/^-?\d+$/.test(t)) bad(`${JSON.stringify(t)} is not a layer index`);
    const i = Number(t) < 0 ? nLayers + Number(t) : Number(t);
    if (i < 0 || i >= nLayers) bad(`layer ${t} is out of range`);
    return i;
  };
  const out = new Set<number>();
  for (const part of key.split(',').map((p) => p.trim())) {
    if (part === '') bad('empty entry');
    const m = /^(-?\d+)-(-?\d+)$/.exec(part);
    if (m) {
      const [a, b] = [index(m[1]), index(m[2])];
      if (b < a) bad(`range ${part} runs backwards`);
      for (let i = a; i <= b; i++) out.add(i);
    } else {
      out.add(index(part));
    }
  }
  return [...out].sort((x, y) => x - y);
}
