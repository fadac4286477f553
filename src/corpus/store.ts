/** Passage index: SQLite FTS5 with BM25 ranking, one row per passage with its source reference. */
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fuzzySequence } from '../util/normalise';
import { NotFoundError } from '../util/errors';
import { InvalidPassageError } from './errors';
import type { Passage, SearchHit } from './types';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS passages (
  pid        INTEGER PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  work       TEXT NOT NULL,
  section    TEXT NOT NULL,
  at_volume  TEXT,
  at_page    TEXT,
  kind       TEXT NOT NULL CHECK (kind IN ('paraphrase', 'fact')),
  text       TEXT NOT NULL
);
-- Indexed on folded tokens (the same folding claims get), so "thinking" finds "thinks".
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
  tokens, work, section, content='', contentless_delete=1, tokenize='unicode61'
);
`;

interface Row {
  pid: number;
  id: string;
  work: string;
  section: string;
  at_volume: string | null;
  at_page: string | null;
  kind: 'paraphrase' | 'fact';
  text: string;
}

function toPassage(r: Row): Passage {
  return { id: r.id, work: r.work, section: r.section, atVolume: r.at_volume, atPage: r.at_page, kind: r.kind, text: r.text };
}

/**
 * Reads a corpus file: one passage (JSON) per line, blank lines skipped. Every line is checked;
 * an unreadable line or a repeated id fails with the file and line number.
 */
export function loadPassagesFile(path: string): Passage[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`${path}: no such corpus file`);
    throw new InvalidPassageError(`${path}: cannot read: ${(err as Error).message}`);
  }
  const out: Passage[] = [];
  const lineOf = new Map<string, number>();
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${path}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      throw new InvalidPassageError(`${where}: not JSON: ${(err as Error).message}`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InvalidPassageError(`${where}: a passage must be a JSON object`);
    const p = validatePassage(json, where);
    const first = lineOf.get(p.id);
    if (first !== undefined) throw new InvalidPassageError(`${where}: "id" ${JSON.stringify(p.id)} repeats line ${first}`);
    lineOf.set(p.id, i + 1);
    out.push(p);
  });
  return out;
}

/** Checks a value read from a file before it goes into the index. */
export function validatePassage(p: unknown, where = 'passage'): Passage {
  const o = p as Record<string, unknown>;
  const str = (k: string) => typeof o?.[k] === 'string' && (o[k] as string).trim().length > 0;
  const optStr = (k: string) => o?.[k] === undefined || o[k] === null || typeof o[k] === 'string';
  for (const k of ['id', 'work', 'section', 'text']) if (!str(k)) throw new InvalidPassageError(`${where}: "${k}" must be a non-empty string`);
  for (const k of ['atVolume', 'atPage']) if (!optStr(k)) throw new InvalidPassageError(`${where}: "${k}" must be a string or null`);
  const kind = o.kind ?? 'paraphrase';
  if (kind !== 'paraphrase' && kind !== 'fact') throw new InvalidPassageError(`${where}: "kind" must be "paraphrase" or "fact"`);
  return {
    id: o.id as string,
    work: o.work as string,
    section: o.section as string,
    atVolume: (o.atVolume as string | null | undefined) ?? null,
    atPage: (o.atPage as string | null | undefined) ?? null,
    kind,
    text: o.text as string,
  };
}

export class CorpusIndex {
  private readonly db: Database.Database;

  constructor(readonly path: string = ':memory:') {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    if (path !== ':memory:') this.db.pragma('journal_mode = WAL');
    this.db.exec(SCHEMA);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  get size(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM passages').get() as { n: number }).n;
  }

  /** Adds or replaces passages by id, atomically. Returns how many were new. */
  add(passages: Passage[]): { added: number; replaced: number } {
    const find = this.db.prepare('SELECT pid FROM passages WHERE id = ?').pluck();
    const del = this.db.prepare('DELETE FROM passages WHERE pid = ?');
    const delFts = this.db.prepare('DELETE FROM passages_fts WHERE rowid = ?');
    const ins = this.db.prepare(
      `INSERT INTO passages (id, work, section, at_volume, at_page, kind, text)
       VALUES (@id, @work, @section, @atVolume, @atPage, @kind, @text)`,
    );
    const insFts = this.db.prepare('INSERT INTO passages_fts (rowid, tokens, work, section) VALUES (?, ?, ?, ?)');
    const run = this.db.transaction((items: Passage[]) => {
      let added = 0;
      let replaced = 0;
      items.forEach((raw, i) => {
        const p = validatePassage(raw, `passage ${i}`);
        const old = find.get(p.id) as number | undefined;
        if (old !== undefined) {
          delFts.run(old);
          del.run(old);
          replaced++;
        } else added++;
        const pid = Number(ins.run(p).lastInsertRowid);
        insFts.run(pid, fuzzySequence(p.text).join(' '), fuzzySequence(p.work).join(' '), fuzzySequence(p.section).join(' '));
      });
      return { added, replaced };
    });
    return run(passages);
  }

  /** BM25 search over passage text (weighted 1), work and section titles (weighted 0.5). */
  search(query: string, limit = 5): SearchHit[] {
    const terms = [...new Set(fuzzySequence(query))].filter((t) => /^[a-z0-9]+$/.test(t) && t !== 'therefore');
    if (!terms.length) return [];
    const match = terms.map((t) => `"${t}"`).join(' OR ');
    const rows = this.db
      .prepare(
        `SELECT p.*, bm25(passages_fts, 1.0, 0.5, 0.5) AS rank FROM passages_fts f JOIN passages p ON p.pid = f.rowid
         WHERE passages_fts MATCH ? ORDER BY rank LIMIT ?`,
      )
      .all(match, limit) as Array<Row & { rank: number }>;
    return rows.map((r) => ({ passage: toPassage(r), score: -r.rank }));
  }

  get(id: string): Passage | null {
    const r = this.db.prepare('SELECT * FROM passages WHERE id = ?').get(id) as Row | undefined;
    return r ? toPassage(r) : null;
  }
}
