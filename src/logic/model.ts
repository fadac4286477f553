/** Reading models back from solver output: constants → domain elements, ground atoms → truth. */
import type { Formula, Signature } from './ast';
import { signatureOf } from './ast';
import { constSymbol, predSymbol, quote } from './smt/render';
import type { SExpr } from './smt/sexpr';
import { readSExprs } from './smt/sexpr';

export interface GroundModel {
  /** Named individual → the domain element the solver gave it (equal elements = same individual). */
  individuals: Record<string, string>;
  /** Ground atom over named individuals (`P(a, b)`, or `p`) → its truth value. */
  atoms: Record<string, boolean>;
}

/** Caps the follow-up query so a story with many constants does not flood the output. */
const MAX_ATOMS = 400;

export interface ModelQuery {
  commands: string;
  read(output: string): GroundModel;
}

/** Every n-tuple over items, in order (the ground argument lists of an n-ary symbol). */
export function tuples<T>(items: readonly T[], n: number): T[][] {
  if (n === 0) return [[]];
  const out: T[][] = [];
  for (const head of items) for (const rest of tuples(items, n - 1)) out.push([head, ...rest]);
  return out;
}

function valueText(e: SExpr): string {
  if (typeof e === 'string') return e;
  // cvc5 writes (as @U_0 U); z3 writes U!val!0.
  if (e[0] === 'as' && typeof e[1] === 'string') return e[1];
  return JSON.stringify(e);
}

/** The get-value query for every constant and every ground atom over them, and its reader. */
export function groundModelQuery(formulas: readonly Formula[], sig: Signature = signatureOf(formulas)): ModelQuery {
  const consts = [...sig.constants].sort();
  const terms: { key: string; smt: string; kind: 'const' | 'atom' }[] = [];
  for (const c of consts) terms.push({ key: c, smt: quote(constSymbol(c)), kind: 'const' });
  for (const [name, arities] of [...sig.predicates].sort()) {
    for (const n of [...arities].sort()) {
      for (const args of tuples(consts, n)) {
        if (terms.length >= MAX_ATOMS) break;
        const key = n === 0 ? name : `${name}(${args.join(', ')})`;
        const smt = n === 0 ? quote(predSymbol(name, 0)) : `(${quote(predSymbol(name, n))} ${args.map((a) => quote(constSymbol(a))).join(' ')})`;
        terms.push({ key, smt, kind: 'atom' });
      }
    }
  }
  return {
    commands: terms.length ? `(get-value (${terms.map((t) => t.smt).join(' ')}))` : '',
    read(output: string): GroundModel {
      const model: GroundModel = { individuals: {}, atoms: {} };
      const list = readSExprs(output).find((e): e is SExpr[] => Array.isArray(e) && e.every(Array.isArray));
      if (!list) return model;
      list.forEach((pair, i) => {
        const t = terms[i];
        if (!t || !Array.isArray(pair)) return;
        const value = valueText(pair[1]);
        if (t.kind === 'const') model.individuals[t.key] = value;
        else model.atoms[t.key] = value === 'true';
      });
      return model;
    },
  };
}

/** Names in a get-unsat-core reply. */
export function readCore(output: string): string[] {
  const list = readSExprs(output).find((e): e is SExpr[] => Array.isArray(e));
  return (list ?? []).filter((x): x is string => typeof x === 'string');
}
