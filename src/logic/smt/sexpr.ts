/** A minimal S-expression reader for solver replies (get-value, get-unsat-core). */
import { SolverError } from '../errors';

export type SExpr = string | SExpr[];

/** Reads every top-level S-expression in `text`; `|quoted|` symbols come back unquoted. */
export function readSExprs(text: string): SExpr[] {
  const out: SExpr[] = [];
  const stack: SExpr[][] = [];
  let i = 0;
  const push = (x: SExpr): void => {
    if (stack.length) stack[stack.length - 1].push(x);
    else out.push(x);
  };
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) i++;
    else if (ch === ';') while (i < text.length && text[i] !== '\n') i++;
    else if (ch === '(') {
      stack.push([]);
      i++;
    } else if (ch === ')') {
      const done = stack.pop();
      if (!done) throw new SolverError(`unbalanced ')' in solver output at ${i}`);
      push(done);
      i++;
    } else if (ch === '|') {
      const end = text.indexOf('|', i + 1);
      if (end < 0) throw new SolverError('unterminated |symbol| in solver output');
      push(text.slice(i + 1, end));
      i = end + 1;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < text.length && !(text[j] === '"' && text[j + 1] !== '"')) j += text[j] === '"' ? 2 : 1;
      push(text.slice(i, j + 1));
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s()]/.test(text[j])) j++;
      push(text.slice(i, j));
      i = j;
    }
  }
  if (stack.length) throw new SolverError('unbalanced "(" in solver output');
  return out;
}

/** Writes an S-expression back as text, quoting symbols that need it. */
export function writeSExpr(e: SExpr): string {
  if (Array.isArray(e)) return `(${e.map(writeSExpr).join(' ')})`;
  return e;
}
