import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './engine';

/** The real pretrained models beside the repository (CI clones next to a copy of shared/). */
export const sharedModels = path.join(repoRoot, '..', 'shared', 'data', 'models');
export const stories260K = path.join(sharedModels, 'stories260K');
export const tinyStories656k = path.join(sharedModels, 'tinystories-656k');

export interface ReferenceCase {
  prompt?: string;
  prompt_text?: string;
  prompt_tokens: number[];
  generated_tokens: number[];
  first_logits: number[];
  text: string;
}

/** The reference runs of one shared model (reference.jsonl: run.c, or a float64 forward pass). */
export function referenceCases(dir: string): ReferenceCase[] {
  return fs.readFileSync(path.join(dir, 'reference.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as ReferenceCase);
}
