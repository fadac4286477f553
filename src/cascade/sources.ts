/**
 * The cascade's sources, built from the real modules: the corpus (a JSON Lines passage file
 * indexed in memory) and its factual verifier.
 */
import * as fs from 'node:fs';
import { CorpusIndex, validatePassage } from '../corpus';
import { InvalidPassageError } from '../corpus/errors';
import { FactualVerifier } from '../corpus/verifier';
import { DESCARTES_VOCABULARY } from '../corpus';
import type { Passage } from '../corpus/types';
import type { ResolvedPaths } from './options';
import type { ArgumentChecks, FrameRef, QuestionReading, WorldChecks } from './ports';

const CHECK_FORMS = [/^is it true that\s+(.+?)\??$/i, /^true or false:\s*(.+)$/i, /^verify:\s*(.+)$/i, /^check:\s*(.+)$/i];

function readPassageLines(file: string): Passage[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter((l) => l.line)
    .map(({ line, n }) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        throw new InvalidPassageError(`${file}:${n}: ${(err as Error).message}`);
      }
      return validatePassage(value, `${file}:${n}`);
    });
}

export function openSources(paths: ResolvedPaths): { world: WorldChecks<FrameRef> | null; args: ArgumentChecks<unknown> | null } {
  if (!paths.corpus) return { world: null, args: null };
  const index = new CorpusIndex(':memory:');
  index.add(readPassageLines(paths.corpus));
  const verifier = new FactualVerifier(index, { people: DESCARTES_VOCABULARY.people });
  const world: WorldChecks<FrameRef> = {
    vocabulary: DESCARTES_VOCABULARY,
    readQuestion(question: string): QuestionReading<FrameRef> {
      for (const form of CHECK_FORMS) {
        const m = form.exec(question.trim());
        if (m) return { kind: 'check', claim: m[1] };
      }
      return { kind: 'open' };
    },
    claimForAnswer: () => null,
    otherPhrasings: () => [],
    readStatement: () => null,
    findAnswer: () => null,
    verify(claim: string) {
      const r = verifier.verify(claim);
      return { verdict: r.verdict, reference: r.reference, passageId: r.passage?.id ?? null, reason: r.reason, correction: null };
    },
  };
  return { world, args: null };
}
