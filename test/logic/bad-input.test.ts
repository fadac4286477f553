/**
 * Garbage in a logic run: one bad entry never sinks the run, each is reported where it is
 * (line or file name) and why, and nothing unparseable is ever scored as decided.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  canonicalForm,
  checkEntailment,
  checkModal,
  encodeTreeModel,
  formulaDepth,
  formulaToString,
  FormulaParseError,
  isModal,
  MAX_FORMULA_DEPTH,
  parseFormula,
  ProblemFileError,
  readFolioFile,
  readQmltpProblem,
  renderProblem,
  runFolio,
  runQmltp,
  shutdownZ3,
} from '../../src/logic';
import { SHARED_DATA } from './data';

afterAll(shutdownZ3);

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'cogito-bad-input-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Formula shapes that nest `n` deep, one for each construct the parser nests on. */
const DEEP: Record<string, (n: number) => string> = {
  parentheses: (n) => `${'('.repeat(n)}p${')'.repeat(n)}`,
  negations: (n) => `${'¬'.repeat(n)}p`,
  'TPTP boxes': (n) => `${'#box : '.repeat(n)}p`,
  'a → chain': (n) => Array.from({ length: n + 1 }, (_, i) => `p${i % 3}`).join(' → '),
  'a ↔ chain': (n) => Array.from({ length: n + 1 }, (_, i) => `p${i % 3}`).join(' <=> '),
  quantifiers: (n) => `${Array.from({ length: n }, (_, i) => `∀x${i} `).join('')}P(x0)`,
  // Canonical form once rendered the body again per quantifier: exponential in alternations.
  'alternating quantifiers': (n) => `${Array.from({ length: n }, (_, i) => `${i % 2 ? '∀' : '∃'}x${i} `).join('')}P(x0, x${n - 1})`,
  'TPTP quantifiers': (n) => `${Array.from({ length: n }, (_, i) => `![X${i}]: `).join('')}p(X0)`,
  'function terms': (n) => `P(${'f('.repeat(n)}a${')'.repeat(n)})`,
  'nested ∧ in parentheses': (n) => `${'(p ∧ '.repeat(n)}q${')'.repeat(n)}`,
};

describe('the parser at depth', () => {
  it.each(Object.entries(DEEP))('%s 5,000 deep: a typed FormulaParseError, not a stack overflow', (_, shape) => {
    let error: unknown;
    try {
      parseFormula(shape(5000));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FormulaParseError);
    expect((error as FormulaParseError).reason).toMatch(/^formula nested too deeply: more than \d+ /);
  });

  it.each(Object.entries(DEEP))('%s within the limit parses, prints back and reaches canonical form and SMT', (name, shape) => {
    const f = parseFormula(shape(MAX_FORMULA_DEPTH - 3));
    expect(formulaDepth(f)).toBeLessThanOrEqual(MAX_FORMULA_DEPTH);
    // Parentheses alone add no level to the formula; every other shape is as deep as it is long.
    if (name !== 'parentheses') expect(formulaDepth(f)).toBeGreaterThanOrEqual(MAX_FORMULA_DEPTH - 3);
    expect(parseFormula(formulaToString(f))).toEqual(f);
    expect(canonicalForm(f).length).toBeGreaterThan(0);
    const smt = isModal(f) ? encodeTreeModel([], f, 'K') : renderProblem([f]).script;
    expect(smt).toContain('(assert');
  });

  it('a formula at the limit is decided, classically and in K, without overflowing', async () => {
    const classical = parseFormula(DEEP['a → chain'](MAX_FORMULA_DEPTH - 1));
    expect(formulaDepth(classical)).toBe(MAX_FORMULA_DEPTH);
    expect((await checkEntailment([], classical, { timeoutMs: 20000 })).answer).toBe('True');
    const modal = parseFormula(`${'□'.repeat(MAX_FORMULA_DEPTH - 3)}(p → p)`);
    expect((await checkModal([], modal, { logic: 'K', timeoutMs: 20000 })).valid).toBe(true);
    expect(() => parseFormula(`${'□'.repeat(MAX_FORMULA_DEPTH)}(p → p)`)).toThrow(FormulaParseError);
  });
});

describe('cogito logic folio over bad lines', () => {
  const good = readFileSync(path.join(SHARED_DATA, 'folio/folio-dev.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 3);
  const bad: [string, RegExp][] = [
    ['{"example_id": "broken", "premises-FOL": ["P(a)"]', /^malformed JSON: /],
    ['null', /^expected a JSON object, found null$/],
    ['{"example_id": "n", "premises-FOL": [42], "conclusion-FOL": "P(a)", "label": "True"}', /^premises-FOL\[0\] is a number, expected a string$/],
    ['{"example_id": "c", "premises-FOL": ["P(a)"], "conclusion-FOL": 7, "label": "True"}', /^conclusion-FOL is a number, expected a string$/],
    ['{"example_id": "nc", "premises-FOL": ["P(a)"], "label": "True"}', /^no conclusion-FOL$/],
    ['{"example_id": "s", "premises-FOL": "P(a) ∧ Q(b)", "conclusion-FOL": "P(a)", "label": "True"}', /^premises-FOL is a string, expected an array of strings$/],
    ['{"example_id": "l", "premises-FOL": ["P(a)"], "conclusion-FOL": "P(a)", "label": "Maybe"}', /^label is "Maybe", expected True, False or Uncertain$/],
    ['{"example_id": "nl", "premises-FOL": ["P(a)"], "conclusion-FOL": "P(a)"}', /^no label to compare with$/],
    ['[1, 2]', /^expected a JSON object, found an array$/],
    ['{"example_id": "p", "premises-FOL": ["P(a) @ Q(b)"], "conclusion-FOL": "P(a)", "label": "True"}', /^premise 1 does not parse: unexpected character '@' at position 5$/],
    [`{"example_id": "d", "premises-FOL": ["P(a)"], "conclusion-FOL": "${'('.repeat(5000)}P(a)${')'.repeat(5000)}", "label": "True"}`, /^the conclusion does not parse: formula nested too deeply/],
  ];

  it('reports each bad line with its number and reason, and scores the good ones as alone', async () => {
    // Good lines first, last and between bad ones; a blank line does not shift the numbering.
    const lines = [good[0], ...bad.slice(0, 5).map(([l]) => l), good[1], '', ...bad.slice(5).map(([l]) => l), good[2]];
    const file = path.join(dir, 'mixed.jsonl');
    writeFileSync(file, lines.join('\n'));
    const mixed = await runFolio(readFolioFile(file));
    const alone = path.join(dir, 'good.jsonl');
    writeFileSync(alone, good.join('\n'));
    const clean = await runFolio(readFolioFile(alone));
    expect(clean.skipped).toEqual([]);
    // folio-dev has no example_id: an example's id is its place among the lines, so ids differ.
    const scored = (r: typeof mixed) => [r.total, r.agree, r.disagreements.map(({ id: _, ...d }) => d), r.repaired.map((x) => x.repairs)];
    expect(scored(mixed)).toEqual(scored(clean));
    expect(mixed.total).toBe(3);
    expect(mixed.skipped).toHaveLength(bad.length);
    const lineOf = (l: string): number => lines.indexOf(l) + 1;
    for (const [k, [text, reason]] of bad.entries()) {
      expect([k, mixed.skipped[k].line]).toEqual([k, lineOf(text)]);
      expect(mixed.skipped[k].reason).toMatch(reason);
    }
  });

  it('skips examples built in code with the wrong types, instead of failing on them', async () => {
    const r = await runFolio([
      { id: 'a', premisesFol: 'P(a)' as unknown as string[], conclusionFol: 'P(a)', label: 'True' },
      { id: 'b', premisesFol: [null as unknown as string], conclusionFol: 'P(a)', label: 'True' },
      { id: 'c', premisesFol: ['P(a)'], conclusionFol: ['P(a)'] as unknown as string, label: 'True' },
    ]);
    expect(r.total).toBe(0);
    expect(r.skipped.map((s) => `${s.id}: ${s.reason}`)).toEqual([
      'a: premises are a string, expected an array of strings',
      'b: premise 1 is null, expected a string',
      'c: conclusion-FOL is an array, expected a string',
    ]);
  });
});

describe('cogito logic qmltp over bad files', () => {
  // Deterministic "random bytes" (a linear congruential generator), so the test never flakes.
  const noise = (n: number): Buffer => {
    let x = 12345;
    return Buffer.from(Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff));
  };
  const BAD: Record<string, { content: string | Buffer; reason: RegExp }> = {
    'empty.p': { content: '', reason: /^no qmf, fof or tff statements/ },
    'random.p': { content: noise(4096), reason: /^no qmf, fof or tff statements/ },
    'fof-only.p': { content: '% K   Non-Theorem Non-Theorem Non-Theorem\nfof(a, axiom, p).\nfof(b, axiom, (p => q)).\n', reason: /^no conjecture among its 2 statements$/ },
    'unbalanced.p': { content: '% K   Theorem Theorem Theorem\nqmf(a, axiom, (p & (q).\nqmf(c, conjecture, p).\n', reason: /^unbalanced qmf\( statement: 2 '\(' left open \(line 2\)$/ },
    'deep.p': { content: `% K   Theorem Theorem Theorem\nqmf(c, conjecture, ${'('.repeat(5000)}p${')'.repeat(5000)}).\n`, reason: /^conjecture c: formula nested too deeply/ },
    'include.p': { content: "include('Axioms/SYM001+0.ax').\nqmf(c, conjecture, p).\n", reason: /^include\('Axioms\/SYM001\+0\.ax'\) is not supported: its axioms would be missing$/ },
    'two-conjectures.p': { content: 'qmf(a, conjecture, p).\nqmf(b, conjecture, q).\n', reason: /^2 conjectures \(a problem has one\)$/ },
    'bad-formula.p': { content: 'qmf(a, axiom, p).\nqmf(c, conjecture, p & ).\n', reason: /^conjecture c: expected a formula, found end of input at position 3$/ },
    'deep-box.p': { content: `% K   Theorem Theorem Theorem\nqmf(c, conjecture, ${'#box : '.repeat(5000)}p).\n`, reason: /^conjecture c: formula nested too deeply/ },
  };
  const REAL = ['SYM102+1.p', 'SYM158+1.p'];

  it('reports each bad file by name and reason, scores none of them, and the real ones as before', async () => {
    const q = path.join(dir, 'qmltp');
    mkdirSync(q);
    for (const f of REAL) copyFileSync(path.join(SHARED_DATA, 'qmltp-dev', f), path.join(q, f));
    for (const [name, { content }] of Object.entries(BAD)) writeFileSync(path.join(q, name), content);
    const r = await runQmltp(q, { logics: ['K'], timeoutMs: 7000 });
    // The two real problems, as they score alone (see cli.test.ts); the bad files add nothing.
    expect(r.logics.K).toEqual({ known: 2, agree: 2, undecided: 0 });
    expect(r.cases).toEqual([]);
    expect(r.unsolvedDecided).toEqual([]);
    expect(r.skipped.map((s) => s.file).sort()).toEqual(Object.keys(BAD).sort());
    for (const s of r.skipped) {
      expect([s.file, s.problem]).toEqual([s.file, s.file.replace(/\.p$/, '')]);
      expect([s.file, s.reason]).toEqual([s.file, expect.stringMatching(BAD[s.file].reason)]);
    }
  });

  it('readQmltpProblem throws a ProblemFileError naming the file, never a verdict-ready problem', () => {
    const file = path.join(dir, 'nothing.p');
    writeFileSync(file, '% just a comment\n');
    expect(() => readQmltpProblem(file)).toThrow(ProblemFileError);
    expect(() => readQmltpProblem(file)).toThrow(expect.objectContaining({ code: 'INVALID_PROBLEM', file, reason: 'no qmf, fof or tff statements (not a TPTP problem)' }));
    expect(() => readQmltpProblem(file)).toThrow(`${file}: no qmf, fof or tff statements (not a TPTP problem)`);
  });
});
