import Database from 'better-sqlite3';
import { join } from 'node:path';
import { Vks, VksIntegrityError } from '../../src/vks';
import { tempDir } from './helpers';

/** Builds a store with five AXIOMs and a DERIVED record, closed, and returns its path. */
function seeded(dir: string): { path: string; ids: string[] } {
  const path = join(dir, 'vks.db');
  const vks = Vks.open(path);
  const ids = [1, 2, 3, 4, 5].map(
    (i) => vks.add({ tier: 'AXIOM', text: `Axiom number ${i}`, status: 'VERIFIED', method: 'SEED', artifact: { i } }).id,
  );
  vks.add({ tier: 'DERIVED', text: 'A derived result', status: 'VERIFIED', method: 'Z3', dependsOn: [ids[0]] });
  vks.close();
  return { path, ids };
}

/** Edits the file the way an attacker with sqlite3 would: triggers dropped first. */
function tamper(path: string, sql: string, ...params: unknown[]): void {
  const db = new Database(path);
  db.pragma('foreign_keys = OFF');
  db.exec('DROP TRIGGER IF EXISTS axiom_no_update; DROP TRIGGER IF EXISTS axiom_no_delete;');
  db.prepare(sql).run(...params);
  db.close();
}

function openError(path: string): VksIntegrityError {
  try {
    Vks.open(path).close();
  } catch (err) {
    if (err instanceof VksIntegrityError) return err;
    throw err;
  }
  throw new Error('tampered store opened without complaint');
}

describe('AXIOM hash chain', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  test('an untouched store verifies and reports its head', () => {
    const { path } = seeded(dir);
    const vks = Vks.open(path);
    const report = vks.verifyChain();
    expect(report.length).toBe(5);
    expect(report.head).toMatch(/^[0-9a-f]{64}$/);
    vks.close();
  });

  test('SQL writers cannot edit or delete an AXIOM while the triggers stand', () => {
    const { path, ids } = seeded(dir);
    const db = new Database(path);
    expect(() => db.prepare(`UPDATE records SET text = 'x' WHERE id = ?`).run(ids[1])).toThrow(/append-only/);
    expect(() => db.prepare(`DELETE FROM records WHERE id = ?`).run(ids[1])).toThrow(/append-only/);
    expect(() => db.prepare(`UPDATE records SET tier = 'DERIVED' WHERE id = ?`).run(ids[1])).toThrow(/append-only/);
    db.close();
  });

  test('an edited AXIOM text is reported as the first bad record', () => {
    const { path, ids } = seeded(dir);
    tamper(path, `UPDATE records SET text = 'Axiom number 2 (edited)' WHERE id = ?`, ids[1]);
    const err = openError(path);
    expect(err.problem).toBe('hash-mismatch');
    expect(err.seq).toBe(2);
    expect(err.recordId).toBe(ids[1]);
  });

  test('edits to status, artifact or a hash are all caught, earliest first', () => {
    const { path, ids } = seeded(dir);
    tamper(path, `UPDATE records SET artifact = '{"i":99}' WHERE id = ?`, ids[3]);
    tamper(path, `UPDATE records SET status = 'REFUTED' WHERE id = ?`, ids[2]);
    const err = openError(path);
    expect([err.problem, err.seq, err.recordId]).toEqual(['hash-mismatch', 3, ids[2]]);
  });

  test('a rewritten hash breaks the next link', () => {
    const { path, ids } = seeded(dir);
    tamper(path, `UPDATE records SET text = 'forged', hash = ? WHERE id = ?`, 'f'.repeat(64), ids[2]);
    const err = openError(path);
    expect(err.seq).toBe(3);
    expect(err.problem).toBe('hash-mismatch');
  });

  test('a deleted middle record is a sequence gap', () => {
    const { path, ids } = seeded(dir);
    tamper(path, `DELETE FROM records WHERE id = ?`, ids[2]);
    const err = openError(path);
    expect([err.problem, err.seq, err.recordId]).toEqual(['sequence-gap', 3, ids[3]]);
  });

  test('a deleted last record is caught by the recorded length and head', () => {
    const { path, ids } = seeded(dir);
    tamper(path, `DELETE FROM records WHERE id = ?`, ids[4]);
    expect(openError(path).problem).toBe('length-mismatch');
    tamper(path, `UPDATE meta SET value = '4' WHERE key = 'axiom_length'`);
    expect(openError(path).problem).toBe('head-mismatch');
  });

  test('demoting an AXIOM to a mutable tier is caught', () => {
    const { path, ids } = seeded(dir);
    tamper(path, `UPDATE records SET tier = 'DERIVED' WHERE id = ?`, ids[0]);
    const err = openError(path);
    expect([err.problem, err.seq, err.recordId]).toEqual(['missing-chain-fields', 1, ids[0]]);
  });

  test('dropped triggers come back on the next open', () => {
    const { path, ids } = seeded(dir);
    tamper(path, `UPDATE records SET updated_at = updated_at WHERE 0`);
    Vks.open(path).close();
    const db = new Database(path);
    expect(() => db.prepare(`DELETE FROM records WHERE id = ?`).run(ids[0])).toThrow(/append-only/);
    db.close();
  });

  test('a tampered export is refused on import', () => {
    const { path, ids } = seeded(dir);
    const vks = Vks.open(path);
    const dump = vks.export();
    vks.close();
    const rec = dump.records.find((r) => r.id === ids[1])!;
    rec.text = 'Axiom number 2, improved';
    const target = Vks.open(join(dir, 'target.db'));
    expect(() => target.import(dump)).toThrow(VksIntegrityError);
    expect(target.stats().records).toBe(0);
    target.close();
  });
});
