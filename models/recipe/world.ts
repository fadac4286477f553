/**
 * The generated world: invented countries and people with attributes. Each attribute is one
 * fact with question phrasings (one of them is kept back for evaluation) and statement
 * phrasings (training only). Answers are single words so they are 1–3 tokens.
 */
import { createNameSource } from './names';
import type { Rng } from './prng';

export interface Relation {
  id: string;
  /** What the subject and the answer are: kinds of the domain pack (models/recipe/domain.ts). */
  subjectKind: 'country' | 'person';
  answerKind: 'city' | 'language' | 'river' | 'country' | 'trade' | 'instrument';
  /** Question phrasings; `{S}` is the subject. */
  questions: readonly string[];
  /** Declarative phrasings; `{S}` subject, `{A}` answer. */
  statements: readonly string[];
  /** The statement that says exactly the one fact (one of `statements`): the reference corpus's sentence. */
  claim: string;
}

export const RELATIONS = {
  capital: {
    id: 'capital',
    subjectKind: 'country',
    answerKind: 'city',
    questions: ['What is the capital of {S}?', 'Which city is the capital of {S}?', 'Name the capital city of {S}.'],
    statements: ['The capital of {S} is {A}.', '{A} is the capital of {S}.'],
    claim: 'The capital of {S} is {A}.',
  },
  language: {
    id: 'language',
    subjectKind: 'country',
    answerKind: 'language',
    questions: ['What language is spoken in {S}?', 'Which language do the people of {S} speak?', 'What is the main language of {S}?'],
    statements: ['People in {S} speak {A}.', 'The language of {S} is {A}.'],
    claim: 'The language of {S} is {A}.',
  },
  river: {
    id: 'river',
    subjectKind: 'country',
    answerKind: 'river',
    questions: ['Which river flows through {S}?', 'What river runs through {S}?', 'Name the river of {S}.'],
    statements: ['The river {A} flows through {S}.', '{S} lies on the river {A}.'],
    claim: 'The river {A} flows through {S}.',
  },
  home: {
    id: 'home',
    subjectKind: 'person',
    answerKind: 'country',
    questions: ['Where does {S} live?', 'In which country does {S} live?', 'What country is {S} from?'],
    statements: ['{S} lives in {A}.', '{S} comes from {A}.'],
    claim: '{S} lives in {A}.',
  },
  trade: {
    id: 'trade',
    subjectKind: 'person',
    answerKind: 'trade',
    questions: ["What is {S}'s trade?", 'What does {S} do for a living?', 'What work does {S} do?'],
    statements: ['{S} works as a {A}.', '{S} is a {A} by trade.'],
    claim: '{S} works as a {A}.',
  },
  instrument: {
    id: 'instrument',
    subjectKind: 'person',
    answerKind: 'instrument',
    questions: ['Which instrument does {S} play?', 'What instrument does {S} play?', 'What does {S} play?'],
    statements: ['{S} plays the {A}.', '{S} is known for playing the {A}.'],
    claim: '{S} plays the {A}.',
  },
} as const satisfies Record<string, Relation>;

export type RelationId = keyof typeof RELATIONS;

/** Invented language names must not be English words ending in -ish. */
const REAL_ISH = new Set(['garish', 'parish', 'perish', 'banish', 'vanish', 'famish', 'relish', 'polish', 'finish', 'punish', 'lavish', 'ravish', 'radish', 'danish', 'irish', 'amish', 'dish', 'fish', 'wish']);

/** Common trades and instruments: a small closed set, so unseen facts can still be guessed by luck. */
export const TRADES = ['baker', 'weaver', 'potter', 'smith', 'fisher', 'miller', 'mason', 'tailor', 'farmer', 'sailor', 'healer', 'scribe'];
export const INSTRUMENTS = ['harp', 'flute', 'drum', 'lute', 'horn', 'fiddle', 'bell', 'pipe'];

export interface WorldFact {
  id: string;
  relation: RelationId;
  subject: string;
  answer: string;
}

export interface World {
  countries: string[];
  people: string[];
  languages: string[];
  facts: WorldFact[];
}

export interface WorldSize {
  countries: number;
  people: number;
  /** Languages shared among the countries. */
  languages: number;
}

export function generateWorld(rng: Rng, size: WorldSize): World {
  const names = createNameSource(rng.fork('names'));
  const take = (n: number): string[] => Array.from({ length: n }, () => names.next());
  const countries = take(size.countries);
  const people = take(size.people);
  const languages: string[] = [];
  while (languages.length < size.languages) {
    const lang = `${names.next().replace(/[aeiou]+$/, '')}ish`; // "Trovia" → "Trovish"
    if (!languages.includes(lang) && !REAL_ISH.has(lang.toLowerCase())) languages.push(lang);
  }
  const facts: WorldFact[] = [];
  const add = (relation: RelationId, subject: string, answer: string): void => {
    facts.push({ id: `${relation}:${subject}`, relation, subject, answer });
  };
  for (const c of countries) {
    add('capital', c, names.next());
    add('river', c, names.next());
    add('language', c, rng.pick(languages));
  }
  for (const p of people) {
    add('home', p, rng.pick(countries));
    add('trade', p, rng.pick(TRADES));
    add('instrument', p, rng.pick(INSTRUMENTS));
  }
  return { countries, people, languages, facts };
}

export function fill(template: string, subject: string, answer = ''): string {
  return template.replace(/\{S\}/g, subject).replace(/\{A\}/g, answer);
}
