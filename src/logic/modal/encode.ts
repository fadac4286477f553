/**
 * The standard translation of modal formulas into first-order logic over worlds (sort W, with
 * accessibility R) and individuals (sort U, constant domain, rigid terms), as SMT-LIB2.
 * Predicates take the world as their first argument.
 */
import type { Formula } from '../ast';
import { InternalError } from '../../util/errors';
import { signatureOf } from '../ast';
import { constSymbol, funSymbol, internalSymbol, predSymbol, quote, renderConnective, renderTerm } from '../smt/render';
import type { ModalLogic } from './frames';
import { frameAxioms } from './frames';

export type PremiseMode = 'local' | 'global';

export function worldName(i: number): string {
  return `w${i}`;
}

/** ST_w(f): `f` holds at world term `w`. */
export function translate(f: Formula, w: string, fresh: { n: number }): string {
  const r = (g: Formula): string => translate(g, w, fresh);
  const connective = renderConnective(f, r);
  if (connective !== null) return connective;
  switch (f.kind) {
    case 'pred':
      return `(${quote(predSymbol(f.name, f.args.length))} ${[w, ...f.args.map(renderTerm)].join(' ')})`;
    case 'eq':
      return `(= ${renderTerm(f.left)} ${renderTerm(f.right)})`;
    case 'forall':
    case 'exists':
      return `(${f.kind} (${f.vars.map((x) => `(${quote(`?${x}`)} U)`).join(' ')}) ${r(f.body)})`;
    case 'box':
    case 'dia': {
      const v = internalSymbol(`w${++fresh.n}`);
      const inner = translate(f.arg, v, fresh);
      return f.kind === 'box' ? `(forall ((${v} W)) (=> (R ${w} ${v}) ${inner}))` : `(exists ((${v} W)) (and (R ${w} ${v}) ${inner}))`;
    }
    default:
      throw new InternalError(`unreachable: ${f.kind}`);
  }
}

export interface ModalEncoding {
  script: string;
  /** Assertion names of the premises, in order. */
  names: string[];
}

/**
 * premises ∧ ¬conclusion at world w0 (premises at w0 when local, at every world when global).
 * With `worlds`, the model has exactly that many worlds, named w0..w(n-1).
 */
export function encodeModal(
  premises: readonly Formula[],
  conclusion: Formula,
  logic: ModalLogic,
  mode: PremiseMode,
  worlds?: number,
): ModalEncoding {
  const sig = signatureOf([...premises, conclusion]);
  const lines = ['(set-logic ALL)', '(declare-sort W 0)', '(declare-sort U 0)'];
  // S5 validity coincides with validity on universal frames, which is cheaper to search.
  lines.push(logic === 'S5' ? '(define-fun R ((u W) (v W)) Bool true)' : '(declare-fun R (W W) Bool)');
  const n = worlds ?? 1;
  for (let i = 0; i < n; i++) lines.push(`(declare-const ${worldName(i)} W)`);
  if (worlds !== undefined) {
    if (n > 1) lines.push(`(assert (distinct ${Array.from({ length: n }, (_, i) => worldName(i)).join(' ')}))`);
    lines.push(`(assert (forall ((u W)) (or ${Array.from({ length: n }, (_, i) => `(= u ${worldName(i)})`).join(' ')} false)))`);
  }
  for (const c of [...sig.constants].sort()) lines.push(`(declare-const ${quote(constSymbol(c))} U)`);
  for (const [name, arities] of [...sig.functions].sort())
    for (const k of arities) lines.push(`(declare-fun ${quote(funSymbol(name, k))} (${Array(k).fill('U').join(' ')}) U)`);
  for (const [name, arities] of [...sig.predicates].sort())
    for (const k of arities) lines.push(`(declare-fun ${quote(predSymbol(name, k))} (W${' U'.repeat(k)}) Bool)`);
  if (logic !== 'S5') lines.push(...frameAxioms(logic));
  const fresh = { n: 0 };
  const names = premises.map((_, i) => `h${i}`);
  premises.forEach((p, i) => {
    const body = mode === 'local' ? translate(p, 'w0', fresh) : `(forall ((${internalSymbol('g')} W)) ${translate(p, internalSymbol('g'), fresh)})`;
    lines.push(`(assert (! ${body} :named ${names[i]}))`);
  });
  lines.push(`(assert (! (not ${translate(conclusion, 'w0', fresh)}) :named goal))`);
  return { script: lines.join('\n'), names };
}
