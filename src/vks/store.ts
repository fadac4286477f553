/**
 * The Verified Knowledge Store: one SQLite file (WAL) holding every verified result, with
 * an append-only, hash-chained AXIOM tier and a record ledger sealing every record of every
 * tier. Each read runs in one transaction (one snapshot) and checks what it returns against
 * its seal; `verify` checks everything.
 */
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { type AuditReport, type ExpectedHeads, auditAxiomChain, auditStore, readAxiomHead } from './audit';
import { type ChainReport, GENESIS_HASH, canonicalJson, chainHash } from './chain';
import { DEFAULT_BUSY_TIMEOUT_MS, checkBusyTimeout, guardBusy, openConnection } from './connection';
import { VksError, VksIntegrityError, VksNotFoundError, VksTierError } from './errors';
import { RecordLedger } from './ledger';
import { RECORD_COLS, type RecordRow, chainFields } from './rows';
import { CONCLUSION_MARK, fuzzySequence, jaccard, normaliseText } from '../util/normalise';
import { formulaKey, isProse, readMeaning, sameMeaning } from './meaning';
import { SCHEMA_VERSION } from './schema';
import {
  Json,
  LookupHit,
  LookupQuery,
  METHODS,
  NewRecord,
  STATUSES,
  Status,
  TIERS,
  Tier,
  VksRecord,
  VksStats,
  isMethod,
  isStatus,
  isTier,
} from './types';

export type Canonicaliser = (text: string) => string | null;
export type EquivalenceConfirmer = (query: string, candidateText: string) => boolean;

/** A fuzzy candidate: a record whose words overlap the query's, not yet confirmed to say the same. */
export interface LookupHint {
  record: VksRecord;
  /** Jaccard of content words with the record's closest phrasing. */
  score: number;
}

/** Fuzzy candidates checked for confirmation, best first. */
const MAX_CONFIRMED_CANDIDATES = 20;
/** Tokens that mark an inference's structure, not its content (fuzzySequence folds the forward ones to CONCLUSION_MARK). */
const STRUCTURE_TOKENS = new Set([CONCLUSION_MARK, 'because', 'since', 'if', 'then']);

export interface OpenOptions {
  /** Open without writing (stats, verify, export). The file must exist. */
  readonly?: boolean;
  /** Derives a formula's canonical form from a query text, for equivalence lookup. */
  canonicalise?: Canonicaliser | null;
  /**
   * Minimum Jaccard of content words for a fuzzy candidate (default 0.5). A candidate is only a
   * hint: it answers a lookup once confirmed (same canonical formula, `confirmEquivalent`, or the
   * same content words in the same roles, src/vks/meaning.ts).
   */
  fuzzyThreshold?: number;
  /** At most this many FTS candidates are scored by the fuzzy stage (default 2000). */
  fuzzyCandidates?: number;
  /**
   * Confirms a fuzzy candidate by logic: true when the query and one phrasing of the candidate
   * record are provably equivalent (the claims layer wires this to the logic module). Errors count as false.
   */
  confirmEquivalent?: EquivalenceConfirmer | null;
  /**
   * How long to wait for another connection's lock before failing with VksBusyError
   * (default 5000 ms). Readers never wait for writers (WAL); writers wait for each other.
   */
  busyTimeoutMs?: number;
}

export type { ChainReport, AuditReport, ExpectedHeads };

export interface InvalidationReport {
  /** Every record whose status became INVALIDATED, the root first. */
  invalidated: string[];
  /** AXIOM records reached by the cascade and left untouched. */
  axiomsSkipped: string[];
}

export interface VksExport {
  format: 'cogito-vks';
  version: number;
  exportedAt: string;
  axiomChain: ChainReport;
  records: ExportedRecord[];
}

export type ExportedRecord = Omit<VksRecord, 'usedBy' | 'normalised'> & { invalidatedReason: string | null };

export interface ImportReport {
  added: number;
  skipped: number;
  conflicts: string[];
}

const TIER_ORDER = `CASE r.tier WHEN 'AXIOM' THEN 0 WHEN 'DERIVED' THEN 1 WHEN 'FACTUAL' THEN 2 ELSE 3 END`;

/** Identifiers in a canonical formula, minus bound-variable names: the formula's vocabulary. */
export function symbolsOf(canonical: string | null | undefined): string[] {
  if (!canonical) return [];
  const out = new Set<string>();
  for (const m of canonical.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
    if (m.length < 2 || /^[a-z_]?\d+$/i.test(m)) continue; // x0, v1, _2: renamed variables
    out.add(m.toLowerCase());
  }
  return [...out];
}

/** An FTS5 OR-query over plain tokens (quoted, so no token is read as an operator). */
function ftsAny(terms: Iterable<string>): string | null {
  const quoted = [...new Set(terms)].filter((t) => /^[a-z0-9]+$/.test(t)).map((t) => `"${t}"`);
  return quoted.length ? quoted.join(' OR ') : null;
}

function nowIso(): string {
  return new Date().toISOString();
}

export class Vks {
  private readonly db: Database.Database;
  private readonly canonicalise: Canonicaliser | null;
  private readonly confirmEquivalent: EquivalenceConfirmer | null;
  private readonly threshold: number;
  private readonly candidates: number;
  private readonly busyTimeoutMs: number;
  private readonly ledger: RecordLedger;
  private readonly stmts: ReturnType<Vks['prepare']>;
  /** One transaction wrapper for every read and write (better-sqlite3 builds one per call otherwise). */
  private readonly inTransaction: Database.Transaction<(fn: () => unknown) => unknown>;

  private constructor(
    readonly path: string,
    opts: OpenOptions,
  ) {
    this.busyTimeoutMs = checkBusyTimeout(opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
    // Writers also create the tables, re-create dropped triggers and upgrade older files.
    this.db = openConnection(path, { readonly: !!opts.readonly, busyTimeoutMs: this.busyTimeoutMs });
    this.canonicalise = opts.canonicalise ?? null;
    this.confirmEquivalent = opts.confirmEquivalent ?? null;
    this.threshold = opts.fuzzyThreshold ?? 0.5;
    this.candidates = opts.fuzzyCandidates ?? 2000;
    this.ledger = new RecordLedger(this.db);
    this.stmts = this.prepare();
    this.inTransaction = this.db.transaction((fn: () => unknown) => fn());
  }

  /**
   * Opens (creating if needed) a store and verifies its AXIOM chain and the end of its record
   * ledger, in one snapshot; throws VksIntegrityError / VksRecordIntegrityError on tampering.
   */
  static open(path: string, opts: OpenOptions = {}): Vks {
    const vks = new Vks(path, opts);
    try {
      vks.read(() => {
        auditAxiomChain(vks.db);
        vks.ledger.checkTail();
      });
    } catch (err) {
      vks.close();
      throw err;
    }
    return vks;
  }

  /** Runs reads in one transaction, so they see one snapshot however other processes write. */
  private read<T>(fn: () => T): T {
    return guardBusy(this.path, this.busyTimeoutMs, () => this.inTransaction.deferred(fn) as T);
  }

  /** Runs a write transaction, holding the write lock from its first statement. */
  private write<T>(fn: () => T): T {
    return guardBusy(this.path, this.busyTimeoutMs, () => this.inTransaction.immediate(fn) as T);
  }

  private prepare() {
    const db = this.db;
    return {
      byId: db.prepare(`SELECT ${RECORD_COLS} FROM records r WHERE r.id = ?`),
      byRid: db.prepare(`SELECT ${RECORD_COLS} FROM records r WHERE r.rid = ?`),
      exact: db.prepare(
        `SELECT ${RECORD_COLS} FROM phrasings p JOIN records r ON r.rid = p.rid
         WHERE p.normalised = ? AND r.status != 'INVALIDATED' ORDER BY ${TIER_ORDER} LIMIT 1`,
      ),
      equivalent: db.prepare(
        `SELECT ${RECORD_COLS} FROM records r
         WHERE r.canonical = ? AND r.status != 'INVALIDATED' ORDER BY ${TIER_ORDER} LIMIT 1`,
      ),
      docFreq: db.prepare(`SELECT df AS doc FROM token_df WHERE token = ?`),
      bumpDf: db.prepare(`INSERT INTO token_df (token, df) VALUES (?, 1) ON CONFLICT(token) DO UPDATE SET df = df + 1`),
      dependents: db.prepare(`SELECT d.rid AS rid FROM deps d WHERE d.dep_rid = ?`),
      insert: db.prepare(
        `INSERT INTO records (id, tier, text, normalised, aliases, canonical, status, method, artifact, conditions,
           depends_on, created_at, updated_at, seq, prev_hash, hash)
         VALUES (@id, @tier, @text, @normalised, @aliases, @canonical, @status, @method, @artifact, @conditions,
           @dependsOn, @createdAt, @updatedAt, @seq, @prevHash, @hash)`,
      ),
      insertPhrasing: db.prepare(`INSERT INTO phrasings (rid, normalised, tokens, ntok) VALUES (?, ?, ?, ?)`),
      insertFts: db.prepare(`INSERT INTO phrasings_fts (rowid, tokens) VALUES (?, ?)`),
      insertSymbols: db.prepare(`INSERT INTO symbols_fts (rowid, symbols) VALUES (?, ?)`),
      posting: db.prepare(`SELECT rowid FROM phrasings_fts WHERE phrasings_fts MATCH ?`).pluck(),
      phrasing: db.prepare(`SELECT rid, tokens, ntok FROM phrasings WHERE pid = ?`),
      insertDep: db.prepare(`INSERT OR IGNORE INTO deps (rid, dep_rid) VALUES (?, ?)`),
      invalidate: db.prepare(
        `UPDATE records SET status = 'INVALIDATED', updated_at = ?, invalidated_reason = ? WHERE rid = ?`,
      ),
      metaSet: db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`),
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---------------------------------------------------------------- writing

  /** Stores one result in its own transaction; returns it as stored. */
  add(rec: NewRecord): VksRecord {
    return this.addMany([rec])[0];
  }

  /** Stores several results atomically (all or none). */
  addMany(recs: NewRecord[], createdAt?: (i: number) => string | undefined): VksRecord[] {
    // IMMEDIATE: take the write lock before reading the chain head, so two writers cannot fork it.
    const rids = this.write(() => recs.map((r, i) => this.insertOne(r, createdAt?.(i))));
    return this.read(() => rids.map((rid) => this.serve(this.stmts.byRid.get(rid) as RecordRow)));
  }

  private insertOne(rec: NewRecord, createdAt?: string): number {
    if (!isTier(rec.tier)) throw new VksError(`unknown tier ${String(rec.tier)}`);
    if (!isStatus(rec.status)) throw new VksError(`unknown status ${String(rec.status)}`);
    if (!isMethod(rec.method)) throw new VksError(`unknown method ${String(rec.method)}`);
    if (!rec.text || !rec.text.trim()) throw new VksError('a record needs a claim text');
    if (rec.status === 'INVALIDATED') throw new VksError('records are invalidated with invalidate(), not stored so');

    const depIds = [...new Set(rec.dependsOn ?? [])].sort();
    const depRids: number[] = [];
    for (const depId of depIds) {
      const dep = this.stmts.byId.get(depId) as RecordRow | undefined;
      if (!dep) throw new VksNotFoundError(depId);
      if (rec.tier === 'AXIOM' && dep.tier !== 'AXIOM') {
        throw new VksTierError(`an AXIOM may depend only on AXIOMs; ${depId} is ${dep.tier}`);
      }
      depRids.push(dep.rid);
    }

    const ts = createdAt ?? nowIso();
    const aliases = [...new Set((rec.aliases ?? []).map((a) => a.trim()).filter(Boolean))];
    const row = {
      id: rec.id ?? randomUUID(),
      tier: rec.tier,
      text: rec.text,
      normalised: normaliseText(rec.text),
      aliases: JSON.stringify(aliases),
      canonical: rec.canonical ?? null,
      status: rec.status,
      method: rec.method,
      artifact: canonicalJson(rec.artifact ?? null),
      conditions: JSON.stringify(rec.conditions ?? []),
      dependsOn: JSON.stringify(depIds),
      createdAt: ts,
      updatedAt: ts,
      seq: null as number | null,
      prevHash: null as string | null,
      hash: null as string | null,
    };

    if (rec.tier === 'AXIOM') {
      const { length, head } = readAxiomHead(this.db);
      row.seq = length + 1;
      row.prevHash = head;
      row.hash = chainHash(head, chainFields({ ...row, seq: row.seq }));
      this.stmts.metaSet.run('axiom_length', String(row.seq));
      this.stmts.metaSet.run('axiom_head', row.hash);
    }

    const rid = Number(this.stmts.insert.run(row).lastInsertRowid);
    const symbols = symbolsOf(row.canonical);
    if (symbols.length) this.stmts.insertSymbols.run(rid, symbols.join(' '));
    for (const phrase of [rec.text, ...aliases]) {
      const seq = fuzzySequence(phrase);
      const tokens = seq.join(' ');
      const pid = Number(
        this.stmts.insertPhrasing.run(rid, normaliseText(phrase), tokens, new Set(seq).size).lastInsertRowid,
      );
      this.stmts.insertFts.run(pid, tokens);
      for (const tok of new Set(seq)) this.stmts.bumpDf.run(tok);
    }
    for (const depRid of depRids) this.stmts.insertDep.run(rid, depRid);
    this.ledger.seal(rid);
    return rid;
  }

  /**
   * Marks a record INVALIDATED and, transitively, everything derived from it.
   * AXIOMs are never invalidated: asking to is an error, and the cascade steps around them.
   */
  invalidate(id: string, reason: string): InvalidationReport {
    return this.write((): InvalidationReport => {
      const root = this.stmts.byId.get(id) as RecordRow | undefined;
      if (!root) throw new VksNotFoundError(id);
      if (root.tier === 'AXIOM') throw new VksTierError(`AXIOM ${id} is append-only and cannot be invalidated`);
      const report: InvalidationReport = { invalidated: [], axiomsSkipped: [] };
      const seen = new Set<number>([root.rid]);
      const queue = [root.rid];
      const ts = nowIso();
      while (queue.length) {
        const rid = queue.shift() as number;
        const row = this.stmts.byRid.get(rid) as RecordRow;
        if (row.tier === 'AXIOM') {
          report.axiomsSkipped.push(row.id);
          continue;
        }
        if (row.status !== 'INVALIDATED') {
          this.stmts.invalidate.run(ts, rid === root.rid ? reason : `depends on ${id}: ${reason}`, rid);
          this.ledger.seal(rid);
          report.invalidated.push(row.id);
        }
        for (const { rid: next } of this.stmts.dependents.all(rid) as Array<{ rid: number }>) {
          if (!seen.has(next)) {
            seen.add(next);
            queue.push(next);
          }
        }
      }
      return report;
    });
  }

  // ---------------------------------------------------------------- reading

  /** The record with this id, checked against its seal (VksRecordIntegrityError if it fails). */
  get(id: string): VksRecord | null {
    return this.read(() => {
      const row = this.stmts.byId.get(id) as RecordRow | undefined;
      return row ? this.serve(row) : null;
    });
  }

  /**
   * Exact normalised text, then logical equivalence, then fuzzy; the first stage that hits wins.
   * The hit is checked against its seal before it is returned: a record, phrasing or canonical
   * form edited outside the VKS raises VksRecordIntegrityError instead of being served.
   */
  lookup(query: LookupQuery | string): LookupHit | null {
    const q = typeof query === 'string' ? { text: query } : query;
    return this.read((): LookupHit | null => {
      const exact = this.stmts.exact.get(normaliseText(q.text)) as RecordRow | undefined;
      if (exact && this.sameText(q.text, exact)) return { record: this.serve(exact), via: 'exact', score: 1 };

      const canonical = q.canonical !== undefined ? q.canonical : this.tryCanonical(q.text);
      if (canonical) {
        const eq = this.stmts.equivalent.get(canonical) as RecordRow | undefined;
        if (eq) return { record: this.serve(eq), via: 'equivalent', score: 1 };
      }

      return this.confirmedHint(q.text, canonical);
    });
  }

  /**
   * Fuzzy candidates for a query, best first, unconfirmed: records whose phrasings share enough
   * content words with it. For a caller that confirms by other means (a solver proving equivalence).
   */
  hints(query: LookupQuery | string, limit = 5): LookupHint[] {
    const text = typeof query === 'string' ? query : query.text;
    return this.read(() => {
      const out: LookupHint[] = [];
      for (const c of this.fuzzyCandidates(text)) {
        const row = this.stmts.byRid.get(c.rid) as RecordRow;
        if (row.status === 'INVALIDATED') continue;
        out.push({ record: this.serve(row), score: c.score });
        if (out.length >= limit) break;
      }
      return out;
    });
  }

  /** The best fuzzy candidate that is confirmed to say what the query says. */
  private confirmedHint(text: string, canonical: string | null): LookupHit | null {
    const candidates = this.fuzzyCandidates(text);
    if (!candidates.length) return null;
    const meaning = readMeaning(text);
    for (const c of candidates.slice(0, MAX_CONFIRMED_CANDIDATES)) {
      const row = this.stmts.byRid.get(c.rid) as RecordRow;
      if (row.status === 'INVALIDATED') continue;
      const phrasings = [row.text, ...(JSON.parse(row.aliases) as string[])];
      const confirmed =
        (canonical !== null && row.canonical === canonical) ||
        (meaning !== null && phrasings.some((p) => sameMeaning(meaning, readMeaning(p)))) ||
        phrasings.some((p) => this.provedEquivalent(text, p));
      if (confirmed) return { record: this.serve(row), via: 'fuzzy', score: c.score };
    }
    return null;
  }

  private provedEquivalent(query: string, candidate: string): boolean {
    if (!this.confirmEquivalent) return false;
    try {
      return this.confirmEquivalent(query, candidate) === true;
    } catch {
      return false; // a confirmer that cannot decide confirms nothing
    }
  }

  /**
   * The exact key drops symbols, so "¬(P ∧ Q)" and "P ∧ Q" share one: where either side is a
   * formula, an exact hit needs the same formula text (symbols kept, spacing folded).
   */
  private sameText(query: string, row: RecordRow): boolean {
    const phrasings = [row.text, ...(JSON.parse(row.aliases) as string[])].filter((p) => normaliseText(p) === normaliseText(query));
    if (isProse(query) && phrasings.every(isProse)) return true;
    return phrasings.some((p) => formulaKey(p) === formulaKey(query));
  }

  private tryCanonical(text: string): string | null {
    if (!this.canonicalise) return null;
    try {
      return this.canonicalise(text);
    } catch {
      return null; // not a formula: nothing to compare by equivalence
    }
  }

  /**
   * Fuzzy candidates with prefix filtering over content words (inference markers left out). A
   * phrasing B with Jaccard(A, B) >= t shares at least k = ceil(t|A|) of A's tokens, so it holds
   * at least c of A's m = |A| - k + c rarest tokens (for any c >= 1). We read FTS5 posting lists
   * rarest first, starting at c = 1, and take one more list (raising c) while that is cheaper than
   * scoring the candidates it would rule out. No phrasing that can pass is ever missed. Returns
   * one entry per record, best score first (INVALIDATED ones included: callers skip them).
   */
  private fuzzyCandidates(text: string): Array<{ rid: number; score: number }> {
    const query = new Set(fuzzySequence(text).filter((tok) => /^[a-z0-9]+$/.test(tok) && !STRUCTURE_TOKENS.has(tok)));
    const distinct = [...query];
    const n = distinct.length;
    if (n === 0) return [];
    const t = this.threshold;
    const k = Math.ceil(t * n - 1e-9);
    const byRarity = distinct
      .map((tok) => ({ tok, df: (this.stmts.docFreq.get(tok) as { doc: number } | undefined)?.doc ?? 0 }))
      .sort((a, b) => a.df - b.df);

    const counts = new Map<number, number>();
    const take = (tok: string) => {
      for (const pid of this.stmts.posting.all(`"${tok}"`) as number[]) counts.set(pid, (counts.get(pid) ?? 0) + 1);
    };
    let c = 1;
    let m = n - k + 1;
    for (let i = 0; i < m; i++) if (byRarity[i].df > 0) take(byRarity[i].tok);
    let live = counts.size;
    // Reading a posting entry costs ~1/20 of fetching and scoring a candidate row.
    while (m < n && live > 0 && byRarity[m].df < 20 * live) {
      take(byRarity[m].tok);
      c++;
      m++;
      live = 0;
      for (const v of counts.values()) if (v >= c) live++;
    }

    // A stored phrasing counts its structure tokens too (at most one of each) in ntok.
    const minTok = k;
    const maxTok = Math.floor(n / t + 1e-9) + STRUCTURE_TOKENS.size;
    const best = new Map<number, number>();
    let scored = 0;
    for (const [pid, hits] of counts) {
      if (hits < c) continue;
      if (++scored > this.candidates) break;
      const p = this.stmts.phrasing.get(pid) as { rid: number; tokens: string; ntok: number };
      if (p.ntok < minTok || p.ntok > maxTok) continue;
      const stored = new Set(p.tokens ? p.tokens.split(' ').filter((tok) => !STRUCTURE_TOKENS.has(tok)) : []);
      const score = jaccard(query, stored);
      if (score >= t && score > (best.get(p.rid) ?? -1)) best.set(p.rid, score);
    }
    return [...best].map(([rid, score]) => ({ rid, score })).sort((a, b) => b.score - a.score || a.rid - b.rid);
  }

  /**
   * Verified records that may serve as premises for a new claim: those sharing content words
   * or formula symbols with it, best BM25 first, excluding the claim itself.
   */
  lemmas(query: LookupQuery | string, limit = 5): VksRecord[] {
    return this.read(() => this.findLemmas(query, limit));
  }

  private findLemmas(query: LookupQuery | string, limit: number): VksRecord[] {
    const q = typeof query === 'string' ? { text: query } : query;
    const canonical = q.canonical !== undefined ? q.canonical : this.tryCanonical(q.text);
    const self = normaliseText(q.text);
    const words = ftsAny(fuzzySequence(q.text).filter((t) => t !== 'therefore' && t !== 'i'));
    const symbols = ftsAny(symbolsOf(canonical));
    const ranked = new Map<number, number>(); // rid -> best bm25 rank (more negative is better)
    const note = (rows: Array<{ rid: number; rank: number }>) => {
      for (const r of rows) ranked.set(r.rid, Math.min(ranked.get(r.rid) ?? 0, r.rank));
    };
    const pool = Math.max(50, limit * 10);
    if (words) {
      note(
        this.db
          .prepare(
            `SELECT p.rid AS rid, f.rank AS rank FROM phrasings_fts f JOIN phrasings p ON p.pid = f.rowid
             WHERE phrasings_fts MATCH ? ORDER BY f.rank LIMIT ?`,
          )
          .all(words, pool) as Array<{ rid: number; rank: number }>,
      );
    }
    if (symbols) {
      note(
        this.db
          .prepare(`SELECT rowid AS rid, rank FROM symbols_fts WHERE symbols_fts MATCH ? ORDER BY rank LIMIT ?`)
          .all(symbols, pool) as Array<{ rid: number; rank: number }>,
      );
    }
    const out: VksRecord[] = [];
    for (const [rid] of [...ranked].sort((a, b) => a[1] - b[1])) {
      const row = this.stmts.byRid.get(rid) as RecordRow;
      if (row.status !== 'VERIFIED' && row.status !== 'CONDITIONAL') continue;
      if (row.normalised === self || (canonical && row.canonical === canonical)) continue;
      out.push(this.serve(row));
      if (out.length >= limit) break;
    }
    return out;
  }

  stats(): VksStats {
    return this.read(() => this.countRecords());
  }

  private countRecords(): VksStats {
    const zero = <K extends string>(keys: readonly K[]) =>
      Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
    const byTier = zero(TIERS);
    const byStatus = zero(STATUSES);
    const byMethod: Record<string, number> = zero(METHODS);
    let records = 0;
    for (const r of this.db.prepare(`SELECT tier, status, method, count(*) AS n FROM records GROUP BY 1, 2, 3`).all() as Array<{
      tier: Tier;
      status: Status;
      method: string;
      n: number;
    }>) {
      byTier[r.tier] += r.n;
      byStatus[r.status] += r.n;
      byMethod[r.method] = (byMethod[r.method] ?? 0) + r.n;
      records += r.n;
    }
    const dependencies = (this.db.prepare(`SELECT count(*) AS n FROM deps`).get() as { n: number }).n;
    return {
      path: this.path,
      records,
      byTier,
      byStatus,
      byMethod,
      dependencies,
      axiomChain: readAxiomHead(this.db),
      ledger: this.ledger.head(),
    };
  }

  /**
   * Recomputes the AXIOM chain from the first record and compares it with what is stored, in
   * one snapshot. Throws VksIntegrityError naming the first record that does not verify.
   */
  verifyChain(): ChainReport {
    return this.read(() => {
      const { length, head } = auditAxiomChain(this.db);
      return { length, head };
    });
  }

  /**
   * Checks everything a read can return, in one snapshot: the AXIOM chain, the record ledger,
   * every record of every tier with its phrasings against its latest ledger entry, and the
   * dependency links and token counts. Throws VksIntegrityError (AXIOM chain) or
   * VksRecordIntegrityError (the rest) at the first problem.
   *
   * A valid but shorter store (the newest records deleted, the heads rewound) verifies too.
   * `expect` rules that out: heads recorded elsewhere earlier must still be positions of their
   * chains (records appended since are fine; removed or rewritten ones are not).
   */
  verify(expect: ExpectedHeads = {}): AuditReport {
    return this.read(() => auditStore(this.db, expect));
  }

  // ---------------------------------------------------------------- export / import

  /** Every record, after a full verify of the same snapshot. */
  export(): VksExport {
    return this.read(() => {
      const { axiomChain } = auditStore(this.db);
      const rows = this.db.prepare(`SELECT ${RECORD_COLS} FROM records r ORDER BY r.rid`).all() as RecordRow[];
      const records = rows.map((row): ExportedRecord => {
        const rec: Partial<VksRecord> = this.toRecord(row, []);
        delete rec.normalised; // derived from text on import
        delete rec.usedBy; // derived from dependsOn on import
        return { ...(rec as ExportedRecord), invalidatedReason: row.invalidated_reason };
      });
      return { format: 'cogito-vks', version: SCHEMA_VERSION, exportedAt: nowIso(), axiomChain, records };
    });
  }

  /**
   * Adds an export's records, keeping ids and timestamps. The export's own AXIOM chain is
   * checked first, so a tampered file is refused; its AXIOMs are then appended to this chain.
   */
  import(data: VksExport): ImportReport {
    if (data?.format !== 'cogito-vks' || !Array.isArray(data.records)) throw new VksError('not a cogito VKS export');
    verifyExportedChain(data.records);
    const report: ImportReport = { added: 0, skipped: 0, conflicts: [] };
    const byId = new Map(data.records.map((r) => [r.id, r]));
    const order = dependencyOrder(data.records);
    this.write(() => {
      for (const id of order) {
        const r = byId.get(id) as ExportedRecord;
        const existing = this.stmts.byId.get(id) as RecordRow | undefined;
        if (existing) {
          if (existing.text === r.text && existing.tier === r.tier && existing.canonical === r.canonical) report.skipped++;
          else report.conflicts.push(id);
          continue;
        }
        const invalidated = r.status === 'INVALIDATED';
        const rid = this.insertOne(
          {
            id: r.id,
            tier: r.tier,
            text: r.text,
            aliases: r.aliases,
            canonical: r.canonical,
            status: invalidated ? 'UNCERTAIN' : r.status,
            method: r.method,
            artifact: r.artifact,
            conditions: r.conditions,
            dependsOn: r.dependsOn,
          },
          r.createdAt,
        );
        if (invalidated) {
          this.stmts.invalidate.run(r.updatedAt, r.invalidatedReason ?? 'imported as invalidated', rid);
          this.ledger.seal(rid);
        }
        report.added++;
      }
    });
    return report;
  }

  // ---------------------------------------------------------------- rows

  /** A row about to be returned, checked against its seal; call inside the read that fetched it. */
  private serve(row: RecordRow): VksRecord {
    return this.toRecord(row, this.ledger.check(row));
  }

  private toRecord(row: RecordRow, usedBy: string[]): VksRecord {
    return {
      id: row.id,
      tier: row.tier as Tier,
      text: row.text,
      normalised: row.normalised,
      aliases: JSON.parse(row.aliases) as string[],
      canonical: row.canonical,
      status: row.status as Status,
      method: row.method as VksRecord['method'],
      artifact: JSON.parse(row.artifact) as Json,
      conditions: JSON.parse(row.conditions) as string[],
      dependsOn: JSON.parse(row.depends_on) as string[],
      usedBy,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      seq: row.seq,
      prevHash: row.prev_hash,
      hash: row.hash,
    };
  }
}

/** Recomputes an export's AXIOM chain from its records exactly as the store would hash them. */
function verifyExportedChain(records: ExportedRecord[]): void {
  const axioms = records.filter((r) => r.tier === 'AXIOM').sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  let prev = GENESIS_HASH;
  axioms.forEach((r, i) => {
    const seq = i + 1;
    if (r.seq !== seq) throw new VksIntegrityError('sequence-gap', seq, r.id, `export: expected #${seq}, found #${r.seq}`);
    const hash = chainHash(
      prev,
      chainFields({
        seq,
        id: r.id,
        tier: r.tier,
        text: r.text,
        normalised: normaliseText(r.text),
        aliases: JSON.stringify(r.aliases),
        canonical: r.canonical,
        status: r.status,
        method: r.method,
        artifact: canonicalJson(r.artifact),
        conditions: JSON.stringify(r.conditions),
        dependsOn: JSON.stringify([...r.dependsOn].sort()),
        createdAt: r.createdAt,
      }),
    );
    if (r.prevHash !== prev) throw new VksIntegrityError('prev-hash-mismatch', seq, r.id, 'export: broken link');
    if (hash !== r.hash) throw new VksIntegrityError('hash-mismatch', seq, r.id, 'export: record content differs from its hash');
    prev = hash;
  });
}

/** Ids ordered so each record comes after what it depends on (AXIOMs in chain order first). */
function dependencyOrder(records: ExportedRecord[]): string[] {
  const byId = new Map(records.map((r) => [r.id, r]));
  const sorted = [...records].sort((a, b) => {
    const ax = (a.tier === 'AXIOM' ? 0 : 1) - (b.tier === 'AXIOM' ? 0 : 1);
    return ax !== 0 ? ax : (a.seq ?? 0) - (b.seq ?? 0);
  });
  const out: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string) => {
    const s = state.get(id);
    if (s === 'done') return;
    if (s === 'visiting') throw new VksError(`dependency cycle through ${id}`);
    state.set(id, 'visiting');
    for (const dep of byId.get(id)?.dependsOn ?? []) if (byId.has(dep)) visit(dep);
    state.set(id, 'done');
    out.push(id);
  };
  for (const r of sorted) visit(r.id);
  return out;
}
