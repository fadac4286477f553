/**
 * Parser for the formula language. Accepts the Unicode notation (∀ ∃ ¬ ∧ ∨ → ↔ ⟷ ⊕ □ ◇ ⊤ ⊥)
 * and ASCII/TPTP notation (! ? ~ & | => <=> <~> #box #dia $true $false) in one grammar.
 *
 * Precedence, loosest first: ↔ (left), → (right; TPTP `<=` reversed), ⊕ (left), ∨, ∧,
 * then the prefix operators ¬ □ ◇ and quantifiers. A Unicode quantifier (`∀x`) scopes as far
 * right as it can, as FOLIO writes it; a TPTP quantifier (`![X]:`) takes a unit formula, as
 * TPTP defines it. Identifiers bound by an enclosing quantifier are variables; every other
 * identifier in term position is a constant.
 */
import type { Formula, Term } from './ast';
import { FormulaParseError } from './errors';

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

class Parser {
  private i = 0;
  private readonly bound: string[] = [];

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

  parseTop(): Formula {
    const f = this.formula();
    this.accept('dot');
    if (this.peek().kind !== 'eof') throw this.error('expected end of formula');
    return f;
  }

  formula(): Formula {
    let left = this.implication();
    while (this.peek().kind === 'iff') {
      this.next();
      left = { kind: 'iff', left, right: this.implication() };
    }
    return left;
  }

  private implication(): Formula {
    const left = this.exclusive();
    const t = this.peek().kind;
    if (t === 'implies') {
      this.next();
      return { kind: 'implies', left, right: this.implication() };
    }
    if (t === 'revimplies') {
      this.next();
      return { kind: 'implies', left: this.implication(), right: left };
    }
    return left;
  }

  private exclusive(): Formula {
    let left = this.disjunction();
    while (this.peek().kind === 'xor') {
      this.next();
      left = { kind: 'xor', left, right: this.disjunction() };
    }
    return left;
  }

  private disjunction(): Formula {
    const args = [this.conjunction()];
    while (this.accept('or')) args.push(this.conjunction());
    return args.length === 1 ? args[0] : { kind: 'or', args };
  }

  private conjunction(): Formula {
    const args = [this.unary()];
    while (this.accept('and')) args.push(this.unary());
    return args.length === 1 ? args[0] : { kind: 'and', args };
  }

  private unary(): Formula {
    const t = this.peek();
    switch (t.kind) {
      case 'not':
        this.next();
        return { kind: 'not', arg: this.unary() };
      case 'box':
      case 'dia':
        this.next();
        this.accept('colon'); // QMLTP writes `#box : p`
        return { kind: t.kind, arg: this.unary() };
      case 'forall':
      case 'exists':
        return this.unicodeQuantifier();
      case 'tptpForall':
      case 'tptpExists':
        return this.tptpQuantifier();
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
    return this.withBound(vars, () => ({ kind, vars, body: this.formula() }));
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
    return this.withBound(vars, () => ({ kind, vars, body: this.unary() }));
  }

  private withBound(vars: string[], body: () => Formula): Formula {
    this.bound.push(...vars);
    try {
      return body();
    } finally {
      this.bound.length -= vars.length;
    }
  }

  private primary(): Formula {
    const t = this.peek();
    if (t.kind === 'lparen') {
      this.next();
      const f = this.formula();
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
    if (this.accept('lparen')) {
      const args: Term[] = [];
      if (this.peek().kind !== 'rparen') {
        do args.push(this.term());
        while (this.accept('comma'));
      }
      this.expect('rparen', "')' or ','");
      return { kind: 'app', fn: t.text, args };
    }
    return this.bound.includes(t.text) ? { kind: 'var', name: t.text } : { kind: 'const', name: t.text };
  }
}

/** Parses one formula; throws FormulaParseError with the position of the first problem. */
export function parseFormula(text: string): Formula {
  return new Parser(text, tokenize(text)).parseTop();
}
