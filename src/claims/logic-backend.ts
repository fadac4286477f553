/**
 * FormalBackend over src/logic (parser, canonical form, Z3/cvc5 entailment). Loaded lazily
 * so that claims work, with formal checks reported as unavailable, where logic is absent.
 */
import type { FormalAnswer, FormalBackend, FormalResult } from './formal';
import type { Json } from '../vks/types';

interface LogicModule {
  parseFormula(text: string): unknown;
  canonicalForm(formula: unknown): string;
  checkEntailment(premises: unknown[], conclusion: unknown): Promise<unknown>;
}

function isLogicModule(m: unknown): m is LogicModule {
  const o = m as Partial<LogicModule> | null;
  return !!o && typeof o.parseFormula === 'function' && typeof o.canonicalForm === 'function' && typeof o.checkEntailment === 'function';
}

/** Reads the three-way answer from an entailment result, whatever the field is called. */
function answerOf(r: unknown): FormalAnswer {
  const o = (r ?? {}) as Record<string, unknown>;
  const raw = String(o.answer ?? o.verdict ?? o.label ?? o.result ?? o.status ?? r).toLowerCase();
  if (['true', 'entailed', 'valid', 'theorem', 'proved'].includes(raw)) return 'True';
  if (['false', 'refuted', 'negation-entailed', 'contradicted'].includes(raw)) return 'False';
  return 'Uncertain';
}

function methodOf(r: unknown): FormalResult['method'] {
  const o = (r ?? {}) as Record<string, unknown>;
  return /cvc5/i.test(String(o.solver ?? o.method ?? o.winner ?? '')) ? 'CVC5' : 'Z3';
}

/** The solver's result as plain JSON for the VKS artifact (models may hold BigInts or cycles). */
function toJson(r: unknown): Json {
  try {
    return JSON.parse(JSON.stringify(r ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Json;
  } catch {
    return String(r);
  }
}

export function loadLogicBackend(): FormalBackend | null {
  let mod: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional module, resolved at run time
    mod = require('../logic');
  } catch {
    return null;
  }
  if (!isLogicModule(mod)) return null;
  const logic = mod;
  return {
    canonical(text: string): string | null {
      try {
        return logic.canonicalForm(logic.parseFormula(text));
      } catch {
        return null;
      }
    },
    async check(premises: string[], conclusion: string): Promise<FormalResult> {
      const r = await logic.checkEntailment(premises.map((p) => logic.parseFormula(p)), logic.parseFormula(conclusion));
      return { answer: answerOf(r), method: methodOf(r), artifact: toJson(r) };
    },
  };
}
