/**
 * FormalBackend over src/logic: the parser, the canonical form and Z3/cvc5 entailment, with the
 * logic layer's own typed result.
 */
import { canonicalForm, checkEntailment, parseFormula, type EntailmentResult } from '../logic';
import type { Json } from '../vks/types';
import type { FormalBackend, FormalResult } from './formal';

/** The solver's result as plain JSON for the VKS artifact (models may hold BigInts). */
function toJson(r: EntailmentResult): Json {
  return JSON.parse(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Json;
}

export function loadLogicBackend(): FormalBackend {
  return {
    canonical(text: string): string | null {
      try {
        return canonicalForm(parseFormula(text));
      } catch {
        return null; // not a formula: the claim has no canonical form
      }
    },
    async check(premises: string[], conclusion: string): Promise<FormalResult> {
      const r = await checkEntailment(premises.map((p) => parseFormula(p)), parseFormula(conclusion));
      return { answer: r.answer, method: r.solver === 'cvc5' ? 'CVC5' : 'Z3', artifact: toJson(r) };
    },
  };
}
