// `cogito ask` through the real bin/cogito.js (over dist/): --json, --batch with --out and its
// summary, and bad input — one line naming the code, exit 1, and no partial --out.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DESCARTES_PASSAGES } from '../../src/corpus';
import type { AskResult } from '../../src/cascade';
import { repoRoot, tempDir } from '../support/engine';

let dir: string;
let corpus: string;

function cogito(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'cogito.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  // bin/cogito.js runs the compiled dist/, so build it from the sources under test
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(repoRoot, 'tsconfig.build.json')], { cwd: repoRoot, stdio: 'inherit' });
  dir = tempDir('cogito-ask-cli-');
  corpus = path.join(dir, 'descartes.jsonl');
  fs.writeFileSync(corpus, DESCARTES_PASSAGES.map((p) => JSON.stringify(p)).join('\n'));
}, 600_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const common = () => ['--corpus', corpus, '--vks', path.join(dir, 'vks.db'), '--threads', '1'];

test('--json prints the whole result: the claim verified from the corpus, its reference, the timings', () => {
  const r = cogito('ask', 'Is it true that Descartes was born in 1596?', '--json', ...common());
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  const out = JSON.parse(r.out) as AskResult;
  expect(Object.keys(out).sort()).toEqual(['annotated', 'claims', 'decision', 'draft', 'final', 'formal', 'id', 'oracle_calls', 'question', 'status', 'timings_ms'].sort());
  expect(out).toMatchObject({ question: 'Is it true that Descartes was born in 1596?', status: 'VERIFIED', final: 'Descartes was born in 1596.', formal: null, oracle_calls: 0 });
  expect(out.claims[0]).toMatchObject({ kind: 'FACTUAL', status: 'VERIFIED', source: 'CORPUS', correction: null, repairs: [] });
  expect(out.decision).toEqual({ answered: expect.any(Boolean), confidence: expect.any(Number) });
  expect(out.timings_ms.total).toBeGreaterThan(0);
  // without --json: the annotated answer and a status line
  const plain = cogito('ask', 'Is it true that Descartes was born in 1596?', ...common());
  expect(plain.code).toBe(0);
  expect(plain.out).toMatch(/^Descartes was born in 1596\. \[VERIFIED: VKS, .*\]\nVERIFIED · 1 claim\(s\) · oracle calls 0 · \d+ ms\n$/);
});

test('--batch answers each line, writes --out whole, and sums up statuses and expectations', () => {
  const questions = path.join(dir, 'suite.jsonl');
  fs.writeFileSync(questions, [
    { id: 'born', question: 'Is it true that Descartes was born in 1596?', expect: { status: 'VERIFIED', source: 'VKS' } },
    { id: 'lana', question: 'What instrument does Lana play?', expect: { status: 'VERIFIED' } },
    { question: 'Is it true that Descartes was born in 1596?' },
  ].map((l) => JSON.stringify(l)).join('\n'));
  const out = path.join(dir, 'results.jsonl');
  const r = cogito('ask', '--batch', questions, '--out', out, ...common());
  expect(r.code).toBe(0);
  const lines = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AskResult & { question_id: string });
  expect(lines.map((l) => l.question_id)).toEqual(['born', 'lana', 'line-3']);
  expect(lines[0].status).toBe('VERIFIED');
  expect(r.out).toMatch(/^3 question\(s\): VERIFIED \d, CORRECTED \d, UNVERIFIED \d, REFUSED \d;/);
  expect(r.out).toMatch(/expectations met: \d\/2/);
  expect(r.err).toMatch(/ask \[#+\] 3\/3/);
});

test('bad input: one line with its code, exit 1, nothing written to --out', () => {
  const out = path.join(dir, 'never.jsonl');
  const empty = cogito('ask', '', ...common());
  expect(empty).toEqual({ code: 1, out: '', err: 'cogito: the question is empty [INVALID_QUESTION]\n' });

  const bad = path.join(dir, 'bad.jsonl');
  fs.writeFileSync(bad, '{"question":"What instrument does Lana play?"}\n{"question":""}\n');
  expect(cogito('ask', '--batch', bad, '--out', out, ...common())).toEqual({ code: 1, out: '', err: `cogito: ${bad}:2: "question": the question is empty [INVALID_QUESTION_FILE]\n` });
  fs.writeFileSync(bad, '{"question":"What instrument does Lana play?","expect":{"status":"MAYBE"}}\n');
  expect(cogito('ask', '--batch', bad, '--out', out, ...common()).err).toMatch(/bad\.jsonl:1: "expect\.status" must be one of VERIFIED, CORRECTED, UNVERIFIED, REFUSED, NOT_VERIFIED \[INVALID_QUESTION_FILE\]/);

  // a question longer than the context fails the batch before the first answer
  fs.writeFileSync(bad, `{"question":"What instrument does Lana play?"}\n${JSON.stringify({ question: `Why ${'and why '.repeat(400)}?` })}\n`);
  const long = cogito('ask', '--batch', bad, '--out', out, ...common());
  expect(long.code).toBe(1);
  expect(long.err).toMatch(/^cogito: .*bad\.jsonl:2: the question takes \d+ tokens; .* \[CONTEXT_OVERFLOW\]\n$/);

  const badCorpus = path.join(dir, 'corrupt.jsonl');
  fs.writeFileSync(badCorpus, '{"id":"a","work":"W","section":"S","text":"t"}\nnot json\n');
  const corrupt = cogito('ask', 'What instrument does Lana play?', '--corpus', badCorpus, '--vks', path.join(dir, 'vks.db'));
  expect(corrupt.code).toBe(1);
  expect(corrupt.err).toMatch(new RegExp(`^cogito: ${badCorpus.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: .*\\[INVALID_PASSAGE\\]\\n$`));
  expect(fs.existsSync(out)).toBe(false);
  expect(fs.readdirSync(dir).filter((f) => f.startsWith('never'))).toEqual([]);
});
