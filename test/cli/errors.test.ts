// The real `cogito` (bin/cogito.js over dist/) on bad inputs: one line on stderr naming the
// error code, and the exit status of its category (src/cli/errors.ts, docs/errors.md).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Vks } from '../../src/vks';

const REPO = join(__dirname, '..', '..');

function cogito(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'cogito.js'), ...args], { encoding: 'utf8', timeout: 120000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cogito-cli-errors-'));
}, 600000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a malformed passage file: exit 1, one line naming file, line, field and INVALID_PASSAGE', () => {
  const file = join(dir, 'p.jsonl');
  writeFileSync(file, `${JSON.stringify({ id: 'a', work: 'Meditations', section: '', text: 'x' })}\n`);
  const r = cogito('corpus', 'add', file, '--db', join(dir, 'corpus.db'));
  expect(r).toEqual({ code: 1, out: '', err: `cogito: ${file}:1: "section" must be a non-empty string [INVALID_PASSAGE]\n` });
});

test('a bad option value: exit 1 with INVALID_ARGUMENT; a missing file: exit 1 with its not-found code', () => {
  const model = join(dir, 'missing.gguf');
  expect(cogito('quantize', model, join(dir, 'out.gguf'), '--type', 'q5')).toEqual({
    code: 1,
    out: '',
    err: 'cogito: --type must be one of q8_0, q4_0, f16, q4_k_m, q5_k_m, q6_k (got "q5") [INVALID_ARGUMENT]\n',
  });
  expect(cogito('quantize', model, join(dir, 'out.gguf'))).toEqual({ code: 1, out: '', err: `cogito: model file not found: ${model} [ENOENT]\n` });
  expect(cogito('logic', 'folio', join(dir, 'none.jsonl'))).toEqual({ code: 1, out: '', err: `cogito: ${join(dir, 'none.jsonl')}: no such file [NOT_FOUND]\n` });
});

test('a VKS whose chain no longer holds the expected head: exit 1, TAMPERED, with VKS_INTEGRITY', () => {
  const db = join(dir, 'vks.db');
  Vks.open(db).close();
  const r = cogito('vks', 'verify', '--db', db, '--expect-head', 'f'.repeat(64));
  expect(r.code).toBe(1);
  expect(r.out).toBe('');
  expect(r.err).toMatch(new RegExp(`^cogito: ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: TAMPERED: VKS integrity check failed at AXIOM #0: head-mismatch: expected head f{64} is not in the chain: .* \\[VKS_INTEGRITY\\]\\n$`));
});
