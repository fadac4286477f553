/**
 * The full check behind `verify`: the AXIOM chain, the record ledger, every record and its
 * phrasings against the ledger, and the tables derived from sealed records (dependency links,
 * token counts). The caller runs it inside one read transaction, so it sees one snapshot.
 */
import type Database from 'better-sqlite3';
import { type ChainReport, GENESIS_HASH, chainHash } from './chain';
import { VksIntegrityError, VksRecordIntegrityError } from './errors';
import { RecordLedger, readHead } from './ledger';
import { RECORD_COLS, type RecordRow, chainFields, rowToChainInput } from './rows';
import { LEDGER_GENESIS, ledgerHash, recordDigest } from './seal';

/** Heads recorded elsewhere earlier, that the chains must still contain (the truncation guard). */
export interface ExpectedHeads {
  axiomHead?: string;
  ledgerHead?: string;
}

export interface AuditReport {
  axiomChain: ChainReport;
  ledger: ChainReport;
  /** Where each expected head was found: the chain length it stood for (0: the empty chain). */
  expected: { axiomAt?: number; ledgerAt?: number };
  /** Records checked against their latest ledger entry. */
  records: number;
  /** Phrasing rows covered by those checks. */
  phrasings: number;
}

export function readAxiomHead(db: Database.Database): ChainReport {
  return readHead(db, 'axiom_length', 'axiom_head', GENESIS_HASH);
}

/**
 * Recomputes the AXIOM chain from the first record and compares it with what is stored.
 * Throws VksIntegrityError naming the first record that does not verify.
 */
export function auditAxiomChain(db: Database.Database, expectHead?: string): ChainReport & { expectedAt?: number } {
  let prev = GENESIS_HASH;
  let expectSeq = 1;
  let expectedAt = expectHead === GENESIS_HASH ? 0 : undefined;
  const rows = db.prepare(`SELECT ${RECORD_COLS} FROM records r WHERE r.tier = 'AXIOM' OR r.seq IS NOT NULL ORDER BY r.seq`);
  for (const row of rows.iterate() as IterableIterator<RecordRow>) {
    if (row.seq === null || row.hash === null || row.prev_hash === null || row.tier !== 'AXIOM') {
      throw new VksIntegrityError('missing-chain-fields', row.seq ?? expectSeq, row.id, `tier ${row.tier}, seq ${row.seq}`);
    }
    if (row.seq !== expectSeq) {
      throw new VksIntegrityError('sequence-gap', expectSeq, row.id, `expected #${expectSeq}, found #${row.seq}`);
    }
    if (row.prev_hash !== prev) {
      throw new VksIntegrityError('prev-hash-mismatch', row.seq, row.id, 'link to the previous record is broken');
    }
    if (chainHash(prev, chainFields(rowToChainInput(row))) !== row.hash) {
      throw new VksIntegrityError('hash-mismatch', row.seq, row.id, 'record content differs from what was hashed');
    }
    prev = row.hash;
    if (row.hash === expectHead) expectedAt = row.seq;
    expectSeq++;
  }
  const head = readAxiomHead(db);
  if (head.length !== expectSeq - 1) {
    throw new VksIntegrityError('length-mismatch', expectSeq, null, `chain has ${expectSeq - 1} records, store says ${head.length}`);
  }
  if (head.head !== prev) {
    throw new VksIntegrityError('head-mismatch', expectSeq - 1, null, 'recorded chain head differs from the last record');
  }
  if (expectHead !== undefined && expectedAt === undefined) {
    throw new VksIntegrityError('head-mismatch', expectSeq - 1, null, `expected head ${expectHead} is not in the chain: AXIOMs were removed or rewritten`);
  }
  return expectHead === undefined ? head : { ...head, expectedAt };
}

/** Walks the ledger's links; returns its head and each record's latest digest. */
function auditLedger(db: Database.Database, expectHead?: string): { head: ChainReport; latest: Map<string, string>; expectedAt?: number } {
  const latest = new Map<string, string>();
  let prev = LEDGER_GENESIS;
  let expect = 1;
  let expectedAt = expectHead === LEDGER_GENESIS ? 0 : undefined;
  const entries = db.prepare(`SELECT lseq, record_id, digest, prev_hash, hash FROM ledger ORDER BY lseq`);
  for (const e of entries.iterate() as IterableIterator<{ lseq: number; record_id: string; digest: string; prev_hash: string; hash: string }>) {
    if (e.lseq !== expect) {
      throw new VksRecordIntegrityError('ledger-sequence-gap', e.record_id, `expected ledger entry #${expect}, found #${e.lseq}`);
    }
    if (e.prev_hash !== prev) {
      throw new VksRecordIntegrityError('ledger-prev-hash-mismatch', e.record_id, `ledger entry #${e.lseq}: link to the previous entry is broken`);
    }
    if (ledgerHash(prev, { lseq: e.lseq, recordId: e.record_id, digest: e.digest }) !== e.hash) {
      throw new VksRecordIntegrityError('ledger-hash-mismatch', e.record_id, `ledger entry #${e.lseq} differs from its hash`);
    }
    latest.set(e.record_id, e.digest);
    prev = e.hash;
    if (e.hash === expectHead) expectedAt = e.lseq;
    expect++;
  }
  const head = readHead(db, 'ledger_length', 'ledger_head', LEDGER_GENESIS);
  if (head.length !== expect - 1) {
    throw new VksRecordIntegrityError('ledger-length-mismatch', null, `ledger has ${expect - 1} entries, store says ${head.length}`);
  }
  if (head.head !== prev) throw new VksRecordIntegrityError('ledger-head-mismatch', null, 'recorded ledger head differs from the last entry');
  if (expectHead !== undefined && expectedAt === undefined) {
    throw new VksRecordIntegrityError('ledger-head-mismatch', null, `expected head ${expectHead} is not in the ledger: records were removed or rewritten`);
  }
  return { head, latest, expectedAt };
}

/**
 * The tables a lookup reads besides records and phrasings, recomputed from them: dependency
 * links from each record's dependsOn, and per-token phrasing counts. Orphan phrasings too.
 */
export function auditIndexes(db: Database.Database): void {
  const orphan = db.prepare(`SELECT p.pid FROM phrasings p LEFT JOIN records r ON r.rid = p.rid WHERE r.rid IS NULL LIMIT 1`).pluck().get();
  if (orphan !== undefined) throw new VksRecordIntegrityError('orphan-phrasing', null, `phrasing ${String(orphan)} points to no record`);

  const ridOf = new Map<string, number>();
  const expected = new Set<string>();
  const records = db.prepare(`SELECT rid, id, depends_on FROM records ORDER BY rid`);
  const all = records.all() as Array<{ rid: number; id: string; depends_on: string }>;
  for (const r of all) ridOf.set(r.id, r.rid);
  for (const r of all) {
    for (const dep of JSON.parse(r.depends_on) as string[]) {
      const depRid = ridOf.get(dep);
      if (depRid === undefined) throw new VksRecordIntegrityError('index-mismatch', r.id, `depends on ${dep}, which is not in the store`);
      expected.add(`${r.rid}>${depRid}`);
    }
  }
  const links = db.prepare(`SELECT rid, dep_rid FROM deps`).all() as Array<{ rid: number; dep_rid: number }>;
  const stored = new Set(links.map((l) => `${l.rid}>${l.dep_rid}`));
  for (const key of new Set([...expected, ...stored])) {
    if (!expected.has(key) || !stored.has(key)) {
      throw new VksRecordIntegrityError('index-mismatch', null, `dependency link ${key} (rowids) is ${stored.has(key) ? 'extra' : 'missing'}`);
    }
  }

  const df = new Map<string, number>();
  for (const tokens of db.prepare(`SELECT tokens FROM phrasings`).pluck().iterate() as IterableIterator<string>) {
    for (const tok of new Set(tokens ? tokens.split(' ') : [])) df.set(tok, (df.get(tok) ?? 0) + 1);
  }
  const counted = db.prepare(`SELECT token, df FROM token_df`).all() as Array<{ token: string; df: number }>;
  if (counted.length !== df.size) {
    throw new VksRecordIntegrityError('index-mismatch', null, `token counts hold ${counted.length} tokens, the phrasings ${df.size}`);
  }
  for (const { token, df: n } of counted) {
    if (df.get(token) !== n) throw new VksRecordIntegrityError('index-mismatch', null, `token count of "${token}" is ${n}, the phrasings say ${df.get(token) ?? 0}`);
  }
}

/**
 * Everything, in one pass each. Throws VksIntegrityError or VksRecordIntegrityError on the first
 * problem, or when an expected head is not a position of its chain.
 */
export function auditStore(db: Database.Database, expect: ExpectedHeads = {}): AuditReport {
  const { expectedAt: axiomAt, ...axiomChain } = auditAxiomChain(db, expect.axiomHead);
  const { head: ledger, latest, expectedAt: ledgerAt } = auditLedger(db, expect.ledgerHead);
  const seals = new RecordLedger(db);
  let records = 0;
  let phrasings = 0;
  for (const row of db.prepare(`SELECT ${RECORD_COLS} FROM records r ORDER BY r.rid`).iterate() as IterableIterator<RecordRow>) {
    const digest = latest.get(row.id);
    if (digest === undefined) throw new VksRecordIntegrityError('unsealed-record', row.id, 'no ledger entry seals this record');
    const rows = seals.phrasingsOf(row.rid);
    if (recordDigest(row, rows) !== digest) {
      throw new VksRecordIntegrityError('record-mismatch', row.id, 'record or phrasings differ from its latest ledger entry');
    }
    latest.delete(row.id);
    records++;
    phrasings += rows.length;
  }
  for (const id of latest.keys()) throw new VksRecordIntegrityError('missing-record', id, 'the ledger seals a record the store no longer holds');
  auditIndexes(db);
  const expected = { ...(axiomAt !== undefined ? { axiomAt } : {}), ...(ledgerAt !== undefined ? { ledgerAt } : {}) };
  return { axiomChain, ledger, expected, records, phrasings };
}
