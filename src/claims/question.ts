/**
 * What a question asks, by its form: a claim to check ("Is it true that X?", "True or false: X",
 * "Verify: X", "Check: X"), one of a domain pack's frame questions, or something open. Arguments
 * ("Premises: … Conclusion: …") are read by the logic side's own reader, which the cascade asks first.
 */
import type { DomainPack } from '../corpus/domain';
import { matchQuestion, type FrameMatch } from './frames';

export type QuestionShape = { kind: 'check'; claim: string } | { kind: 'frame'; match: FrameMatch } | { kind: 'open' };

/** The forms that pose a claim to check; group 1 is the claim. */
const CHECK_FORMS: readonly RegExp[] = [
  /^(?:is it (?:true|the case|correct) that)[\s,]+(.+)$/is,
  /^(?:true or false)\s*[:?,.\-–—]\s*(.+)$/is,
  /^(?:verify|check)(?:\s+that\b|\s*[:\-–—])\s*(.+)$/is,
];

/** The claim of a check question as a sentence: capitalised, a final full stop instead of the question mark. */
function asClaim(body: string): string | null {
  const core = body.trim().replace(/[\s?.!]+$/, '').trim();
  if (!core) return null;
  return `${core[0].toUpperCase()}${core.slice(1)}.`;
}

/** Reads a question's shape; `pack` (optional) supplies the frame questions. */
export function readQuestion(question: string, pack?: DomainPack | null): QuestionShape {
  const q = question.trim().replace(/\s+/g, ' ');
  for (const form of CHECK_FORMS) {
    const m = form.exec(q);
    if (m) {
      const claim = asClaim(m[1]);
      if (claim) return { kind: 'check', claim };
    }
  }
  if (pack) {
    const match = matchQuestion(q, pack);
    if (match) return { kind: 'frame', match };
  }
  return { kind: 'open' };
}
