import Database from 'better-sqlite3';
import { join } from 'node:path';
import { Vks, VksRecordIntegrityError, VksSchemaError, VksIntegrityError, type VksRecord } from '../../src/vks';
import { tempDir } from './helpers';

/**
 * Everything a lookup can return is sealed: a record of any tier, its phrasings, its canonical
 * form, its status and timestamps. Each test edits one of them the way an attacker with sqlite3
 * would, then checks that verify reports it and that lookups refuse to serve it.
 */

interface Fixture {
  path: string;
  axiom: VksRecord;
  derived: VksRecord;
  refuted: VksRecord;
  factual: VksRecord;
}

function build(dir: string): Fixture {
  const path = join(dir, 'vks.db');
  const vks = Vks.open(path);
  const axiom = vks.add({
    tier: 'AXIOM',
    text: 'I think, therefore I am.',
    aliases: ['Cogito, ergo sum.'],
    canonical: 'CANON-COGITO',
    status: 'VERIFIED',
    method: 'SEED',
  });
  const derived = vks.add({
    tier: 'DERIVED',
    text: 'The wax is extended.',
    canonical: 'CANON-WAX',
    status: 'VERIFIED',
    method: 'Z3',
    dependsOn: [axiom.id],
  });
  const refuted = vks.add({ tier: 'DERIVED', text: 'Whatever is conceivable is actual.', status: 'REFUTED', method: 'Z3' });
  const factual = vks.add({ tier: 'FACTUAL', text: 'Descartes was born in 1596.', status: 'VERIFIED', method: 'CORPUS' });
  vks.close();
  return { path, axiom, derived, refuted, factual };
}

/** Edits the file outside the VKS, every trigger dropped first. */
function tamper(path: string, sql: string, ...params: unknown[]): void {
  const db = new Database(path);
  db.pragma('foreign_keys = OFF');
  for (const t of ['axiom_no_update', 'axiom_no_delete', 'ledger_no_update', 'ledger_no_delete']) db.exec(`DROP TRIGGER IF EXISTS ${t}`);
  db.prepare(sql).run(...params);
  db.close();
}

function ridOf(path: string, id: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT rid FROM records WHERE id = ?`).pluck().get(id) as number;
  } finally {
    db.close();
  }
}

function integrityError(fn: () => unknown): VksRecordIntegrityError {
  try {
    fn();
  } catch (err) {
    if (err instanceof VksRecordIntegrityError) return err;
    throw err;
  }
  throw new Error('the tampering went unnoticed');
}

describe('record seals: what a lookup returns is what was written', () => {
  let dir: string;
  let cleanup: () => void;
  let fx: Fixture;
  let vks: Vks | null;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    fx = build(dir);
    vks = null;
  });
  afterEach(() => {
    vks?.close();
    cleanup();
  });
  const reopen = () => (vks = Vks.open(fx.path));

  test('an untouched store verifies every record and phrasing', () => {
    const report = reopen().verify();
    expect(report).toMatchObject({ records: 4, phrasings: 5, axiomChain: { length: 1 }, ledger: { length: 4 } });
    expect(report.ledger.head).toMatch(/^[0-9a-f]{64}$/);
    expect(vks!.stats().ledger).toEqual(report.ledger);
    expect(vks!.lookup('the moon is made of cheese')).toBeNull();
  });

  test('a rewritten phrasing row: the moon is not made of cheese', () => {
    tamper(
      fx.path,
      `UPDATE phrasings SET normalised = 'the moon is made of cheese' WHERE rid = ? AND normalised = 'cogito ergo sum'`,
      ridOf(fx.path, fx.axiom.id),
    );
    reopen();
    const served = integrityError(() => vks!.lookup('the moon is made of cheese'));
    expect([served.problem, served.recordId]).toEqual(['record-mismatch', fx.axiom.id]);
    expect(integrityError(() => vks!.verify())).toMatchObject({ problem: 'record-mismatch', recordId: fx.axiom.id });
  });

  test('a phrasing added to, or moved onto, another record', () => {
    const axiomRid = ridOf(fx.path, fx.axiom.id);
    tamper(fx.path, `UPDATE phrasings SET rid = ? WHERE rid = ?`, axiomRid, ridOf(fx.path, fx.refuted.id));
    reopen();
    expect(integrityError(() => vks!.lookup('Whatever is conceivable is actual.')).recordId).toBe(fx.axiom.id);
    expect(integrityError(() => vks!.verify()).problem).toBe('record-mismatch');
    vks!.close();

    tamper(fx.path, `INSERT INTO phrasings (rid, normalised, tokens, ntok) VALUES (?, 'pigs fly', 'pigs fly', 2)`, axiomRid);
    reopen();
    expect(integrityError(() => vks!.lookup('Pigs fly.')).recordId).toBe(fx.axiom.id);
  });

  test('a rewritten canonical form (DERIVED) is not served by equivalence', () => {
    tamper(fx.path, `UPDATE records SET canonical = 'CANON-MOON' WHERE id = ?`, fx.derived.id);
    reopen();
    const err = integrityError(() => vks!.lookup({ text: 'something else entirely', canonical: 'CANON-MOON' }));
    expect([err.problem, err.recordId]).toEqual(['record-mismatch', fx.derived.id]);
    expect(integrityError(() => vks!.verify()).recordId).toBe(fx.derived.id);
  });

  test('a rewritten canonical form (AXIOM) fails the chain at open', () => {
    tamper(fx.path, `UPDATE records SET canonical = 'CANON-MOON' WHERE id = ?`, fx.axiom.id);
    expect(() => Vks.open(fx.path)).toThrow(VksIntegrityError);
  });

  test('a rewritten DERIVED record: REFUTED turned VERIFIED', () => {
    tamper(fx.path, `UPDATE records SET status = 'VERIFIED' WHERE id = ?`, fx.refuted.id);
    reopen();
    expect(integrityError(() => vks!.lookup('Whatever is conceivable is actual.')).recordId).toBe(fx.refuted.id);
    expect(integrityError(() => vks!.get(fx.refuted.id)).problem).toBe('record-mismatch');
    expect(integrityError(() => vks!.verify()).recordId).toBe(fx.refuted.id);
  });

  test('an undone invalidation', () => {
    const store = reopen();
    store.invalidate(fx.derived.id, 'solver bug');
    expect(store.lookup('The wax is extended.')).toBeNull();
    store.close();
    tamper(fx.path, `UPDATE records SET status = 'VERIFIED', invalidated_reason = NULL WHERE id = ?`, fx.derived.id);
    reopen();
    expect(integrityError(() => vks!.lookup('The wax is extended.')).recordId).toBe(fx.derived.id);
    expect(integrityError(() => vks!.verify()).problem).toBe('record-mismatch');
  });

  test('a changed updated_at, on any tier', () => {
    for (const rec of [fx.factual, fx.axiom]) {
      tamper(fx.path, `UPDATE records SET updated_at = '1999-01-01T00:00:00.000Z' WHERE id = ?`, rec.id);
      reopen();
      expect(integrityError(() => vks!.lookup(rec.text)).recordId).toBe(rec.id);
      expect(integrityError(() => vks!.verify())).toMatchObject({ problem: 'record-mismatch', recordId: rec.id });
      vks!.close();
      tamper(fx.path, `UPDATE records SET updated_at = ? WHERE id = ?`, rec.updatedAt, rec.id);
    }
    expect(reopen().verify().records).toBe(4); // put back, it verifies again
  });

  test('a record inserted outside the VKS is unsealed', () => {
    tamper(
      fx.path,
      `INSERT INTO records (id, tier, text, normalised, status, method, created_at, updated_at)
       VALUES ('forged', 'DERIVED', 'The moon is made of cheese.', 'the moon is made of cheese', 'VERIFIED', 'Z3', 'x', 'x')`,
    );
    const rid = ridOf(fx.path, 'forged');
    tamper(fx.path, `INSERT INTO phrasings (rid, normalised, tokens, ntok) VALUES (?, 'the moon is made of cheese', 'moon made cheese', 3)`, rid);
    reopen();
    expect(integrityError(() => vks!.lookup('The moon is made of cheese.'))).toMatchObject({ problem: 'unsealed-record', recordId: 'forged' });
    expect(integrityError(() => vks!.verify()).problem).toBe('unsealed-record');
  });

  test('forged dependency links and token counts', () => {
    tamper(fx.path, `INSERT INTO deps (rid, dep_rid) VALUES (?, ?)`, ridOf(fx.path, fx.factual.id), ridOf(fx.path, fx.axiom.id));
    reopen();
    expect(integrityError(() => vks!.get(fx.axiom.id)).problem).toBe('index-mismatch'); // usedBy would lie
    expect(integrityError(() => vks!.verify()).problem).toBe('index-mismatch');
    vks!.close();
    tamper(fx.path, `DELETE FROM deps WHERE rid = ?`, ridOf(fx.path, fx.factual.id));
    tamper(fx.path, `UPDATE token_df SET df = 0 WHERE token = 'wax'`);
    reopen();
    expect(integrityError(() => vks!.verify()).detail).toMatch(/token count of "wax"/);
  });

  test('a ledger entry edited or deleted breaks the ledger chain', () => {
    tamper(fx.path, `UPDATE ledger SET digest = ? WHERE lseq = 2`, 'f'.repeat(64));
    reopen();
    expect(integrityError(() => vks!.verify()).problem).toBe('ledger-hash-mismatch');
    expect(integrityError(() => vks!.get(fx.derived.id)).problem).toBe('record-mismatch');
    vks!.close();
    tamper(fx.path, `DELETE FROM ledger WHERE lseq = 4`);
    expect(() => Vks.open(fx.path)).toThrow(VksRecordIntegrityError); // the tail check at open
  });

  test('truncation leaves a valid, shorter store: only an expected head recorded earlier tells', () => {
    const before = reopen().stats();
    vks!.close();
    // Delete the newest record and its ledger entry, and rewind the ledger head: all consistent.
    const db = new Database(fx.path);
    for (const t of ['ledger_no_delete']) db.exec(`DROP TRIGGER ${t}`);
    const prev = db.prepare(`SELECT hash FROM ledger WHERE lseq = 3`).pluck().get() as string;
    const rid = db.prepare(`SELECT rid FROM records WHERE id = ?`).pluck().get(fx.factual.id) as number;
    const tokens = db.prepare(`SELECT tokens FROM phrasings WHERE rid = ?`).pluck().all(rid) as string[];
    db.prepare(`DELETE FROM ledger WHERE lseq = 4`).run();
    db.prepare(`DELETE FROM phrasings WHERE rid = ?`).run(rid);
    db.prepare(`DELETE FROM records WHERE rid = ?`).run(rid);
    for (const tok of new Set(tokens.flatMap((t) => t.split(' ')))) db.prepare(`UPDATE token_df SET df = df - 1 WHERE token = ?`).run(tok);
    db.exec(`DELETE FROM token_df WHERE df = 0`);
    db.prepare(`UPDATE meta SET value = '3' WHERE key = 'ledger_length'`).run();
    db.prepare(`UPDATE meta SET value = ? WHERE key = 'ledger_head'`).run(prev);
    db.close();
    const after = reopen().verify();
    expect(after.records).toBe(3);
    expect(after.ledger.head).not.toBe(before.ledger.head);
    expect(integrityError(() => vks!.verify({ ledgerHead: before.ledger.head }))).toMatchObject({
      problem: 'ledger-head-mismatch',
      detail: expect.stringContaining('is not in the ledger'),
    });
  });

  test('an expected head taken earlier still verifies after later appends, and says where it stands', () => {
    const store = reopen();
    const earlier = store.stats();
    store.add({ tier: 'AXIOM', text: 'Whatever thinks exists.', status: 'VERIFIED', method: 'SEED' });
    store.add({ tier: 'DERIVED', text: 'The mind thinks.', status: 'VERIFIED', method: 'Z3' });
    const report = store.verify({ axiomHead: earlier.axiomChain.head, ledgerHead: earlier.ledger.head });
    expect(report.expected).toEqual({ axiomAt: 1, ledgerAt: 4 });
    expect(report.axiomChain.length).toBe(2);
    expect(report.ledger.length).toBe(6);
    expect(() => store.verify({ axiomHead: 'f'.repeat(64) })).toThrow(/expected head f+ is not in the chain/);
  });
});

describe('schema versions', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  /** A version-1 file: today's schema without the record ledger. */
  function versionOne(path: string): void {
    const vks = Vks.open(path);
    const ax = vks.add({ tier: 'AXIOM', text: 'Whatever thinks exists.', status: 'VERIFIED', method: 'SEED' });
    vks.add({ tier: 'DERIVED', text: 'The mind thinks.', status: 'VERIFIED', method: 'Z3', dependsOn: [ax.id] });
    vks.close();
    const db = new Database(path);
    db.exec(`DROP TABLE ledger; DELETE FROM meta WHERE key LIKE 'ledger_%'; UPDATE meta SET value = '1' WHERE key = 'schema_version'`);
    db.close();
  }

  test('a version-1 file: read-only opens say how to upgrade; a writer upgrades and seals it', () => {
    const path = join(dir, 'old.db');
    versionOne(path);
    const err = (() => {
      try {
        Vks.open(path, { readonly: true });
      } catch (e) {
        return e;
      }
    })() as VksSchemaError;
    expect(err).toBeInstanceOf(VksSchemaError);
    expect(err.message).toContain(path);
    expect(err.message).toContain('cogito vks migrate');

    const vks = Vks.open(path);
    try {
      expect(vks.verify()).toMatchObject({ records: 2, ledger: { length: 2 }, axiomChain: { length: 1 } });
      expect(vks.lookup('The mind thinks.')?.record.text).toBe('The mind thinks.');
    } finally {
      vks.close();
    }
    Vks.open(path, { readonly: true }).close();
  });

  test('a version-1 file with a broken AXIOM chain is refused, not sealed', () => {
    const path = join(dir, 'old.db');
    versionOne(path);
    const db = new Database(path);
    db.exec(`DROP TRIGGER axiom_no_update; UPDATE records SET text = 'Nothing exists.' WHERE tier = 'AXIOM'`);
    db.close();
    expect(() => Vks.open(path)).toThrow(VksIntegrityError);
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get()).toBe('1');
    raw.close();
  });

  test('a newer version, or not a VKS file, is refused with the file named', () => {
    const path = join(dir, 'new.db');
    Vks.open(path).close();
    const db = new Database(path);
    db.exec(`UPDATE meta SET value = '99' WHERE key = 'schema_version'`);
    db.close();
    expect(() => Vks.open(path)).toThrow(VksSchemaError);
    expect(() => Vks.open(path, { readonly: true })).toThrow(/new\.db: VKS schema version 99/);

    const other = join(dir, 'other.db');
    new Database(other).exec('CREATE TABLE t (x)');
    expect(() => Vks.open(other, { readonly: true })).toThrow(VksSchemaError);
  });
});
