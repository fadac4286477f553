import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Vks, VksBusyError, VksError } from '../../src/vks';
import { tempDir } from './helpers';

/** Another connection holding the write lock, as a second process would. */
function holdWriteLock(path: string): () => void {
  const db = new Database(path);
  db.exec('BEGIN IMMEDIATE');
  return () => {
    db.exec('ROLLBACK');
    db.close();
  };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('a locked store', () => {
  let dir: string;
  let cleanup: () => void;
  let path: string;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    path = join(dir, 'locked.db');
    const vks = Vks.open(path);
    vks.add({ tier: 'AXIOM', text: 'Whatever thinks exists.', status: 'VERIFIED', method: 'SEED' });
    vks.close();
  });
  afterEach(() => cleanup());

  test('a writer waits busyTimeoutMs, then fails with a typed error naming the file', () => {
    const writer = Vks.open(path, { busyTimeoutMs: 250 });
    const release = holdWriteLock(path);
    try {
      const started = Date.now();
      const err = thrown(() => writer.add({ tier: 'DERIVED', text: 'The mind thinks.', status: 'VERIFIED', method: 'Z3' }));
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      expect(err).toBeInstanceOf(VksBusyError);
      expect(err).toMatchObject({ path, waitedMs: 250 });
      expect((err as Error).message).toContain(`${path}: the VKS is locked by another connection`);
      expect((err as Error).message).toContain('250 ms');

      // Opening for writing waits and fails the same way; readers are not blocked (WAL).
      expect(thrown(() => Vks.open(path, { busyTimeoutMs: 100 }))).toBeInstanceOf(VksBusyError);
      const reader = Vks.open(path, { readonly: true, busyTimeoutMs: 100 });
      expect(reader.verify().records).toBe(1);
      reader.close();
    } finally {
      release();
      writer.close();
    }
  });

  test('the wait is what was asked for, and must be a whole number of milliseconds', () => {
    const release = holdWriteLock(path);
    const waiting = spawnSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(join(__dirname, 'support', 'ts-hook.js'))});
         const { Vks } = require(${JSON.stringify(join(__dirname, '..', '..', 'src', 'vks', 'store.ts'))});
         const t = Date.now();
         try { Vks.open(process.argv[1], { busyTimeoutMs: 1500 }); } catch (e) { console.log(JSON.stringify({ name: e.name, ms: Date.now() - t })); }`,
        path,
      ],
      { encoding: 'utf8' },
    );
    release();
    const r = JSON.parse(waiting.stdout) as { name: string; ms: number };
    expect(r.name).toBe('VksBusyError');
    expect(r.ms).toBeGreaterThanOrEqual(1400);
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 31]) expect(() => Vks.open(path, { busyTimeoutMs: bad })).toThrow(VksError);
  });

  test('cogito vks --busy-timeout: the error names the file', () => {
    const release = holdWriteLock(path);
    try {
      const r = spawnSync(
        process.execPath,
        [join(__dirname, 'support', 'cli-child.js'), 'vks', 'seed', '--db', path, '--busy-timeout', '200'],
        { encoding: 'utf8' },
      );
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`cogito: ${path}: the VKS is locked by another connection; gave up after waiting 200 ms`);
    } finally {
      release();
    }
  });
});
