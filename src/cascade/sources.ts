/**
 * The cascade's sources, built from the real modules: the domain pack and the reference corpus
 * (indexed in memory) behind the world's checks, and the logic layer's posed arguments.
 */
import { claimForAnswer, otherPhrasings, readFrameStatement, type FrameMatch } from '../claims/frames';
import { readQuestion } from '../claims/question';
import { loadDomainPack, type DomainPack } from '../corpus/domain';
import { DESCARTES_PASSAGES, DESCARTES_VOCABULARY } from '../corpus/data/descartes';
import { CorpusIndex, loadPassagesFile } from '../corpus/store';
import { answerKey, fillTemplate, kindWord, sameAnswer } from '../corpus/templates';
import { FactualVerifier } from '../corpus/verifier';
import { decideArgumentQuestion, readArgumentQuestion, reencodeArgument, type ArgumentQuestion } from '../logic/question';
import { CogitoError } from '../util/errors';
import type { Json } from '../vks/types';
import type { ResolvedPaths } from './options';
import type { ArgumentChecks, FactCheck, WorldChecks } from './ports';

/** Plain JSON for the VKS artifact (a countermodel may hold BigInts or class instances). */
function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null') as Json;
}

export function argumentChecks(): ArgumentChecks<ArgumentQuestion> {
  return {
    read(text) {
      try {
        const q = readArgumentQuestion(text);
        return q === null ? null : { argument: q };
      } catch (err) {
        // it poses an argument the reader cannot take as written: re-encode may still read it
        if (err instanceof CogitoError) return { unreadable: err.message.split('\n', 1)[0] };
        throw err;
      }
    },
    async decide(q) {
      const d = await decideArgumentQuestion(q);
      return { answer: d.answer, logic: d.logic, method: d.method, detail: d.detail, artifact: toJson(d.artifact), decided: d.decided };
    },
    reencode: (text) => reencodeArgument(text),
    describe: (q) => `${q.notation}, ${q.logic}: ${q.source}`,
  };
}

/** The world's checks: frames from the pack (when there is one), facts from the corpus. */
export function worldChecks(pack: DomainPack | null, verifier: FactualVerifier | null): WorldChecks<FrameMatch> {
  const none = (reason: string): FactCheck => ({ verdict: 'NOT_FOUND', reference: null, passageId: null, reason, correction: null });
  return {
    vocabulary: pack?.vocabulary ?? DESCARTES_VOCABULARY,
    readQuestion: (question) => readQuestion(question, pack),
    claimForAnswer(match, answer) {
      // an answer that is not a word of the frame's kind makes no claim of the frame
      if (!pack) return null;
      const stated = readFrameStatement(answer, pack);
      const word = stated && stated.frame.id === match.frame.id ? stated.answer : answer.trim().replace(/^(the|a|an)\s+/i, '').replace(/[\s.!?;:,]+$/, '');
      return kindWord(pack, match.frame.answerKind, word) === null ? null : claimForAnswer(match, answer, pack);
    },
    otherPhrasings: (match) => otherPhrasings(match),
    readStatement(sentence) {
      const s = pack ? readFrameStatement(sentence, pack) : null;
      return s ? { match: { frame: s.frame, subject: s.subject }, answer: s.answer } : null;
    },
    findAnswer(match) {
      const found = verifier?.findAnswer(match) ?? null;
      return found ? { answer: found.answer, reference: found.reference, passageId: found.passage.id } : null;
    },
    factQuery: (match) => fillTemplate(match.frame.claim, match.subject, ''),
    sameFact: (a, b) => a.frame.id === b.frame.id && (a.subject === null ? b.subject === null : b.subject !== null && answerKey(a.subject) === answerKey(b.subject)),
    sameClaim(a, b) {
      const key = (t: string) => t.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
      if (key(a) === key(b)) return true;
      const sa = pack ? readFrameStatement(a, pack) : null;
      const sb = pack ? readFrameStatement(b, pack) : null;
      if (!sa || !sb || sa.frame.id !== sb.frame.id) return false;
      const sameSubject = sa.subject === null ? sb.subject === null : sb.subject !== null && answerKey(sa.subject) === answerKey(sb.subject);
      return sameSubject && sameAnswer(sa.answer, sb.answer);
    },
    verify(claim, match) {
      if (!verifier) return none('no reference corpus is configured');
      const stated = pack ? readFrameStatement(claim, pack) : null;
      const fact = stated && (!match || stated.frame.id === match.frame.id) ? stated : null;
      const r = verifier.verify(claim, fact);
      return { verdict: r.verdict, reference: r.reference, passageId: r.passage?.id ?? null, reason: r.reason, correction: r.correction };
    },
  };
}

/** Reads the pack and the corpus (a corrupt file fails here, naming file and line). */
export interface Sources {
  world: WorldChecks<FrameMatch> | null;
  pack: DomainPack | null;
  verifier: FactualVerifier | null;
  args: ArgumentChecks<ArgumentQuestion>;
  /** Closes the in-memory passage index. */
  close(): void;
}

export function openSources(paths: ResolvedPaths): Sources {
  const pack = paths.domain ? loadDomainPack(paths.domain) : null;
  let index: CorpusIndex | null = null;
  if (paths.corpus) {
    const passages = loadPassagesFile(paths.corpus);
    index = new CorpusIndex(':memory:');
    // the library's own Descartes corpus (paraphrases of the works) stands beside the file's passages
    const ids = new Set(passages.map((p) => p.id));
    index.add([...passages, ...DESCARTES_PASSAGES.filter((p) => !ids.has(p.id))]);
  }
  const verifier = index ? new FactualVerifier(index, { pack }) : null;
  return { world: pack || index ? worldChecks(pack, verifier) : null, pack, verifier, args: argumentChecks(), close: () => index?.close() };
}
