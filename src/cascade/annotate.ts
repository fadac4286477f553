/**
 * Integration: the final answer keeps what was verified and replaces what was refuted with the
 * correction; the annotated answer marks each claim [VERIFIED] (with its proof, countermodel or
 * passage), [CORRECTED] (with the correction's source), [UNVERIFIED] (with the reason) or [SOFT].
 */
import { createHash } from 'node:crypto';
import type { AnswerStatus, ClaimReport, FormalAnswerReport } from './types';

export function finalText(claims: readonly ClaimReport[], formal: FormalAnswerReport | null): string {
  if (formal) return formal.answer;
  return claims.map((c) => (c.status === 'CORRECTED' && c.correction ? c.correction : c.text)).join(' ');
}

function mark(c: ClaimReport): string {
  switch (c.status) {
    case 'VERIFIED':
      return `[VERIFIED: ${c.source}${c.reference ? `, ${c.reference}` : ''}]`;
    case 'CORRECTED':
      return `[CORRECTED: ${c.source}${c.reference ? `, ${c.reference}` : ''}; was "${c.text}"]`;
    case 'UNVERIFIED':
      return `[UNVERIFIED: ${c.reason}]`;
    default:
      return `[SOFT: ${c.reason}]`;
  }
}

export function annotatedText(claims: readonly ClaimReport[], formal: FormalAnswerReport | null, status: AnswerStatus, refusal: string): string {
  if (status === 'REFUSED') return `[REFUSED: the model declined to answer; ${refusal}]`;
  const lines = claims.map((c) => `${c.status === 'CORRECTED' && c.correction ? c.correction : c.text} ${mark(c)}`);
  if (formal) lines.unshift(`${formal.answer} (${formal.logic}, ${formal.method})`);
  return lines.join('\n');
}

/**
 * VERIFIED when every checkable claim is verified (and there is one); CORRECTED when something was
 * replaced; REFUSED when the model refused and nothing answered (an answer only the oracle vouches for
 * is an answer, UNVERIFIED); UNVERIFIED otherwise.
 */
export function answerStatus(claims: readonly ClaimReport[], refused: boolean): AnswerStatus {
  const checkable = claims.filter((c) => c.status !== 'SOFT');
  const answered = (c: ClaimReport) => c.status === 'VERIFIED' || c.status === 'CORRECTED' || (c.status === 'UNVERIFIED' && c.source !== 'NONE');
  if (refused && !claims.some(answered)) return 'REFUSED';
  if (checkable.some((c) => c.status === 'CORRECTED')) return 'CORRECTED';
  if (checkable.length > 0 && checkable.every((c) => c.status === 'VERIFIED')) return 'VERIFIED';
  return 'UNVERIFIED';
}

/** Stable per answer: the same question answered the same way has the same id. */
export function answerId(question: string, annotated: string): string {
  return createHash('sha256').update(`${question.trim()}\n${annotated}`).digest('hex').slice(0, 16);
}
