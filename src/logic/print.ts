/** Renders formulas back to the Unicode notation the parser reads (round-trips). */
import type { Formula, Term } from './ast';

const NAME_SAFE = /^[\p{L}\p{N}_][\p{L}\p{N}_’'+]*(?:[-.][\p{L}\p{N}_][\p{L}\p{N}_’'+]*)*$/u;

function name(s: string): string {
  return NAME_SAFE.test(s) ? s : `"${s}"`;
}

export function termToString(t: Term): string {
  if (t.kind === 'app') return `${name(t.fn)}(${t.args.map(termToString).join(', ')})`;
  return name(t.name);
}

const BINARY_SYMBOL = { implies: '→', iff: '↔', xor: '⊕' } as const;

/** Fully parenthesised below the top level, so the output never depends on precedence. */
export function formulaToString(f: Formula): string {
  const sub = (g: Formula): string => {
    const s = formulaToString(g);
    return g.kind === 'and' || g.kind === 'or' || g.kind === 'implies' || g.kind === 'iff' || g.kind === 'xor' ||
      g.kind === 'forall' || g.kind === 'exists' || g.kind === 'eq'
      ? `(${s})`
      : s;
  };
  switch (f.kind) {
    case 'true':
      return '⊤';
    case 'false':
      return '⊥';
    case 'pred':
      return f.args.length === 0 ? name(f.name) : `${name(f.name)}(${f.args.map(termToString).join(', ')})`;
    case 'eq':
      return `${termToString(f.left)} = ${termToString(f.right)}`;
    case 'not':
      return `¬${sub(f.arg)}`;
    case 'box':
      return `□${sub(f.arg)}`;
    case 'dia':
      return `◇${sub(f.arg)}`;
    case 'and':
      return f.args.map(sub).join(' ∧ ');
    case 'or':
      return f.args.map(sub).join(' ∨ ');
    case 'implies':
    case 'iff':
    case 'xor':
      return `${sub(f.left)} ${BINARY_SYMBOL[f.kind]} ${sub(f.right)}`;
    case 'forall':
    case 'exists':
      return `${f.kind === 'forall' ? '∀' : '∃'}${f.vars.join(',')} ${sub(f.body)}`;
  }
}
