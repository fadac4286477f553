/**
 * Parser for the formula language. Accepts the Unicode notation (∀ ∃ ¬ ∧ ∨ → ↔ ⟷ ⊕ □ ◇ ⊤ ⊥)
 * and ASCII/TPTP notation (! ? ~ & | => <=> <~> #box #dia $true $false) in one grammar.
 *
 * Precedence, loosest first: ↔ (left), → (right; TPTP `<=` reversed), ⊕ (left), ∨, ∧,
 * then the prefix operators ¬ □ ◇ and quantifiers. A Unicode quantifier (`∀x`) scopes as far
 * right as it can, as FOLIO writes it; a TPTP quantifier (`![X]:`) takes a unit formula, as
 * TPTP defines it. Identifiers bound by an enclosing quantifier are variables; every other
 * identifier in term position is a constant.
 *
 * Nesting is bounded by MAX_FORMULA_DEPTH: every walk over a formula in src/logic recurses
 * once per level, so a bound here is what keeps all of them off the end of the stack.
 */
import type { Formula, Term } from './ast';
import { children } from './ast';
import { FormulaParseError } from './errors';

/**
 * The deepest formula the parser accepts, counted in levels of the tree it returns: each
 * connective, negation, modal operator, quantifier, atom and function application is one
 * level (an atom is 1, `P(f(a))` is 3); parentheses alone are not. Far above any real formula
 * (the deepest in FOLIO and QMLTP is 112), far below the ~2,000 levels at which a
 * recursive walk runs out of stack.
 */
export const MAX_FORMULA_DEPTH = 500;

/**
 * How deep the parse itself may nest (parentheses, prefix operators, quantifiers and function
 * terms, each one level). Twice the tree limit, so that a formula printed fully parenthesised
 * (print.ts: at most a prefix and a parenthesis per level) parses back; at three or four stack
 * frames a level, the deepest parse takes under half of Node's default stack (measured).
 */
const MAX_PARSE_NESTING = 2 * MAX_FORMULA_DEPTH;

type TokKind =
  | 'lparen' | 'rparen' | 'lbrack' | 'rbrack' | 'comma' | 'colon' | 'dot'
  | 'not' | 'and' | 'or' | 'implies' | 'revimplies' | 'iff' | 'xor'
  | 'forall' | 'exists' | 'tptpForall' | 'tptpExists' | 'box' | 'dia'
  | 'top' | 'bot' | 'eq' | 'neq' | 'ident' | 'eof';

interface Token {
  kind: TokKind;
  text: string;
  pos: number;
}

// Longest first, so `<=>` wins over `<=` and `=>` over `=`.
const SYMBOLS: [string, TokKind][] = [
  ['#box', 'box'], ['#dia', 'dia'], ['$true', 'top'], ['$false', 'bot'],
  ['<=>', 'iff'], ['<->', 'iff'], ['<~>', 'xor'],
  ['=>', 'implies'], ['->', 'implies'], ['<=', 'revimplies'], ['!=', 'neq'], ['[]', 'box'], ['<>', 'dia'],
  ['/\\', 'and'], ['\\/', 'or'],
  ['∀', 'forall'], ['∃', 'exists'], ['¬', 'not'], ['~', 'not'], ['∧', 'and'], ['&', 'and'], ['^', 'and'],
  ['∨', 'or'], ['|', 'or'], ['→', 'implies'], ['⇒', 'implies'], ['⊃', 'implies'],
  ['↔', 'iff'], ['⟷', 'iff'], ['⇔', 'iff'], ['≡', 'iff'], ['⊕', 'xor'], ['⊻', 'xor'],
  ['□', 'box'], ['◻', 'box'], ['◇', 'dia'], ['◊', 'dia'], ['⊤', 'top'], ['⊥', 'bot'], ['≠', 'neq'], ['=', 'eq'],
  ['(', 'lparen'], [')', 'rparen'], ['[', 'lbrack'], [']', 'rbrack'], [',', 'comma'], [':', 'colon'], ['.', 'dot'],
];

const IDENT_START = /[\p{L}\p{N}_$]/u;
const IDENT_CONT = /[\p{L}\p{N}_’']/u;
// These join an identifier only between name characters (`gpt-3`, `mr.smith`) or at its end (`c++`).
const IDENT_JOINERS = /[-.]/;

function isIdentStart(ch: string): boolean {
  return IDENT_START.test(ch);
}

export function tokenize(text: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  outer: while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "'" || ch === '"') {
      // TPTP single-quoted atom or double-quoted constant.
      const end = text.indexOf(ch, i + 1);
      if (end < 0) throw new FormulaParseError(`unterminated quoted name`, i, text, ch, '');
      toks.push({ kind: 'ident', text: text.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    // `!` and `?` are TPTP quantifiers only before a variable list; `!=` is handled by SYMBOLS.
    if ((ch === '!' || ch === '?') && text[i + 1] !== '=') {
      toks.push({ kind: ch === '!' ? 'tptpForall' : 'tptpExists', text: ch, pos: i });
      i++;
      continue;
    }
    if (isIdentStart(ch) && !(ch === '$' && (text.startsWith('$true', i) || text.startsWith('$false', i)))) {
      let j = i + 1;
      while (j < text.length) {
        const cj = text[j];
        if (IDENT_CONT.test(cj)) j++;
        else if (cj === '+') j++;
        else if (IDENT_JOINERS.test(cj) && j + 1 < text.length && /[\p{L}\p{N}_]/u.test(text[j + 1])) j++;
        else break;
      }
      toks.push({ kind: 'ident', text: text.slice(i, j), pos: i });
      i = j;
      continue;
    }
    for (const [sym, kind] of SYMBOLS) {
      if (text.startsWith(sym, i)) {
        toks.push({ kind, text: sym, pos: i });
        i += sym.length;
        continue outer;
      }
    }
    throw new FormulaParseError(`unexpected character '${ch}'`, i, text, '', ch);
  }
  toks.push({ kind: 'eof', text: '', pos: text.length });
  return toks;
}

/** Binding strength of the infix connectives, loosest first (`<=` binds as `→`). */
const LEVEL: Partial<Record<TokKind, number>> & Record<'iff' | 'implies' | 'xor' | 'or' | 'and', number> = {
  iff: 1,
  implies: 2,
  revimplies: 2,
  xor: 3,
  or: 4,
  and: 5,
};

class Parser {
  private i = 0;
  private readonly bound: string[] = [];
  /** Open nesting levels (parentheses, prefix operators, quantifiers, function terms). */
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly toks: Token[],
  ) {}

  private peek(): Token {
    return this.toks[this.i];
  }

  private next(): Token {
    return this.toks[this.i++];
  }

  private accept(kind: TokKind): Token | null {
    return this.peek().kind === kind ? this.next() : null;
  }

  private expect(kind: TokKind, what: string): Token {
    const t = this.peek();
    if (t.kind !== kind) throw this.error(`expected ${what}`, t);
    return this.next();
  }

  private error(reason: string, t: Token = this.peek()): FormulaParseError {
    const found = t.kind === 'eof' ? 'end of input' : `'${t.text}'`;
    return new FormulaParseError(`${reason}, found ${found}`, t.pos, this.text, reason.replace(/^expected /, ''), t.text);
  }

  /**
   * Opens one nested level of the parse (closed by `this.depth--` after it); refuses past
   * MAX_PARSE_NESTING. An error abandons the whole parse, so neither this nor `bound` unwinds.
   */
  private enter(at: Token): void {
    if (++this.depth > MAX_PARSE_NESTING) throw tooDeep(at.pos, this.text, 'parse');
  }

  parseTop(): Formula {
    const f = this.formula();
    this.accept('dot');
    if (this.peek().kind !== 'eof') throw this.error('expected end of formula');
    // Chains of ↔ and ⊕ nest to the left without nesting the parse: measure what was built.
    if (formulaDepth(f) > MAX_FORMULA_DEPTH) throw tooDeep(0, this.text, 'tree');
    return f;
  }

  formula(): Formula {
    return this.infix(LEVEL.iff);
  }

  /**
   * Precedence climbing over the infix connectives that bind at `min` or tighter: one frame
   * per parenthesis rather than one per precedence level, which keeps deep input off the stack.
   */
  private infix(min: number): Formula {
    let left = this.unary();
    for (;;) {
      const kind = this.peek().kind;
      const level = LEVEL[kind];
      if (level === undefined || level < min) return left;
      if (kind === 'iff' || kind === 'xor') {
        // Left-associative: `a ↔ b ↔ c` is `(a ↔ b) ↔ c`.
        this.next();
        left = { kind, left, right: this.infix(level + 1) };
      } else if (kind === 'or' || kind === 'and') {
        // n-ary: `a ∨ b ∨ c` is one disjunction of three.
        const args = [left];
        while (this.accept(kind)) args.push(this.infix(level + 1));
        left = { kind, args };
      } else left = this.implicationChain(left);
    }
  }

  /** `a → b <= c` is `a → (c → b)`: read the chain in a loop, then group it to the right. */
  private implicationChain(first: Formula): Formula {
    const operands = [first];
    const reversed: boolean[] = [];
    for (let t = this.peek().kind; t === 'implies' || t === 'revimplies'; t = this.peek().kind) {
      this.next();
      reversed.push(t === 'revimplies');
      operands.push(this.infix(LEVEL.implies + 1));
    }
    let f = operands[operands.length - 1];
    for (let k = operands.length - 2; k >= 0; k--) {
      f = reversed[k] ? { kind: 'implies', left: f, right: operands[k] } : { kind: 'implies', left: operands[k], right: f };
    }
    return f;
  }

  private unary(): Formula {
    const t = this.peek();
    switch (t.kind) {
      case 'not': {
        this.next();
        this.enter(t);
        const arg = this.unary();
        this.depth--;
        return { kind: 'not', arg };
      }
      case 'box':
      case 'dia': {
        this.next();
        this.accept('colon'); // QMLTP writes `#box : p`
        this.enter(t);
        const arg = this.unary();
        this.depth--;
        return { kind: t.kind, arg };
      }
      case 'forall':
      case 'exists':
      case 'tptpForall':
      case 'tptpExists': {
        this.enter(t);
        const q = t.kind === 'forall' || t.kind === 'exists' ? this.unicodeQuantifier() : this.tptpQuantifier();
        this.depth--;
        return q;
      }
      default:
        return this.primary();
    }
  }

  private unicodeQuantifier(): Formula {
    const q = this.next();
    const kind = q.kind === 'forall' ? 'forall' : 'exists';
    const vars: string[] = [];
    const bracketed = !!this.accept('lbrack');
    do vars.push(this.expect('ident', 'a variable name').text);
    while (this.accept('comma'));
    if (bracketed) this.expect('rbrack', "']'");
    if (!this.accept('colon')) this.accept('dot');
    this.bound.push(...vars);
    const body = this.formula();
    this.bound.length -= vars.length;
    return { kind, vars, body };
  }

  private tptpQuantifier(): Formula {
    const q = this.next();
    const kind = q.kind === 'tptpForall' ? 'forall' : 'exists';
    this.expect('lbrack', "'[' after a TPTP quantifier");
    const vars: string[] = [];
    do vars.push(this.expect('ident', 'a variable name').text);
    while (this.accept('comma'));
    this.expect('rbrack', "']'");
    this.expect('colon', "':'");
    this.bound.push(...vars);
    const body = this.unary();
    this.bound.length -= vars.length;
    return { kind, vars, body };
  }

  private primary(): Formula {
    const t = this.peek();
    if (t.kind === 'lparen') {
      this.next();
      this.enter(t);
      const f = this.formula();
      this.depth--;
      this.expect('rparen', "')'");
      return f;
    }
    if (t.kind === 'top') {
      this.next();
      return { kind: 'true' };
    }
    if (t.kind === 'bot') {
      this.next();
      return { kind: 'false' };
    }
    if (t.kind !== 'ident') throw this.error('expected a formula');
    const term = this.term();
    const op = this.peek().kind;
    if (op === 'eq' || op === 'neq') {
      this.next();
      const eq: Formula = { kind: 'eq', left: term, right: this.term() };
      return op === 'eq' ? eq : { kind: 'not', arg: eq };
    }
    if (term.kind === 'app') return { kind: 'pred', name: term.fn, args: term.args };
    return { kind: 'pred', name: term.name, args: [] };
  }

  private term(): Term {
    const t = this.expect('ident', 'a term');
    const open = this.accept('lparen');
    if (open) {
      const args: Term[] = [];
      this.enter(open);
      if (this.peek().kind !== 'rparen') {
        do args.push(this.term());
        while (this.accept('comma'));
      }
      this.depth--;
      this.expect('rparen', "')' or ','");
      return { kind: 'app', fn: t.text, args };
    }
    return this.bound.includes(t.text) ? { kind: 'var', name: t.text } : { kind: 'const', name: t.text };
  }
}

function tooDeep(position: number, text: string, what: 'tree' | 'parse'): FormulaParseError {
  const reason =
    what === 'tree'
      ? `formula nested too deeply: more than ${MAX_FORMULA_DEPTH} levels`
      : `formula nested too deeply: more than ${MAX_PARSE_NESTING} open parentheses, prefix operators, quantifiers and function terms`;
  return new FormulaParseError(reason, position, text, `at most ${MAX_FORMULA_DEPTH} levels`, '');
}

function termDepth(t: Term): number {
  // Iterative: a term is as deep as its input allows, and this runs before any bound holds.
  let deepest = 0;
  const stack: [Term, number][] = [[t, 1]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [u, d] = top;
    deepest = Math.max(deepest, d);
    if (u.kind === 'app') for (const a of u.args) stack.push([a, d + 1]);
  }
  return deepest;
}

/** Levels of a formula's tree, terms included (an atom is 1, `P(f(a))` is 3); no recursion. */
export function formulaDepth(f: Formula): number {
  let deepest = 0;
  const stack: [Formula, number][] = [[f, 1]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [g, d] = top;
    deepest = Math.max(deepest, d);
    if (g.kind === 'pred') for (const a of g.args) deepest = Math.max(deepest, d + termDepth(a));
    else if (g.kind === 'eq') deepest = Math.max(deepest, d + termDepth(g.left), d + termDepth(g.right));
    else for (const ch of children(g)) stack.push([ch, d + 1]);
  }
  return deepest;
}

/**
 * Parses one formula; throws FormulaParseError with the position of the first problem, and
 * for a formula nested deeper than MAX_FORMULA_DEPTH.
 */
export function parseFormula(text: string): Formula {
  return new Parser(text, tokenize(text)).parseTop();
}
