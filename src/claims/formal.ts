/**
 * The bridge from claims to the logic module: which sentences are formulas, how a claim
 * splits into premises and a conclusion, and a backend interface the router calls.
 */
import type { Json } from '../vks/types';

export type FormalAnswer = 'True' | 'False' | 'Uncertain';

export interface FormalResult {
  /** True: entailed; False: its negation is entailed; Uncertain: neither. */
  answer: FormalAnswer;
  method: 'Z3' | 'CVC5';
  /** Counter-model, unsat core or solver output, kept as the VKS artifact. */
  artifact: Json;
}

export interface FormalBackend {
  /** Canonical form of a formula text, or null when the text does not parse as a formula. */
  canonical(text: string): string | null;
  /** Decides premises ⊢ conclusion. */
  check(premises: string[], conclusion: string): Promise<FormalResult>;
}

export interface FormalProblem {
  premises: string[];
  conclusion: string;
}

const TURNSTILE = /⊢|\|-/;

/** Splits on commas and semicolons that are not inside brackets. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) depth--;
    if ((ch === ',' || ch === ';') && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

/**
 * "P1, P2 ⊢ C" (or "|-") is an entailment claim; a lone formula claims validity.
 * Returns null when the parts are not formulas by the backend's parser.
 */
export function formalise(text: string, backend: FormalBackend): FormalProblem | null {
  const body = text.trim().replace(/[.。]\s*$/, '');
  const parts = body.split(TURNSTILE);
  if (parts.length > 2) return null;
  const premises = parts.length === 2 ? splitTopLevel(parts[0]) : [];
  const conclusion = parts[parts.length - 1].trim();
  for (const f of [...premises, conclusion]) if (backend.canonical(f) === null) return null;
  return { premises, conclusion };
}
