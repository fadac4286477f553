/**
 * The record ledger: every write of a record (add, invalidate) appends an entry holding the
 * digest of the record as stored, phrasings included. Reads check the record they return
 * against its latest entry; `verify` walks the whole ledger.
 */
import type Database from 'better-sqlite3';
import { type ChainReport, chainHash } from './chain';
import { VksRecordIntegrityError } from './errors';
import { type PhrasingRow, type RecordRow, chainFields, rowToChainInput } from './rows';
import { LEDGER_GENESIS, ledgerHash, recordDigest } from './seal';

interface EntryRow {
  lseq: number;
  record_id: string;
  digest: string;
  prev_hash: string;
  hash: string;
}

/** One prepared meta read per connection: heads are read on every write. */
const metaReaders = new WeakMap<Database.Database, Database.Statement>();

/** Reads one of the two chain heads (AXIOM chain, record ledger) from the meta table. */
export function readHead(db: Database.Database, lengthKey: string, headKey: string, genesis: string): ChainReport {
  let get = metaReaders.get(db);
  if (!get) metaReaders.set(db, (get = db.prepare(`SELECT value FROM meta WHERE key = ?`).pluck()));
  return { length: Number((get.get(lengthKey) as string | undefined) ?? 0), head: (get.get(headKey) as string | undefined) ?? genesis };
}

export function readLedgerHead(db: Database.Database): ChainReport {
  return readHead(db, 'ledger_length', 'ledger_head', LEDGER_GENESIS);
}

export class RecordLedger {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      phrasings: db.prepare(`SELECT normalised, tokens, ntok FROM phrasings WHERE rid = ? ORDER BY pid`),
      byRid: db.prepare(`SELECT * FROM records WHERE rid = ?`),
      latest: db.prepare(`SELECT * FROM ledger WHERE record_id = ? ORDER BY lseq DESC LIMIT 1`),
      last: db.prepare(`SELECT * FROM ledger ORDER BY lseq DESC LIMIT 1`),
      append: db.prepare(`INSERT INTO ledger (lseq, record_id, digest, prev_hash, hash) VALUES (?, ?, ?, ?, ?)`),
      metaSet: db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`),
      usersOf: db.prepare(`SELECT r.id, r.depends_on FROM deps d JOIN records r ON r.rid = d.rid WHERE d.dep_rid = ? ORDER BY r.rid`),
    };
  }

  phrasingsOf(rid: number): PhrasingRow[] {
    return this.stmts.phrasings.all(rid) as PhrasingRow[];
  }

  head(): ChainReport {
    return readLedgerHead(this.db);
  }

  /** Appends an entry sealing record `rid` as it now stands. Call inside a write transaction. */
  seal(rid: number): void {
    const row = this.stmts.byRid.get(rid) as RecordRow;
    const { length, head } = this.head();
    const entry = { lseq: length + 1, recordId: row.id, digest: recordDigest(row, this.phrasingsOf(rid)) };
    const hash = ledgerHash(head, entry);
    this.stmts.append.run(entry.lseq, entry.recordId, entry.digest, head, hash);
    this.stmts.metaSet.run('ledger_length', String(entry.lseq));
    this.stmts.metaSet.run('ledger_head', hash);
  }

  /**
   * Checks a record about to be returned: its row and phrasings against its latest ledger entry,
   * that entry's own hash, an AXIOM's own chain hash, and that each record listed as using it
   * really depends on it. Returns the ids of those users. Call inside the read that fetched `row`.
   */
  check(row: RecordRow): string[] {
    const entry = this.stmts.latest.get(row.id) as EntryRow | undefined;
    if (!entry) throw new VksRecordIntegrityError('unsealed-record', row.id, 'no ledger entry seals this record');
    if (recordDigest(row, this.phrasingsOf(row.rid)) !== entry.digest) {
      throw new VksRecordIntegrityError('record-mismatch', row.id, `record or phrasings differ from ledger entry #${entry.lseq}`);
    }
    if (ledgerHash(entry.prev_hash, { lseq: entry.lseq, recordId: entry.record_id, digest: entry.digest }) !== entry.hash) {
      throw new VksRecordIntegrityError('ledger-hash-mismatch', row.id, `ledger entry #${entry.lseq} differs from its hash`);
    }
    if (row.tier === 'AXIOM') {
      const ok = row.seq !== null && row.prev_hash !== null && chainHash(row.prev_hash, chainFields(rowToChainInput(row))) === row.hash;
      if (!ok) throw new VksRecordIntegrityError('record-mismatch', row.id, `AXIOM #${row.seq} differs from its chain hash`);
    }
    const users = this.stmts.usersOf.all(row.rid) as Array<{ id: string; depends_on: string }>;
    for (const u of users) {
      if (!(JSON.parse(u.depends_on) as string[]).includes(row.id)) {
        throw new VksRecordIntegrityError('index-mismatch', row.id, `a dependency link says ${u.id} uses it; that record does not`);
      }
    }
    return users.map((u) => u.id);
  }

  /** The newest entry is the one the meta table names (cheap: run at every open). */
  checkTail(): ChainReport {
    const recorded = this.head();
    const last = this.stmts.last.get() as EntryRow | undefined;
    const actual = last ? { length: last.lseq, head: last.hash } : { length: 0, head: LEDGER_GENESIS };
    if (actual.length !== recorded.length) {
      throw new VksRecordIntegrityError(
        'ledger-length-mismatch',
        last?.record_id ?? null,
        `ledger has ${actual.length} entries, store says ${recorded.length}`,
      );
    }
    if (actual.head !== recorded.head) {
      throw new VksRecordIntegrityError('ledger-head-mismatch', last?.record_id ?? null, 'recorded ledger head differs from the last entry');
    }
    return recorded;
  }
}
