/**
 * Opening the store's SQLite file: how long to wait for another connection's lock, the
 * pragmas, the schema, and the upgrade of older files. Busy failures become VksBusyError
 * naming the file.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { auditAxiomChain, auditIndexes } from './audit';
import { VksBusyError, VksError, VksSchemaError } from './errors';
import { RecordLedger } from './ledger';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema';

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface ConnectionOptions {
  readonly: boolean;
  busyTimeoutMs: number;
}

/** A busy-timeout must be a whole number of milliseconds SQLite can take (a 32-bit int). */
export function checkBusyTimeout(ms: number): number {
  if (!Number.isInteger(ms) || ms < 0 || ms > 0x7fffffff) {
    throw new VksError(`busyTimeoutMs must be a whole number of milliseconds from 0 to ${0x7fffffff}, not ${ms}`);
  }
  return ms;
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** Runs `fn`, turning SQLite's "database is locked" into a VksBusyError naming the file. */
export function guardBusy<T>(path: string, busyTimeoutMs: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isBusy(err)) throw new VksBusyError(path, busyTimeoutMs);
    throw err;
  }
}

/** Opens the file, and for a writer brings its schema to the current version. */
export function openConnection(path: string, opts: ConnectionOptions): Database.Database {
  return guardBusy(path, opts.busyTimeoutMs, () => {
    if (!opts.readonly && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    // `timeout` is SQLite's busy handler: set before the first statement, so opening waits too.
    const db = new Database(path, { readonly: opts.readonly, fileMustExist: opts.readonly, timeout: opts.busyTimeoutMs });
    try {
      if (opts.readonly) requireCurrentSchema(db, path);
      else {
        db.pragma('journal_mode = WAL');
        // FULL: a commit is on disk before add() returns, so a kill right after loses nothing.
        db.pragma('synchronous = FULL');
        db.pragma('foreign_keys = ON');
        // One write transaction: concurrent openers of a new or old file set it up exactly once.
        db.transaction(() => upgradeSchema(db, path)).immediate();
      }
      return db;
    } catch (err) {
      db.close();
      // a file that is not SQLite at all (corrupt, or another kind of file): a clear VKS error, not SQLite's
      if ((err as { code?: unknown }).code === 'SQLITE_NOTADB') throw new VksSchemaError(path, null, 'not an SQLite database: the file is corrupt or not a VKS');
      throw err;
    }
  });
}

function schemaVersion(db: Database.Database): string | null {
  const hasMeta = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get();
  if (!hasMeta) return null;
  return (db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get() as string | undefined) ?? null;
}

function requireCurrentSchema(db: Database.Database, path: string): void {
  const found = schemaVersion(db);
  if (found === String(SCHEMA_VERSION)) return;
  if (found === '1') {
    throw new VksSchemaError(
      path,
      found,
      `it predates the record ledger and must be upgraded once by a writer: \`cogito vks migrate --db ${path}\` ` +
        '(or any writable open) checks it and seals its records',
    );
  }
  throw new VksSchemaError(path, found, `this VKS reads version ${SCHEMA_VERSION}; ${found === null ? 'not a VKS file' : 'written by a newer cogito'}`);
}

/**
 * Creates the tables (and re-creates dropped triggers) and upgrades a version-1 file: its AXIOM
 * chain and derived tables are checked first, then every record is sealed in the new ledger.
 * A version-1 file's other tiers were never protected, so the seal vouches for them only from now on.
 */
function upgradeSchema(db: Database.Database, path: string): void {
  const found = schemaVersion(db);
  const hasRecords = found !== null || db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'records'`).get() !== undefined;
  if (found !== null && found !== '1' && found !== String(SCHEMA_VERSION)) {
    throw new VksSchemaError(path, found, `this VKS reads versions 1 and ${SCHEMA_VERSION}; written by a newer cogito`);
  }
  if (found === null && hasRecords) throw new VksSchemaError(path, found, 'a records table without a schema version: not a VKS file');
  db.exec(SCHEMA_SQL);
  if (found === '1') {
    auditAxiomChain(db);
    auditIndexes(db);
    const ledger = new RecordLedger(db);
    for (const rid of db.prepare(`SELECT rid FROM records ORDER BY rid`).pluck().all() as number[]) ledger.seal(rid);
  }
  db.prepare(`INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(
    String(SCHEMA_VERSION),
  );
}
