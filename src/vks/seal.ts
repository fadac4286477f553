/**
 * The record ledger's hashing. A record's digest covers every stored column a read can return
 * (all tiers, status, updated_at, the invalidation reason, the AXIOM chain fields) and its
 * phrasing rows as stored, so an edited phrasing, canonical form or timestamp changes it.
 * Ledger entries link digests the way the AXIOM chain links records.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './chain';
import type { PhrasingRow, RecordRow } from './rows';

export const LEDGER_GENESIS = '0'.repeat(64);

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Digest of a record row and its phrasings (in insertion order). The internal rowid is left out. */
export function recordDigest(row: RecordRow, phrasings: readonly PhrasingRow[]): string {
  return sha256(
    canonicalJson({
      id: row.id,
      tier: row.tier,
      text: row.text,
      normalised: row.normalised,
      aliases: row.aliases,
      canonical: row.canonical,
      status: row.status,
      method: row.method,
      artifact: row.artifact,
      conditions: row.conditions,
      dependsOn: row.depends_on,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      seq: row.seq,
      prevHash: row.prev_hash,
      hash: row.hash,
      invalidatedReason: row.invalidated_reason,
      phrasings: phrasings.map((p) => [p.normalised, p.tokens, p.ntok]),
    }),
  );
}

export interface LedgerEntry {
  lseq: number;
  recordId: string;
  digest: string;
}

export function ledgerHash(prevHash: string, entry: LedgerEntry): string {
  return sha256(`${prevHash}\n${canonicalJson({ lseq: entry.lseq, recordId: entry.recordId, digest: entry.digest })}`);
}
