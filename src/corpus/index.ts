export * from './types';
export { CorpusIndex, validatePassage, loadPassagesFile } from './store';
export { InvalidPassageError, InvalidDomainPackError } from './errors';
export { FactualVerifier } from './verifier';
export type { FactualVerdict, FactualResult, VerifierOptions, FrameFact, FoundAnswer } from './verifier';
export { parseDomainPack, parseVocabulary, loadDomainPack, frameById, DOMAIN_FORMAT, DOMAIN_VERSION } from './domain';
export type { DomainPack, Frame } from './domain';
export { readStatement, fillTemplate, matchTemplate, kindWord, templateKey, answerKey, sameAnswer } from './templates';
export type { FrameStatement } from './templates';
export { DESCARTES_PASSAGES, DESCARTES_PEOPLE, DESCARTES_VOCABULARY } from './data/descartes';
import { DESCARTES_PASSAGES } from './data/descartes';
import { CorpusIndex } from './store';

/** An index holding the built-in Descartes corpus (in memory unless a path is given). */
export function openDescartesCorpus(path = ':memory:'): CorpusIndex {
  const index = new CorpusIndex(path);
  if (index.size === 0) index.add(DESCARTES_PASSAGES);
  return index;
}
// the error root (docs/errors.md), so `instanceof CogitoError` needs no other import
export { CogitoError, ERROR_CATEGORIES, errorCategory, type ErrorCategory, type ErrorCode } from '../util/errors';
