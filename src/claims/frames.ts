/**
 * A domain pack's frames, seen from a question: which frame a question asks (and about whom),
 * the claim an answer to it makes ("bell" to "What instrument does Lana play?" is "Lana plays the
 * bell."), the frame's other phrasings for re-asking, and which fact a sentence states.
 */
import type { DomainPack, Frame } from '../corpus/domain';
import { fillTemplate, kindWord, matchTemplate, readStatement, templateKey } from '../corpus/templates';

export interface FrameMatch {
  frame: Frame;
  /** The subject as the pack's word list writes it; null for a frame without a subject. */
  subject: string | null;
  /** The question template that matched (set by matchQuestion), so re-asking can use the others. */
  template?: string;
}

/**
 * The frame a question asks, tolerant of case, spacing and final punctuation; the subject must be
 * a word of the frame's subjectKind. Null when no frame's question reads this way.
 */
export function matchQuestion(question: string, pack: DomainPack): FrameMatch | null {
  if (!templateKey(question)) return null;
  for (const frame of pack.frames) {
    for (const template of frame.questions) {
      const m = matchTemplate(pack, frame, template, question);
      if (m) return { frame, subject: m.subject, template };
    }
  }
  return null;
}

const ARTICLE_BEFORE_ANSWER = /\b(the|a|an)\s+\{A\}/i;

/**
 * The answer's core: a full sentence stating this frame's fact gives its answer; otherwise the
 * text trimmed of quotes and final punctuation, and of a leading article the template already has.
 */
function answerCore(match: FrameMatch, answer: string, pack: DomainPack | null): string {
  let a = answer.trim().replace(/^["'“‘]+|["'”’]+$/g, '').trim();
  if (pack) {
    const stated = readStatement(a, pack, match.frame);
    if (stated && (match.subject === null || stated.subject === match.subject)) return stated.answer;
  }
  a = a.replace(/[\s.!?;:,]+$/, '');
  if (ARTICLE_BEFORE_ANSWER.test(match.frame.claim)) a = a.replace(/^(the|a|an)\s+/i, '');
  return a;
}

/**
 * The checkable claim an answer to a frame question makes: the frame's claim template with the
 * subject and the answer filled in. `pack` (optional) lets a full-sentence answer be read for its answer.
 */
export function claimForAnswer(match: FrameMatch, answer: string, pack: DomainPack | null = null): string {
  return fillTemplate(match.frame.claim, match.subject, answerCore(match, answer, pack));
}

/**
 * The frame fact an answer states, for FactualVerifier.verify and ClaimRouter.route/check: the
 * answer as claimForAnswer reads it (a word of the answer kind is spelt as the pack lists it).
 */
export function factForAnswer(match: FrameMatch, answer: string, pack: DomainPack | null = null): { frame: Frame; subject: string | null; answer: string } {
  const core = answerCore(match, answer, pack);
  return { frame: match.frame, subject: match.subject, answer: (pack && kindWord(pack, match.frame.answerKind, core)) ?? core };
}

/** The frame's other question phrasings (all but the one matched) with the subject filled in, for re-asking the model. */
export function otherPhrasings(match: FrameMatch): string[] {
  return match.frame.questions.filter((q) => q !== match.template).map((q) => fillTemplate(q, match.subject));
}

/** Which fact a sentence states, by the frames' claim and statement templates; null when none. */
export function readFrameStatement(sentence: string, pack: DomainPack): { frame: Frame; subject: string | null; answer: string } | null {
  return readStatement(sentence, pack);
}
