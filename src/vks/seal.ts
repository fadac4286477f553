/**
 * The record ledger's hashing. A record's digest covers every stored column a read can return
 * (all tiers, status, updated_at, the invalidation reason, the AXIOM chain fields) and its
 * phrasing rows as stored, so an edited phrasing, canonical form or timestamp changes it.
 * Ledger entries link digests the way the AXIOM chain links records.
 */
import { createHash } from 'node:crypto';
import type { PhrasingRow, RecordRow } from './rows';

export const LEDGER_GENESIS = '0'.repeat(64);

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Digest of a record row and its phrasings (in insertion order). The internal rowid is left out.
 * The fields go into a JSON array in a fixed order (cheaper than canonicalJson, as deterministic).
 */
export function recordDigest(row: RecordRow, phrasings: readonly PhrasingRow[]): string {
  return sha256(
    JSON.stringify([
      'cogito-vks-record-1',
      row.id,
      row.tier,
      row.text,
      row.normalised,
      row.aliases,
      row.canonical,
      row.status,
      row.method,
      row.artifact,
      row.conditions,
      row.depends_on,
      row.created_at,
      row.updated_at,
      row.seq,
      row.prev_hash,
      row.hash,
      row.invalidated_reason,
      phrasings.map((p) => [p.normalised, p.tokens, p.ntok]),
    ]),
  );
}

export interface LedgerEntry {
  lseq: number;
  recordId: string;
  digest: string;
}

export function ledgerHash(prevHash: string, entry: LedgerEntry): string {
  return sha256(`${prevHash}\n${JSON.stringify([entry.lseq, entry.recordId, entry.digest])}`);
}
