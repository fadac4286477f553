/** The AXIOM hash chain: SHA-256 over the previous hash and a canonical rendering of the record. */
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** Where a hash chain ends: how many entries it holds and the hash of the last one. */
export interface ChainReport {
  length: number;
  head: string;
}

/** The stored columns of an AXIOM that the chain covers; every one is text as stored. */
export interface ChainedFields {
  seq: number;
  id: string;
  tier: string;
  text: string;
  normalised: string;
  aliases: string; // JSON array
  canonical: string | null;
  status: string;
  method: string;
  artifact: string; // canonical JSON
  conditions: string; // JSON array
  dependsOn: string; // JSON array, sorted
  createdAt: string;
}

/** JSON with object keys sorted at every level, so equal values always hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function chainHash(prevHash: string, fields: ChainedFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(fields)).digest('hex');
}
