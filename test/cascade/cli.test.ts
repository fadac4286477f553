// `cogito ask` through the real bin/cogito.js (over dist/) on the default world: --json, --batch with
// --out and its summary, --oracle against a real cogito serve, --no-repair, and bad input — one
// line naming the code, exit 1, and no partial --out.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AskResult } from '../../src/cascade';
import { cogito } from '../support/cli';
import { tempDir } from '../support/engine';
import { startServer, type RunningServer } from '../support/serve';

let dir: string;

beforeAll(() => {
  dir = tempDir('cogito-ask-cli-');
}, 600_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const vks = () => ['--vks', path.join(dir, 'vks.db'), '--threads', '1'];
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('--json prints the whole result; without it, the annotated answer and a status line', async () => {
  const r = await cogito('ask', 'What instrument does Lana play?', '--json', ...vks());
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  const out = JSON.parse(r.out) as AskResult;
  expect(Object.keys(out).sort()).toEqual(['annotated', 'claims', 'decision', 'draft', 'final', 'formal', 'id', 'oracle_calls', 'question', 'status', 'timings_ms'].sort());
  expect(out).toMatchObject({ question: 'What instrument does Lana play?', draft: 'bell', status: 'VERIFIED', final: 'Lana plays the bell.', formal: null, oracle_calls: 0 });
  expect(out.claims[0]).toMatchObject({ text: 'Lana plays the bell.', kind: 'FACTUAL', status: 'VERIFIED', source: 'CORPUS', correction: null, repairs: [] });
  expect(out.decision).toEqual({ answered: true, confidence: expect.any(Number) });
  expect(out.timings_ms.total).toBeGreaterThan(0);
  const plain = await cogito('ask', 'What instrument does Lana play?', ...vks());
  expect(plain.code).toBe(0);
  expect(plain.out).toMatch(/^Lana plays the bell\. \[VERIFIED: VKS, .*\]\nVERIFIED · 1 claim\(s\) · oracle calls 0 · \d+ ms\n$/);
  // --no-repair: an open claim is left as the first check left it
  const unrepaired = JSON.parse((await cogito('ask', 'What language is spoken in Dreris?', '--json', '--no-repair', ...vks())).out) as AskResult;
  expect(unrepaired.claims[0]).toMatchObject({ status: 'UNVERIFIED', repairs: [] });
  const repaired = JSON.parse((await cogito('ask', 'What language is spoken in Dreris?', '--json', ...vks())).out) as AskResult;
  expect(repaired.claims[0].repairs.length).toBeGreaterThan(0);
});

test('--batch answers each line, writes --out whole, and sums up statuses and expectations', async () => {
  const questions = path.join(dir, 'suite.jsonl');
  fs.writeFileSync(questions, [
    { id: 'lana', question: 'What instrument does Lana play?', expect: { status: 'VERIFIED', source: 'CORPUS' } },
    { id: 'lana-again', question: 'What instrument does Lana play?', expect: { status: 'VERIFIED', source: 'VKS' } },
    { id: 'arnauld', question: 'Who wrote the Fourth Objections to the Meditations?', expect: { status: 'CORRECTED', source: 'CORPUS' } },
    { id: 'socrates', question: 'Premises: All men are mortal. Socrates is a man. Conclusion: Socrates is mortal.', expect: { formal: 'True', logic: 'classical' } },
    { id: 'wrong', question: 'Which instrument does Muris play?', expect: { status: 'VERIFIED' } },
    { question: 'What is the meaning of life?' },
  ].map((l) => JSON.stringify(l)).join('\n'));
  const out = path.join(dir, 'results.jsonl');
  const r = await cogito('ask', '--batch', questions, '--out', out, '--vks', path.join(dir, 'batch.db'));
  expect(r.code).toBe(0);
  const lines = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AskResult & { question_id: string });
  expect(lines.map((l) => l.question_id)).toEqual(['lana', 'lana-again', 'arnauld', 'socrates', 'wrong', 'line-6']);
  expect(lines.map((l) => l.status)).toEqual(['VERIFIED', 'VERIFIED', 'CORRECTED', 'VERIFIED', 'REFUSED', 'REFUSED']);
  expect(r.out).toBe('6 question(s): VERIFIED 3, CORRECTED 1, UNVERIFIED 0, REFUSED 2; 1 of 4 claim(s) from the VKS; oracle calls 0\nexpectations met: 4/5\n  wrong: status REFUSED, expected VERIFIED\n');
  expect(r.err).toMatch(/ask \[#+\] 6\/6/);
  // a fresh VKS: the same suite meets the same expectations
  const summary = JSON.parse((await cogito('ask', '--batch', questions, '--out', out, '--json', '--vks', path.join(dir, 'fresh.db'))).out) as { questions: number; expectations: { met: number } };
  expect(summary).toMatchObject({ questions: 6, expectations: { met: 4 } });
});

describe('with an oracle: a real cogito serve on loopback', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ contextSize: 64, threads: 1, onWarning: () => undefined });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('--oracle answers what the model declines; an unreachable one degrades with the reason', async () => {
    const r = await cogito('ask', 'Which instrument does Muris play?', '--json', '--oracle', server.url, '--oracle-api', 'ollama', '--oracle-model', 'default', '--vks', path.join(dir, 'oracle.db'));
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as AskResult;
    // the oracle's answer is shown, but its word alone never makes [VERIFIED]
    expect(out).toMatchObject({ status: 'UNVERIFIED', final: 'Muris plays the bell.', oracle_calls: 1 });
    expect(out.claims[0]).toMatchObject({ status: 'UNVERIFIED', source: 'ORACLE' });
    const down = await cogito('ask', 'Which instrument does Muris play?', '--oracle', 'http://127.0.0.1:9', '--oracle-timeout', '3000', '--vks', path.join(dir, 'down.db'));
    expect(down.code).toBe(0);
    expect(down.out).toMatch(/^\[REFUSED: the model declined to answer; the oracle failed: .*\]\nREFUSED/);
    const badUrl = await cogito('ask', 'Which instrument does Muris play?', '--oracle', 'ftp://example', ...vks());
    expect(badUrl).toEqual({ code: 1, out: '', err: 'cogito: oracle: url must be http or https (got ftp) [INVALID_ARGUMENT]\n' });
  });
});

test('bad input: one line with its code, exit 1, nothing written to --out', async () => {
  const out = path.join(dir, 'never.jsonl');
  expect(await cogito('ask', '', ...vks())).toEqual({ code: 1, out: '', err: 'cogito: the question is empty [INVALID_QUESTION]\n' });
  expect(await cogito('ask', ...vks())).toEqual({ code: 1, out: '', err: 'cogito: give either a question or --batch <file> [INVALID_ARGUMENT]\n' });

  const bad = path.join(dir, 'bad.jsonl');
  fs.writeFileSync(bad, '{"question":"What instrument does Lana play?"}\n{"question":""}\n');
  expect(await cogito('ask', '--batch', bad, '--out', out, ...vks())).toEqual({ code: 1, out: '', err: `cogito: ${bad}:2: "question": the question is empty [INVALID_QUESTION_FILE]\n` });
  fs.writeFileSync(bad, '{"question":"What instrument does Lana play?","expect":{"status":"MAYBE"}}\n');
  expect((await cogito('ask', '--batch', bad, '--out', out, ...vks())).err).toBe(`cogito: ${bad}:1: "expect.status" must be one of VERIFIED, CORRECTED, UNVERIFIED, REFUSED, NOT_VERIFIED [INVALID_QUESTION_FILE]\n`);

  // a question longer than the context fails the batch before the first answer
  fs.writeFileSync(bad, `{"question":"What instrument does Lana play?"}\n${JSON.stringify({ question: `Why ${'and why '.repeat(400)}?` })}\n`);
  const long = await cogito('ask', '--batch', bad, '--out', out, ...vks());
  expect(long.code).toBe(1);
  expect(long.err).toMatch(new RegExp(`^cogito: ${escape(bad)}:2: the question takes \\d+ tokens; .* \\[CONTEXT_OVERFLOW\\]\\n$`));

  const corrupt = path.join(dir, 'corrupt.jsonl');
  fs.writeFileSync(corrupt, '{"id":"a","work":"W","section":"S","text":"t"}\nnot json\n');
  const c = await cogito('ask', 'What instrument does Lana play?', '--corpus', corrupt, ...vks());
  expect(c.code).toBe(1);
  expect(c.err).toMatch(new RegExp(`^cogito: ${escape(corrupt)}:2: .*\\[INVALID_PASSAGE\\]\\n$`));
  const garbage = path.join(dir, 'garbage.db');
  fs.writeFileSync(garbage, 'not a database at all, but long enough to be read as one by SQLite.......');
  const g = await cogito('ask', 'What instrument does Lana play?', '--vks', garbage);
  expect(g).toEqual({ code: 1, out: '', err: `cogito: ${garbage}: VKS schema version (none): not an SQLite database: the file is corrupt or not a VKS [VKS_SCHEMA]\n` });

  expect(fs.existsSync(out)).toBe(false);
  expect(fs.readdirSync(dir).filter((f) => f.startsWith('never'))).toEqual([]);
});
