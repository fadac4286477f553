/**
 * Many questions at once (`cogito ask --batch`): the question file (plain `{"question": …}` lines
 * or suite lines with `expect`, bench/suites/*.jsonl), whether a result meets its expectation, and
 * the summary (counts per status, expectations met).
 */
import * as fs from 'node:fs';
import { checkQuestionText } from './draft';
import { QuestionFileError } from './errors';
import type { AnswerStatus, AskResult, ClaimSource } from './types';

const STATUSES: readonly string[] = ['VERIFIED', 'CORRECTED', 'UNVERIFIED', 'REFUSED', 'NOT_VERIFIED'];
const SOURCES: readonly string[] = ['VKS', 'SOLVER', 'CORPUS', 'ORACLE', 'SOFT', 'NONE'];
const LABELS: readonly string[] = ['True', 'False', 'Uncertain'];

/** What a suite line expects; every field given must hold. */
export interface Expectation {
  /** An AnswerStatus, or NOT_VERIFIED: anything but VERIFIED. */
  status?: AnswerStatus | 'NOT_VERIFIED';
  /** The source the first checkable (FORMAL or FACTUAL) claim must have. */
  source?: ClaimSource;
  formal?: 'True' | 'False' | 'Uncertain';
  logic?: string;
}

export interface BatchQuestion {
  id: string;
  question: string;
  expect: Expectation | null;
  line: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readExpectation(v: unknown, bad: (m: string) => never): Expectation | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) return bad('"expect" must be an object');
  const known = ['status', 'source', 'formal', 'logic'];
  const unknown = Object.keys(v).filter((k) => !known.includes(k));
  if (unknown.length) bad(`unknown "expect" field(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
  const pick = (k: string, allowed: readonly string[] | null) => {
    const x = v[k];
    if (x === undefined) return undefined;
    if (typeof x !== 'string' || (allowed && !allowed.includes(x))) bad(`"expect.${k}" must be ${allowed ? `one of ${allowed.join(', ')}` : 'a string'}`);
    return x as string;
  };
  return {
    status: pick('status', STATUSES) as Expectation['status'],
    source: pick('source', SOURCES) as ClaimSource | undefined,
    formal: pick('formal', LABELS) as Expectation['formal'],
    logic: pick('logic', null),
  };
}

/** Reads a question file whole, so a bad line fails the batch before any question is asked. */
export function readQuestionFile(file: string): BatchQuestion[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new QuestionFileError(file, null, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const out: BatchQuestion[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const bad = (m: string): never => {
      throw new QuestionFileError(file, i + 1, m);
    };
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      bad(`not JSON: ${(err as Error).message}`);
    }
    if (!isObject(v)) return bad('a line is an object {"question": …}');
    try {
      checkQuestionText(v.question);
    } catch (err) {
      bad(`"question": ${(err as Error).message}`);
    }
    if (v.id !== undefined && typeof v.id !== 'string') bad('"id" must be a string');
    out.push({ id: (v.id as string | undefined) ?? `line-${i + 1}`, question: v.question as string, expect: readExpectation(v.expect, bad), line: i + 1 });
  });
  if (out.length === 0) throw new QuestionFileError(file, null, 'holds no question');
  return out;
}

/** Which expectations a result misses (empty: all met). */
export function unmetExpectations(expect: Expectation, r: AskResult): string[] {
  const misses: string[] = [];
  if (expect.status) {
    const ok = expect.status === 'NOT_VERIFIED' ? r.status !== 'VERIFIED' : r.status === expect.status;
    if (!ok) misses.push(`status ${r.status}, expected ${expect.status}`);
  }
  if (expect.source) {
    // checkable: a FORMAL or FACTUAL claim (an interpretive or meta one gets a soft pass)
    const first = r.claims.find((c) => c.kind === 'FORMAL' || c.kind === 'FACTUAL');
    if (first?.source !== expect.source) misses.push(`source ${first?.source ?? 'none'}, expected ${expect.source}`);
  }
  if (expect.formal && r.formal?.answer !== expect.formal) misses.push(`formal ${r.formal?.answer ?? 'none'}, expected ${expect.formal}`);
  if (expect.logic && r.formal?.logic !== expect.logic) misses.push(`logic ${r.formal?.logic ?? 'none'}, expected ${expect.logic}`);
  return misses;
}

export interface BatchSummary {
  questions: number;
  byStatus: Record<AnswerStatus, number>;
  expectations: { checked: number; met: number; missed: Array<{ id: string; misses: string[] }> };
  oracleCalls: number;
  /** Claims answered straight from the VKS. */
  vksHits: number;
  claims: number;
}

export function summarise(items: ReadonlyArray<{ q: BatchQuestion; result: AskResult }>): BatchSummary {
  const s: BatchSummary = {
    questions: items.length,
    byStatus: { VERIFIED: 0, CORRECTED: 0, UNVERIFIED: 0, REFUSED: 0 },
    expectations: { checked: 0, met: 0, missed: [] },
    oracleCalls: 0,
    vksHits: 0,
    claims: 0,
  };
  for (const { q, result } of items) {
    s.byStatus[result.status]++;
    s.oracleCalls += result.oracle_calls;
    s.claims += result.claims.length;
    s.vksHits += result.claims.filter((c) => c.source === 'VKS').length;
    if (!q.expect) continue;
    s.expectations.checked++;
    const misses = unmetExpectations(q.expect, result);
    if (misses.length === 0) s.expectations.met++;
    else s.expectations.missed.push({ id: q.id, misses });
  }
  return s;
}
