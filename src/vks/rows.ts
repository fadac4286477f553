/** The stored shape of a record and its phrasings, and the columns each chain reads from them. */
import type { ChainedFields } from './chain';

export interface RecordRow {
  rid: number;
  id: string;
  tier: string;
  text: string;
  normalised: string;
  aliases: string;
  canonical: string | null;
  status: string;
  method: string;
  artifact: string;
  conditions: string;
  depends_on: string;
  created_at: string;
  updated_at: string;
  seq: number | null;
  prev_hash: string | null;
  hash: string | null;
  invalidated_reason: string | null;
}

/** One row of the phrasings table, as a lookup reads it. */
export interface PhrasingRow {
  normalised: string;
  tokens: string;
  ntok: number;
}

export const RECORD_COLS =
  'r.rid, r.id, r.tier, r.text, r.normalised, r.aliases, r.canonical, r.status, r.method, r.artifact, ' +
  'r.conditions, r.depends_on, r.created_at, r.updated_at, r.seq, r.prev_hash, r.hash, r.invalidated_reason';

/** The AXIOM chain's input, from values about to be stored or already stored. */
export interface ChainInput {
  seq: number;
  id: string;
  tier: string;
  text: string;
  normalised: string;
  aliases: string;
  canonical: string | null;
  status: string;
  method: string;
  artifact: string;
  conditions: string;
  dependsOn: string;
  createdAt: string;
}

export function chainFields(r: ChainInput): ChainedFields {
  return {
    seq: r.seq,
    id: r.id,
    tier: r.tier,
    text: r.text,
    normalised: r.normalised,
    aliases: r.aliases,
    canonical: r.canonical,
    status: r.status,
    method: r.method,
    artifact: r.artifact,
    conditions: r.conditions,
    dependsOn: r.dependsOn,
    createdAt: r.createdAt,
  };
}

export function rowToChainInput(row: RecordRow): ChainInput {
  return {
    seq: row.seq as number,
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
  };
}
