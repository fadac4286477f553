import type { CorpusOptions } from './corpus';

/**
 * The world models/default.gguf was trained on (seed 8, chosen in session 8; models/MODEL_CARD.md):
 * every file generated from it — held-out and sidecar-train questions, the domain pack, the
 * reference corpus, the facts list, the oracle's training text — takes its options from here.
 */
export const DEFAULT_WORLD = {
  seed: 8,
  // twice the corpus defaults: 530 held-out questions (models/recipe/measurements.md, session 6)
  countries: 180,
  people: 240,
  // every country and person named in a fact-free statement (measurements.md, session 5)
  mentions: 2,
} as const satisfies CorpusOptions;
