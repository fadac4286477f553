/**
 * Opening the feedback buffer's SQLite file the way the VKS opens its own (src/vks/connection.ts):
 * WAL journal, synchronous FULL (a commit is on disk before record() returns, so a SIGKILL right
 * after loses nothing), the schema set up in one immediate transaction, busy failures named. Unlike
 * the VKS it keeps no hash chain — its rows are labels, not knowledge — so SQLite's quick_check on
 * every open is its integrity check.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_BUSY_TIMEOUT_MS } from '../vks/connection';
import { FeedbackBusyError, FeedbackIntegrityError, FeedbackSchemaError, MetaError } from './errors';

export const FEEDBACK_SCHEMA_VERSION = 1;

/** The buffer's file beside a VKS file: `feedback.db` in the same folder. */
export function feedbackPathBeside(vksPath: string): string {
  return join(dirname(vksPath), 'feedback.db');
}

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outcomes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  answer_id TEXT NOT NULL CHECK (length(answer_id) > 0),
  question TEXT NOT NULL,
  claim TEXT,
  source TEXT NOT NULL CHECK (source IN ('solver', 'oracle', 'correction', 'user')),
  verdict TEXT NOT NULL CHECK (verdict IN ('correct', 'incorrect')),
  weight REAL NOT NULL CHECK (weight > 0),
  signals BLOB NOT NULL,
  signals_version INTEGER NOT NULL,
  error_type TEXT NOT NULL CHECK (error_type IN ('factual', 'logical', 'unresolved-reference', 'out-of-scope', 'none')),
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outcomes_by_answer ON outcomes (answer_id, id);
CREATE INDEX IF NOT EXISTS outcomes_by_time ON outcomes (created_at);
CREATE TABLE IF NOT EXISTS answers (
  answer_id TEXT PRIMARY KEY CHECK (length(answer_id) > 0),
  question TEXT NOT NULL,
  draft TEXT NOT NULL,
  status TEXT NOT NULL,
  signals BLOB NOT NULL,
  signals_version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  model TEXT
);
`;

/**
 * The answers' `model` column (the fingerprint of the base that drafted each answer; NULL: not
 * recorded) came after version 1's first files: a writer adds it to a file without it. Additive, so
 * the version stays 1 and an older cogito still reads the file.
 */
function addModelColumn(db: Database.Database): void {
  const columns = db.prepare(`PRAGMA table_info(answers)`).all() as { name: string }[];
  if (!columns.some((c) => c.name === 'model')) db.exec(`ALTER TABLE answers ADD COLUMN model TEXT`);
}

export interface FeedbackOpenOptions {
  /** Open an existing buffer for reading only (default false). */
  readonly?: boolean;
  /** How long to wait for another connection's lock, in ms (default the VKS's, 5000). */
  busyTimeoutMs?: number;
}

/** Runs `fn`, turning SQLite's busy, not-a-database and corruption failures into the buffer's typed errors naming the file. */
export function guardSqlite<T>(path: string, busyTimeoutMs: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code !== 'string') throw err;
    if (code.startsWith('SQLITE_BUSY')) throw new FeedbackBusyError(path, busyTimeoutMs);
    if (code === 'SQLITE_NOTADB') throw new FeedbackSchemaError(path, null, 'not a SQLite file');
    if (code.startsWith('SQLITE_CORRUPT')) throw new FeedbackIntegrityError(path, [(err as Error).message]);
    throw err;
  }
}

function schemaVersion(db: Database.Database): string | null {
  if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get()) return null;
  return (db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get() as string | undefined) ?? null;
}

/** A file that has tables but is not a buffer of this version is refused before anything is written to it. */
function checkSchema(db: Database.Database, path: string, allowNew: boolean): void {
  const found = schemaVersion(db);
  if (found === String(FEEDBACK_SCHEMA_VERSION)) return;
  if (found !== null) throw new FeedbackSchemaError(path, found, `this cogito reads version ${FEEDBACK_SCHEMA_VERSION}: written by a newer cogito`);
  const tables = db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).pluck().get() as number;
  if (tables > 0 || !allowNew) throw new FeedbackSchemaError(path, found, 'not a feedback buffer');
}

function quickCheck(db: Database.Database, path: string): void {
  const rows = db.pragma('quick_check') as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
  if (problems.length > 0) throw new FeedbackIntegrityError(path, problems);
}

/** Opens (and for a writer creates) the buffer's file, checked. */
export function openFeedbackDatabase(path: string, options: FeedbackOpenOptions = {}): Database.Database {
  if (typeof path !== 'string' || path.length === 0) throw new MetaError('the feedback buffer needs a file path');
  const readonly = options.readonly ?? false;
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0 || busyTimeoutMs > 0x7fffffff) {
    throw new MetaError(`busyTimeoutMs must be a whole number of milliseconds from 0 to ${0x7fffffff}, not ${busyTimeoutMs}`);
  }
  return guardSqlite(path, busyTimeoutMs, () => {
    if (!readonly && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { readonly, fileMustExist: readonly, timeout: busyTimeoutMs });
    try {
      if (!readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
      }
      quickCheck(db, path);
      if (readonly) checkSchema(db, path, false);
      else {
        // one write transaction: concurrent openers of a new file set it up exactly once
        db.transaction(() => {
          checkSchema(db, path, true);
          db.exec(SCHEMA_SQL);
          addModelColumn(db);
          db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)`).run(String(FEEDBACK_SCHEMA_VERSION));
        }).immediate();
      }
      return db;
    } catch (err) {
      db.close();
      throw err;
    }
  });
}
