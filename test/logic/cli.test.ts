import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED_DATA } from './data';

// The generic runner of one CLI command module from the TS sources (shared with the VKS CLI tests).
const CHILD = join(__dirname, '..', 'vks', 'support', 'cli-child.js');

function cogito(...args: string[]) {
  const r = spawnSync(process.execPath, [CHILD, 'logic', ...args], { encoding: 'utf8', timeout: 120000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('cogito logic', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cogito-logic-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('folio <file> --json: agreement over any FOLIO-format file', () => {
    const lines = readFileSync(join(SHARED_DATA, 'folio/folio-dev.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 3);
    // A fourth example with a deliberately wrong label must show up as a disagreement.
    const wrong = JSON.parse(lines[0]) as Record<string, unknown>;
    wrong.label = wrong.label === 'True' ? 'False' : 'True';
    const file = join(dir, 'mini.jsonl');
    writeFileSync(file, [...lines, JSON.stringify(wrong)].join('\n'));
    const r = cogito('folio', file, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { total: number; agree: number; disagreements: { expected: string; reason: string }[] };
    expect(out.total).toBe(4);
    expect(out.agree).toBe(3);
    expect(out.disagreements).toHaveLength(1);
    expect(out.disagreements[0].expected).toBe(wrong.label);
  });

  it('qmltp <dir> --logic K --json: per-logic known/agree/undecided', () => {
    const q = join(dir, 'qmltp');
    mkdirSync(q);
    for (const f of ['SYM102+1.p', 'SYM122+1.p', 'SYM158+1.p']) copyFileSync(join(SHARED_DATA, 'qmltp-dev', f), join(q, f));
    const r = cogito('qmltp', q, '--logic', 'K', '--json');
    // on failure, jest prints what the command wrote (a hang killed at the timeout shows code null)
    expect(r).toMatchObject({ code: 0 });
    const out = JSON.parse(r.out) as { logics: Record<string, { known: number; agree: number; undecided: number }>; cases: { problem: string }[] };
    expect(Object.keys(out.logics)).toEqual(['K']);
    // SYM122's header claims a K theorem that has a countermodel.
    expect(out.logics.K).toEqual({ known: 3, agree: 2, undecided: 0 });
    expect(out.cases.map((c) => c.problem)).toEqual(['SYM122+1']);
    const bad = cogito('qmltp', q, '--logic', 'K9');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--logic expects one of K, D, T, S4, S5/);
  });

  it('folio: bad lines are listed with their line numbers, as text and as JSON, and the run goes on', () => {
    const good = readFileSync(join(SHARED_DATA, 'folio/folio-dev.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 2);
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, [good[0], '{"premises-FOL": ["P(a)"', 'null', '{"premises-FOL": "P(a)", "conclusion-FOL": "P(a)", "label": "True"}', good[1]].join('\n'));
    const text = cogito('folio', file);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/agree 2\/2 /);
    expect(text.out).toContain('skipped 3 (not scored):');
    expect(text.out).toMatch(/ {2}line 2: malformed JSON: /);
    expect(text.out).toContain('  line 3: expected a JSON object, found null');
    expect(text.out).toContain('  line 4 (id 3): premises-FOL is a string, expected an array of strings');
    const json = cogito('folio', file, '--json');
    expect(json.code).toBe(0);
    const out = JSON.parse(json.out) as { total: number; skipped: { line: number; reason: string }[] };
    expect(out.total).toBe(2);
    expect(out.skipped.map((k) => k.line)).toEqual([2, 3, 4]);
  });

  it('qmltp: files that pose no problem are listed by name, as text and as JSON, and never scored', () => {
    const q = join(dir, 'qmltp-bad');
    mkdirSync(q);
    copyFileSync(join(SHARED_DATA, 'qmltp-dev', 'SYM102+1.p'), join(q, 'SYM102+1.p'));
    writeFileSync(join(q, 'empty.p'), '');
    writeFileSync(join(q, 'deep.p'), `qmf(c, conjecture, ${'('.repeat(5000)}p${')'.repeat(5000)}).`);
    const text = cogito('qmltp', q, '--logic', 'K');
    expect(text.code).toBe(0);
    expect(text.out).toContain('K   known 1  agree 1  undecided 0');
    expect(text.out).toContain('skipped 2 files (not scored):');
    expect(text.out).toContain('  empty.p: no qmf, fof or tff statements (not a TPTP problem)');
    expect(text.out).toMatch(/ {2}deep\.p: conjecture c: formula nested too deeply/);
    const json = cogito('qmltp', q, '--logic', 'K', '--json');
    const out = JSON.parse(json.out) as { logics: { K: unknown }; skipped: { file: string }[] };
    expect(out.logics.K).toEqual({ known: 1, agree: 1, undecided: 0 });
    expect(out.skipped.map((k) => k.file)).toEqual(['deep.p', 'empty.p']);
  });
});
