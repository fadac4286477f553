import { readGguf, type GgufInfo } from '../engine';
import type { Provenance } from './plan';

/** The metadata keys the converter writes (plan.ts's llamaMetadata). */
export const PROVENANCE_KEYS = {
  sourceFormat: 'cogito.convert.source_format',
  architecture: 'cogito.convert.architecture',
  tokenizer: 'cogito.convert.tokenizer',
} as const;

/** Where a GGUF came from, when `cogito convert` wrote it; null for any other GGUF. */
export function provenanceOf(info: GgufInfo): Provenance | null {
  const value = (key: string): string | undefined => {
    const v = Object.prototype.hasOwnProperty.call(info.metadata, key) ? info.metadata[key].value : undefined;
    return typeof v === 'string' ? v : undefined;
  };
  const sourceFormat = value(PROVENANCE_KEYS.sourceFormat);
  if (sourceFormat !== 'llama2c' && sourceFormat !== 'huggingface') return null;
  return { sourceFormat, architecture: value(PROVENANCE_KEYS.architecture) ?? 'unknown', tokenizer: value(PROVENANCE_KEYS.tokenizer) ?? 'unknown' };
}

export async function readProvenance(file: string): Promise<Provenance | null> {
  return provenanceOf(await readGguf(file, { maxArray: 1 }));
}

/** One line for people: "converted from huggingface LlamaForCausalLM (tokenizer sentencepiece-bpe)". */
export function describeProvenance(p: Provenance): string {
  return `converted from ${p.sourceFormat} ${p.architecture} (tokenizer ${p.tokenizer})`;
}
