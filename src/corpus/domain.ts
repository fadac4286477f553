/**
 * Domain packs (`models/default.domain.json`, format in docs/domain-pack.md): a domain's vocabulary
 * (people, works, places, closed word lists by kind) and its question frames, each a relation with
 * its question phrasings, the claim an answer makes and the statements that state it. Everything
 * read from a file is checked here, field by field, before any other part of cogito sees it.
 */
import { readFileSync } from 'node:fs';
import { NotFoundError } from '../util/errors';
import { InvalidDomainPackError } from './errors';
import type { DomainVocabulary } from './types';

/** One relation of the domain: how it is asked, and how an answer to it is stated. */
export interface Frame {
  /** Stable id, e.g. "capital" or "descartes:discourse-year". */
  id: string;
  /** The kind (a key of the vocabulary's `kinds`) the subject belongs to; null when the frame has no subject slot. */
  subjectKind: string | null;
  /** The kind every answer belongs to. */
  answerKind: string;
  /** Question phrasings; `{S}` is the subject slot (present exactly when subjectKind is set). */
  questions: readonly string[];
  /** The one fact an answer states: `{S}` subject, `{A}` answer. */
  claim: string;
  /** Every declarative phrasing of the fact (the claim among them or not). */
  statements: readonly string[];
}

export interface DomainPack {
  format: 'cogito-domain';
  version: 1;
  name: string;
  vocabulary: DomainVocabulary;
  frames: readonly Frame[];
  /** Where the pack was read from (a path, or a caller's label), for messages. */
  origin: string;
}

export const DOMAIN_FORMAT = 'cogito-domain';
export const DOMAIN_VERSION = 1;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads one field after another, naming the file and the field's path in every error. */
class Reader {
  constructor(private readonly origin: string) {}

  fail(field: string, what: string): never {
    throw new InvalidDomainPackError(`${this.origin}: ${field}: ${what}`);
  }

  object(v: unknown, field: string): Obj {
    if (!isObject(v)) this.fail(field, 'must be an object');
    return v;
  }

  text(v: unknown, field: string): string {
    if (typeof v !== 'string' || !v.trim()) this.fail(field, 'must be a non-empty string');
    if (v.includes('\u0000')) this.fail(field, 'must not contain NUL');
    return v;
  }

  texts(v: unknown, field: string, opts: { nonEmpty?: boolean } = {}): string[] {
    if (!Array.isArray(v)) this.fail(field, 'must be an array of strings');
    if (opts.nonEmpty && v.length === 0) this.fail(field, 'must not be empty');
    const out = v.map((x, i) => this.text(x, `${field}[${i}]`));
    const seen = new Set<string>();
    out.forEach((x, i) => {
      const key = x.toLowerCase();
      if (seen.has(key)) this.fail(`${field}[${i}]`, `"${x}" is listed twice`);
      seen.add(key);
    });
    return out;
  }
}

const SLOT = /\{([^{}]*)\}/g;

/** Checks a template's slots: `{A}` exactly `answer` times, `{S}` exactly once when the frame has a subject, nothing else. */
function checkSlots(r: Reader, template: string, field: string, subject: boolean, answer: 0 | 1): void {
  let s = 0;
  let a = 0;
  for (const m of template.matchAll(SLOT)) {
    if (m[1] === 'S') s++;
    else if (m[1] === 'A') a++;
    else r.fail(field, `unknown slot {${m[1]}} (only {S} and {A})`);
  }
  if (subject && s !== 1) r.fail(field, `must hold the subject slot {S} exactly once (found ${s})`);
  if (!subject && s !== 0) r.fail(field, 'has a {S} slot but the frame has no subjectKind');
  if (a !== answer) r.fail(field, answer ? `must hold the answer slot {A} exactly once (found ${a})` : 'must not hold the answer slot {A}');
  if (/\{S\}\s*\{A\}|\{A\}\s*\{S\}/.test(template)) r.fail(field, 'the slots {S} and {A} must be separated by words');
}

/** Validates a vocabulary (people lower case, kinds as closed word lists). `field` prefixes messages. */
export function parseVocabulary(json: unknown, origin: string, field = 'vocabulary'): DomainVocabulary {
  const r: Reader = new Reader(origin);
  const v = r.object(json, field);
  const people = r.texts(v.people, `${field}.people`);
  people.forEach((p, i) => {
    if (p !== p.toLowerCase()) r.fail(`${field}.people[${i}]`, `"${p}" must be lower case`);
  });
  const works = r.texts(v.works, `${field}.works`);
  const places = r.texts(v.places, `${field}.places`);
  const rawKinds = r.object(v.kinds, `${field}.kinds`);
  const kinds: Record<string, readonly string[]> = {};
  for (const [name, list] of Object.entries(rawKinds)) {
    if (!/^[a-z][a-z0-9_-]*$/.test(name)) r.fail(`${field}.kinds`, `kind name "${name}" must be lower case letters, digits, - or _`);
    kinds[name] = Object.freeze(r.texts(list, `${field}.kinds.${name}`));
  }
  for (const k of Object.keys(v)) {
    if (!['people', 'works', 'places', 'kinds'].includes(k)) r.fail(`${field}.${k}`, 'unknown field');
  }
  return { people: Object.freeze(people), works: Object.freeze(works), places: Object.freeze(places), kinds: Object.freeze(kinds) };
}

function parseFrame(r: Reader, json: unknown, field: string, kinds: Readonly<Record<string, readonly string[]>>): Frame {
  const f = r.object(json, field);
  const id = r.text(f.id, `${field}.id`);
  if (f.subjectKind !== null && typeof f.subjectKind !== 'string') r.fail(`${field}.subjectKind`, 'must be a kind name or null');
  const subjectKind = f.subjectKind as string | null;
  if (subjectKind !== null && !(subjectKind in kinds)) r.fail(`${field}.subjectKind`, `"${subjectKind}" is not a kind of vocabulary.kinds`);
  if (subjectKind !== null && kinds[subjectKind].length === 0) r.fail(`${field}.subjectKind`, `kind "${subjectKind}" lists no words`);
  const answerKind = r.text(f.answerKind, `${field}.answerKind`);
  if (!(answerKind in kinds)) r.fail(`${field}.answerKind`, `"${answerKind}" is not a kind of vocabulary.kinds`);
  const questions = r.texts(f.questions, `${field}.questions`, { nonEmpty: true });
  questions.forEach((q, i) => checkSlots(r, q, `${field}.questions[${i}]`, subjectKind !== null, 0));
  const claim = r.text(f.claim, `${field}.claim`);
  checkSlots(r, claim, `${field}.claim`, subjectKind !== null, 1);
  const statements = r.texts(f.statements, `${field}.statements`, { nonEmpty: true });
  statements.forEach((s, i) => checkSlots(r, s, `${field}.statements[${i}]`, subjectKind !== null, 1));
  for (const k of Object.keys(f)) {
    if (!['id', 'subjectKind', 'answerKind', 'questions', 'claim', 'statements'].includes(k)) r.fail(`${field}.${k}`, 'unknown field');
  }
  return Object.freeze({ id, subjectKind, answerKind, questions: Object.freeze(questions), claim, statements: Object.freeze(statements) });
}

/** Validates a parsed domain pack; `origin` (a path or a label) names it in every error. */
export function parseDomainPack(json: unknown, origin: string): DomainPack {
  const r: Reader = new Reader(origin);
  const o = r.object(json, '(top level)');
  if (o.format !== DOMAIN_FORMAT) r.fail('format', `must be "${DOMAIN_FORMAT}"`);
  if (o.version !== DOMAIN_VERSION) r.fail('version', `must be ${DOMAIN_VERSION} (found ${JSON.stringify(o.version)})`);
  const name = r.text(o.name, 'name');
  const vocabulary = parseVocabulary(o.vocabulary, origin);
  if (!Array.isArray(o.frames)) r.fail('frames', 'must be an array of frames');
  const frames = o.frames.map((f, i) => parseFrame(r, f, `frames[${i}]`, vocabulary.kinds));
  const ids = new Set<string>();
  frames.forEach((f, i) => {
    if (ids.has(f.id)) r.fail(`frames[${i}].id`, `"${f.id}" is used by an earlier frame`);
    ids.add(f.id);
  });
  for (const k of Object.keys(o)) {
    if (!['format', 'version', 'name', 'vocabulary', 'frames'].includes(k)) r.fail(k, 'unknown field');
  }
  return Object.freeze({ format: DOMAIN_FORMAT, version: DOMAIN_VERSION, name, vocabulary, frames: Object.freeze(frames), origin });
}

/** Reads and validates a domain pack file. */
export function loadDomainPack(path: string): DomainPack {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`${path}: no such domain pack`);
    throw new InvalidDomainPackError(`${path}: cannot read: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidDomainPackError(`${path}: not JSON: ${(err as Error).message}`);
  }
  return parseDomainPack(json, path);
}

/** The frame with this id, or null. */
export function frameById(pack: DomainPack, id: string): Frame | null {
  return pack.frames.find((f) => f.id === id) ?? null;
}
