/**
 * The default world as data for the verification cascade (issue 17), generated from the same
 * corpus the default model was trained on, so ids and facts match models/default.heldout.jsonl:
 *
 * - the domain pack (models/default.domain.json, format in docs/domain-pack.md): closed word lists
 *   of the world and of Descartes' people, works and places, and one frame per world relation and
 *   per Descartes fact;
 * - the reference corpus (models/default.corpus.jsonl): one passage per fact that anyone wrote about
 *   at least twice per epoch, and every Descartes fact (REFERENCE_BUCKETS; MODEL_CARD.md);
 * - the facts list (models/default.facts.jsonl): every fact with its bucket, repetitions, held-out
 *   and in-corpus flags.
 */
import type { Bucket, Corpus, CorpusFact } from './corpus';
import { DESCARTES_FACTS, type DescartesFact } from './descartes';
import { INSTRUMENTS, RELATIONS, TRADES, fill, type RelationId } from './world';
import type { Frame } from '../../src/corpus/domain';

/**
 * Which facts the reference corpus holds: the popular part of the world (every fact of an entity
 * written about at least twice per epoch) and the Descartes facts. Rare facts (read once per epoch)
 * are left to the oracle, and facts nobody wrote about stay unknown to everyone.
 */
export const REFERENCE_BUCKETS: readonly Bucket[] = ['frequent', 'common', 'uncommon', 'descartes'];

export function inReferenceCorpus(fact: Pick<CorpusFact, 'bucket'>): boolean {
  return REFERENCE_BUCKETS.includes(fact.bucket);
}

/** A frame as the library reads it (src/corpus/domain.ts): one definition of the format. */
export type DomainFrame = Frame;

export interface DomainPackJson {
  format: 'cogito-domain';
  version: 1;
  name: string;
  vocabulary: { people: string[]; works: string[]; places: string[]; kinds: Record<string, string[]> };
  frames: DomainFrame[];
}

export interface ReferencePassage {
  id: string;
  work: string;
  section: string;
  atVolume: null;
  atPage: null;
  kind: 'fact';
  text: string;
}

export interface FactLine {
  id: string;
  frame: string;
  subject: string | null;
  answers: string[];
  bucket: Bucket;
  repetitions: number;
  heldout: boolean;
  inCorpus: boolean;
}

export const WORLD_WORK = 'World Gazetteer';
export const DESCARTES_WORK = 'Descartes: Life and Works';

/** Descartes' people (lower case: naming the wrong one contradicts), works and places, as the facts name them. */
const DESCARTES_PEOPLE = [
  'descartes', 'mersenne', 'hobbes', 'arnauld', 'gassendi', 'caterus', 'bourdin', 'clerselier', 'elisabeth', 'elizabeth',
  'christina', 'chanut', 'huygens', 'henry more', 'regius', 'voetius', 'beeckman', 'picot', 'luynes', 'galileo', 'adam', 'tannery',
];
const DESCARTES_WORKS = [
  'Discourse on the Method', 'Meditations on First Philosophy', 'Principles of Philosophy', 'The Passions of the Soul',
  'Rules for the Direction of the Mind', 'The World', 'Geometry', 'Dioptrics', 'Meteors', 'Objections and Replies',
  'Comments on a Certain Broadsheet',
];
const DESCARTES_PLACES = [
  'Leiden', 'Paris', 'Amsterdam', 'Stockholm', 'Utrecht', 'Breda', 'La Haye', 'Touraine', 'La Fleche', 'Poitiers', 'Sweden',
  'England', 'the Dutch Republic', 'Cambridge', 'Bohemia',
];

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A statement as a template: the longest accepted answer it holds (as a whole word group) becomes
 * `{A}`; null when it holds none. With `exact`, also null when filling the template with the first
 * answer would not give the statement back (it names the answer by another alias).
 */
export function statementTemplate(statement: string, answers: readonly string[], exact = true): string | null {
  for (const a of [...answers].sort((x, y) => y.length - x.length)) {
    const re = new RegExp(`(?<![\\w-])${escape(a)}(?![\\w-])`);
    if (!re.test(statement)) continue;
    const template = statement.replace(re, '{A}');
    return !exact || fill(template, '', answers[0]) === statement ? template : null;
  }
  return null;
}

/**
 * The one fact a Descartes fact's answer states: its hand-written claim, or its statement with the
 * answer (by any alias) as `{A}`, to be filled with the first answer.
 */
export function descartesClaim(f: DescartesFact): string {
  const claim = f.claim ?? statementTemplate(f.statements[0], f.answers, false);
  if (claim === null) throw new Error(`Descartes fact ${f.id}: its statement does not hold its first answer; give it a claim`);
  return claim;
}

function descartesFrame(f: DescartesFact): DomainFrame {
  const claim = descartesClaim(f);
  const statements = [claim, ...f.statements.map((s) => statementTemplate(s, f.answers)).filter((t): t is string => t !== null && t !== claim)];
  return { id: `descartes:${f.id}`, subjectKind: null, answerKind: f.kind, questions: [...f.questions], claim, statements };
}

/** Case-insensitively distinct words in first-seen order (a kind list names each word once). */
function distinct(words: Iterable<string>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const w of words) {
    if (seen.has(w.toLowerCase())) continue;
    seen.add(w.toLowerCase());
    out.push(w);
  }
  return out;
}

export function buildDomainPack(corpus: Corpus): DomainPackJson {
  const w = corpus.world;
  const answersOf = (relation: RelationId): string[] => corpus.facts.filter((f) => f.relation === relation).map((f) => f.answers[0]);
  const kinds: Record<string, string[]> = {
    country: distinct(w.countries),
    city: distinct(answersOf('capital')),
    language: distinct(w.languages),
    river: distinct(answersOf('river')),
    trade: distinct(TRADES),
    instrument: distinct(INSTRUMENTS),
    person: distinct(w.people),
    // recognised by form
    year: [],
  };
  for (const f of DESCARTES_FACTS) {
    if (f.kind === 'year') continue;
    kinds[f.kind] = distinct([...(kinds[f.kind] ?? []), ...f.answers]);
  }
  const frames: DomainFrame[] = Object.values(RELATIONS).map((r) => ({
    id: r.id, subjectKind: r.subjectKind, answerKind: r.answerKind, questions: [...r.questions], claim: r.claim, statements: [...r.statements],
  }));
  frames.push(...DESCARTES_FACTS.map(descartesFrame));
  return {
    format: 'cogito-domain',
    version: 1,
    name: 'cogito default world',
    vocabulary: {
      people: distinct([...w.people.map((p) => p.toLowerCase()), ...DESCARTES_PEOPLE]),
      works: distinct(DESCARTES_WORKS),
      places: distinct([...w.countries, ...answersOf('capital'), ...DESCARTES_PLACES]),
      kinds,
    },
    frames,
  };
}

/** The claim of a fact's frame filled with its first answer: the sentence the reference corpus holds. */
export function factSentence(fact: CorpusFact): string {
  if (fact.relation === 'descartes') {
    const f = DESCARTES_FACTS.find((d) => `descartes:${d.id}` === fact.id);
    if (!f) throw new Error(`no Descartes fact ${fact.id}`);
    return fill(descartesClaim(f), '', fact.answers[0]);
  }
  return fill(RELATIONS[fact.relation].claim, fact.subject ?? '', fact.answers[0]);
}

/** One passage per fact in the reference corpus, one sentence stating that fact. */
export function buildReferenceCorpus(corpus: Corpus): ReferencePassage[] {
  return corpus.facts.filter(inReferenceCorpus).map((f) => ({
    id: `world:${f.id}`,
    work: f.relation === 'descartes' ? DESCARTES_WORK : WORLD_WORK,
    section: f.subject ?? 'Descartes',
    atVolume: null,
    atPage: null,
    kind: 'fact',
    text: factSentence(f),
  }));
}

export function buildFactLines(corpus: Corpus): FactLine[] {
  return corpus.facts.map((f) => ({
    id: f.id,
    frame: f.relation === 'descartes' ? f.id : f.relation,
    subject: f.subject,
    answers: [...f.answers],
    bucket: f.bucket,
    repetitions: f.repetitions,
    heldout: f.split === 'heldout',
    inCorpus: inReferenceCorpus(f),
  }));
}

/** The three files' contents, byte for byte (JSON key order fixed by the builders above). */
export function domainFiles(corpus: Corpus): { domain: string; corpus: string; facts: string } {
  const jsonl = (xs: readonly object[]): string => xs.map((x) => JSON.stringify(x)).join('\n') + '\n';
  return {
    domain: `${JSON.stringify(buildDomainPack(corpus), null, 2)}\n`,
    corpus: jsonl(buildReferenceCorpus(corpus)),
    facts: jsonl(buildFactLines(corpus)),
  };
}
