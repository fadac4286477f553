/**
 * Arguments as data (premises, conclusion, the logic they are meant in) and their
 * verification. A premise marked as a condition is one the argument stands or falls with
 * (a contested thesis): the argument is `conditional` when it is valid with its conditions
 * and invalid without them, which is the VKS's CONTESTED tier ("valid under stated premises").
 */
import type { Formula } from './ast';
import { checkEntailment } from './classical';
import type { KripkeModel } from './modal/kripke';
import type { ModalLogic } from './modal/frames';
import { checkModal } from './modal/check';
import type { GroundModel } from './model';
import { parseFormula } from './parser';

export type ArgumentLogic = 'classical' | ModalLogic;
export type ArgumentVerdict = 'valid' | 'invalid' | 'conditional' | 'undecided';

export interface Premise {
  label: string;
  text: string;
  /** A contested thesis the argument depends on. */
  condition?: boolean;
}

export interface Argument {
  id: string;
  title: string;
  logic: ArgumentLogic;
  premises: Premise[];
  conclusion: string;
  /** The verdict the formalisation is meant to have; asserted in tests. */
  expected: ArgumentVerdict;
  /** Why the formalisation has that verdict (and where it comes from). */
  note: string;
}

export interface ArgumentResult {
  id: string;
  verdict: ArgumentVerdict;
  /** A model of the premises where the conclusion fails (for invalid, or without the conditions). */
  countermodel?: GroundModel | KripkeModel;
  /** The premises are jointly inconsistent (classical only): valid, but vacuously. */
  inconsistent: boolean;
  ms: number;
}

interface Check {
  valid: boolean | null;
  countermodel?: GroundModel | KripkeModel;
  inconsistent: boolean;
}

async function decide(logic: ArgumentLogic, premises: Formula[], conclusion: Formula, timeoutMs: number): Promise<Check> {
  if (logic === 'classical') {
    const r = await checkEntailment(premises, conclusion, { timeoutMs });
    if (r.inconsistent) return { valid: true, inconsistent: true };
    if (r.answer === 'True') return { valid: true, inconsistent: false };
    return { valid: r.undecided && !r.counterModel ? null : false, countermodel: r.counterModel, inconsistent: false };
  }
  const r = await checkModal(premises, conclusion, { logic, premises: 'local', timeoutMs });
  return { valid: r.valid, countermodel: r.countermodel, inconsistent: false };
}

export async function verifyArgument(arg: Argument, opts: { timeoutMs?: number; logic?: ArgumentLogic } = {}): Promise<ArgumentResult> {
  const t0 = Date.now();
  const timeoutMs = opts.timeoutMs ?? 10000;
  const logic = opts.logic ?? arg.logic;
  const conclusion = parseFormula(arg.conclusion);
  const all = await decide(logic, arg.premises.map((p) => parseFormula(p.text)), conclusion, timeoutMs);
  const base = { id: arg.id, inconsistent: all.inconsistent };
  if (all.valid === null) return { ...base, verdict: 'undecided', ms: Date.now() - t0 };
  if (!all.valid) return { ...base, verdict: 'invalid', countermodel: all.countermodel, ms: Date.now() - t0 };
  const unconditional = arg.premises.filter((p) => !p.condition);
  if (unconditional.length === arg.premises.length) return { ...base, verdict: 'valid', ms: Date.now() - t0 };
  const bare = await decide(logic, unconditional.map((p) => parseFormula(p.text)), conclusion, timeoutMs);
  if (bare.valid === null) return { ...base, verdict: 'undecided', ms: Date.now() - t0 };
  return bare.valid
    ? { ...base, verdict: 'valid', ms: Date.now() - t0 }
    : { ...base, verdict: 'conditional', countermodel: bare.countermodel, ms: Date.now() - t0 };
}
