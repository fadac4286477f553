/** Vocabulary of the Verified Knowledge Store: tiers, statuses, methods and the record shape. */

export const TIERS = ['AXIOM', 'DERIVED', 'CONTESTED', 'FACTUAL'] as const;
export type Tier = (typeof TIERS)[number];

export const STATUSES = ['VERIFIED', 'CONDITIONAL', 'REFUTED', 'UNCERTAIN', 'INVALIDATED'] as const;
export type Status = (typeof STATUSES)[number];

export const METHODS = ['Z3', 'CVC5', 'CORPUS', 'ORACLE', 'USER', 'SEED', 'IMPORT'] as const;
export type Method = (typeof METHODS)[number];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What a caller supplies to store a result. */
export interface NewRecord {
  tier: Tier;
  text: string;
  /** Other phrasings of the same claim (translations, common renderings); matched like the text. */
  aliases?: string[];
  /** Canonical form of the claim's formula (from src/logic canonicalForm), when it has one. */
  canonical?: string | null;
  status: Status;
  method: Method;
  /** Proof result, countermodel, source reference: whatever justifies the status. */
  artifact?: Json;
  /** Premises or assumptions the status holds under (CONTESTED / CONDITIONAL results). */
  conditions?: string[];
  /** Ids of records this one was derived from. */
  dependsOn?: string[];
  /** Fixed id (import); a fresh UUID otherwise. */
  id?: string;
}

export interface VksRecord {
  id: string;
  tier: Tier;
  text: string;
  normalised: string;
  aliases: string[];
  canonical: string | null;
  status: Status;
  method: Method;
  artifact: Json;
  conditions: string[];
  dependsOn: string[];
  usedBy: string[];
  createdAt: string;
  updatedAt: string;
  /** Position in the AXIOM hash chain (AXIOM only). */
  seq: number | null;
  prevHash: string | null;
  hash: string | null;
}

export type LookupVia = 'exact' | 'equivalent' | 'fuzzy';

export interface LookupHit {
  record: VksRecord;
  via: LookupVia;
  /** 1 for exact and equivalent hits; the token Jaccard for fuzzy ones. */
  score: number;
}

export interface LookupQuery {
  text: string;
  /** Canonical form of the query's formula; when absent the store tries to derive one from the text. */
  canonical?: string | null;
}

export interface VksStats {
  path: string;
  records: number;
  byTier: Record<Tier, number>;
  byStatus: Record<Status, number>;
  byMethod: Record<string, number>;
  dependencies: number;
  axiomChain: { length: number; head: string };
  /** The record ledger, which seals every record of every tier each time it is written. */
  ledger: { length: number; head: string };
}

export function isTier(s: string): s is Tier {
  return (TIERS as readonly string[]).includes(s);
}
export function isStatus(s: string): s is Status {
  return (STATUSES as readonly string[]).includes(s);
}
export function isMethod(s: string): s is Method {
  return (METHODS as readonly string[]).includes(s);
}
