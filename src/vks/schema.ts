/**
 * SQLite schema of the VKS. Triggers make AXIOM and the record ledger append-only for every
 * writer that goes through SQLite.
 *
 * Versions: 1 chained the AXIOM tier only; 2 adds the record ledger, a second hash chain that
 * seals every record of every tier (and its phrasings) each time it is written.
 */

export const SCHEMA_VERSION = 2;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS records (
  rid        INTEGER PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  tier       TEXT NOT NULL CHECK (tier IN ('AXIOM','DERIVED','CONTESTED','FACTUAL')),
  text       TEXT NOT NULL,
  normalised TEXT NOT NULL,
  aliases    TEXT NOT NULL DEFAULT '[]',
  canonical  TEXT,
  status     TEXT NOT NULL,
  method     TEXT NOT NULL,
  artifact   TEXT NOT NULL DEFAULT 'null',
  conditions TEXT NOT NULL DEFAULT '[]',
  depends_on TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  seq        INTEGER UNIQUE,
  prev_hash  TEXT,
  hash       TEXT,
  invalidated_reason TEXT
);
CREATE INDEX IF NOT EXISTS records_canonical ON records(canonical) WHERE canonical IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_status ON records(status);

-- Every phrasing (the text and each alias) is one row: exact lookup is one index probe.
CREATE TABLE IF NOT EXISTS phrasings (
  pid        INTEGER PRIMARY KEY,
  rid        INTEGER NOT NULL REFERENCES records(rid),
  normalised TEXT NOT NULL,
  tokens     TEXT NOT NULL,
  ntok       INTEGER NOT NULL -- distinct tokens: bounds the Jaccard before any scoring
);
CREATE INDEX IF NOT EXISTS phrasings_normalised ON phrasings(normalised);
CREATE INDEX IF NOT EXISTS phrasings_rid ON phrasings(rid);

-- Posting lists only (detail=none): lookups need which phrasings hold a token, never where.
CREATE VIRTUAL TABLE IF NOT EXISTS phrasings_fts USING fts5(
  tokens, content='', contentless_delete=1, detail=none, tokenize='unicode61'
);
-- Formula vocabulary per record (rowid = records.rid), for lemma search.
CREATE VIRTUAL TABLE IF NOT EXISTS symbols_fts USING fts5(
  symbols, content='', contentless_delete=1, detail=none, tokenize='unicode61'
);

-- Document frequency per token, so the fuzzy stage can query only the rarest ones
-- (an fts5vocab table answers this too, but scans: ~0.2 ms per term at 100k rows).
CREATE TABLE IF NOT EXISTS token_df (
  token TEXT PRIMARY KEY,
  df    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS deps (
  rid     INTEGER NOT NULL REFERENCES records(rid),
  dep_rid INTEGER NOT NULL REFERENCES records(rid),
  PRIMARY KEY (rid, dep_rid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deps_reverse ON deps(dep_rid);

-- The record ledger: one entry each time a record is written (added, invalidated), holding the
-- digest of everything a lookup can return for it. Entries are hash-linked like the AXIOM chain;
-- a record's latest entry must match its current row and phrasings.
CREATE TABLE IF NOT EXISTS ledger (
  lseq       INTEGER PRIMARY KEY,
  record_id  TEXT NOT NULL,
  digest     TEXT NOT NULL,
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_record ON ledger(record_id, lseq);

CREATE TRIGGER IF NOT EXISTS ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the record ledger is append-only'); END;

CREATE TRIGGER IF NOT EXISTS ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the record ledger is append-only'); END;

CREATE TRIGGER IF NOT EXISTS axiom_no_update BEFORE UPDATE ON records
WHEN OLD.tier = 'AXIOM' OR NEW.tier = 'AXIOM'
BEGIN SELECT RAISE(ABORT, 'AXIOM records are append-only'); END;

CREATE TRIGGER IF NOT EXISTS axiom_no_delete BEFORE DELETE ON records
WHEN OLD.tier = 'AXIOM'
BEGIN SELECT RAISE(ABORT, 'AXIOM records are append-only'); END;
`;
