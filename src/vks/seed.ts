/**
 * Seed AXIOMs: the few results cogito treats as given. Idempotent: a seed already present
 * (by exact text) is skipped, so seeding never forks the hash chain with duplicates.
 */
import type { Canonicaliser, Vks } from './store';

export interface SeedAxiom {
  text: string;
  aliases: string[];
  /** The claim's formula in the logic module's syntax; stored as its canonical form. */
  formula: string | null;
  source: string;
}

export const SEED_AXIOMS: SeedAxiom[] = [
  {
    text: 'I think, therefore I am.',
    aliases: ['Cogito, ergo sum.', 'Je pense, donc je suis.', 'I think, therefore I exist.', 'Ego cogito, ergo sum.'],
    formula: 'Thinks(i) → Exists(i)',
    source: 'Discourse on the Method, Part Four, AT VI 32; Principles I.7, AT VIII-1 7',
  },
  {
    text: 'I am, I exist, is necessarily true whenever I assert it or conceive it in my mind.',
    aliases: ['I am, I exist.', 'Ego sum, ego existo.'],
    formula: null,
    source: 'Second Meditation, AT VII 25',
  },
  {
    text: 'Whatever thinks exists.',
    aliases: ['Everything that thinks exists.'],
    formula: '∀x (Thinks(x) → Exists(x))',
    source: 'Principles I.10, AT VIII-1 8',
  },
];

/** Adds the seed AXIOMs that are missing; returns how many were added. */
export function seedVks(vks: Vks, canonicalise: Canonicaliser | null = null): number {
  let added = 0;
  for (const s of SEED_AXIOMS) {
    const hit = vks.lookup({ text: s.text, canonical: null });
    if (hit && hit.via === 'exact') continue;
    vks.add({
      tier: 'AXIOM',
      text: s.text,
      aliases: s.aliases,
      canonical: s.formula && canonicalise ? canonicalise(s.formula) : null,
      status: 'VERIFIED',
      method: 'SEED',
      artifact: { source: s.source, formula: s.formula },
    });
    added++;
  }
  return added;
}
