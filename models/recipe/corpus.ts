/**
 * The corpus for the default model (issue 4 §1): training text about a generated world whose
 * entities follow a long tail (Zipf) of popularity — a popular country or person is written about
 * often, an obscure one rarely, and the least known never — plus real Descartes facts; and two
 * disjoint question sets, held-out (for eval) and sidecar-train (for collect/train), with
 * questions at every frequency bucket, including facts never seen in training.
 *
 * A question used for evaluation never appears verbatim in the training text: each fact
 * keeps one of its question phrasings back, and trains only on the others and on
 * statements. The same phrasing does train on other facts, so the form is familiar.
 *
 * The model also reads the sidecar's refusal phrase in a few plain statements (never as the
 * answer to a question), as a pretrained model knows the words "I don't know": the sidecar then
 * has to learn when to say it, not how.
 */
import type { PlainChatTemplate } from '../../src/engine/chat-template';
import { DEFAULT_REFUSAL } from '../../src/sidecar/create';
import { DESCARTES_FACTS } from './descartes';
import { createRng, type Rng } from './prng';
import { fill, generateWorld, RELATIONS, type RelationId, type World } from './world';

export type Bucket = 'frequent' | 'common' | 'uncommon' | 'rare' | 'unseen' | 'descartes';
export const BUCKETS: readonly Bucket[] = ['frequent', 'common', 'uncommon', 'rare', 'unseen', 'descartes'];

/** The prompt collect and eval give the model; training QA lines are this plus " answer". */
export function formatPrompt(question: string): string {
  return `Question: ${question}\nAnswer:`;
}

/**
 * formatPrompt as the plain chat template the model declares (cogito.chat_template): a user turn
 * is the question, the model's turn opens with "Answer:" and its reply is the text after it. A
 * reply ends with EOS in training; "\n" stops one that runs on. Later turns follow on new lines
 * (training saw one question per window: a longer conversation is the model's weak spot), and a
 * system message is a line of its own before them.
 */
export const DEFAULT_CHAT_TEMPLATE: PlainChatTemplate = {
  user: { prefix: 'Question: ', suffix: '\n' },
  assistant: { prefix: 'Answer:', suffix: '\n' },
  system: { prefix: '', suffix: '\n' },
  stop: ['\n'],
};

export function formatQa(question: string, answer: string): string {
  return `${formatPrompt(question)} ${answer}`;
}

export interface CorpusOptions {
  seed: number;
  countries?: number;
  people?: number;
  languages?: number;
  /** Share of the world's popularity ranking that never appears in training (subjects or facts, see `popularity`). */
  unseenShare?: number;
  /**
   * What the long tail ranks. 'entity' (default): countries and people; every fact of the subject
   * at rank r is repeated as often, and the unseen subjects are never written about (a country may
   * still be named as where someone lives), as a reader knows famous people well and has never
   * heard of others. 'fact': each fact on its own (the first default models).
   */
  popularity?: 'entity' | 'fact';
  /** Repetitions at rank r are min(max, floor((M / r)^s)) for M seen subjects (or facts). */
  zipfExponent?: number;
  maxRepetitions?: number;
  descartesRepetitions?: number;
  /** Share of each bucket's facts that go to the held-out set; the rest go to sidecar-train. */
  heldoutShare?: number;
  /** The refusal phrase the statements below use (the sidecar's default refusal). */
  refusal?: string;
  /** Times each refusal statement is in the training text per epoch (0: none). */
  refusalRepetitions?: number;
  /**
   * Times per epoch every country and person, the unseen ones included, is named in a statement
   * that says nothing about it ("There is a person called Aven."), as a reader has met names they
   * know nothing about: every name's token is trained, and an unfamiliar subject is a known kind of
   * thing without facts rather than an embedding training never touched (0: none).
   */
  mentions?: number;
}

/** Fact-free statements that only name a subject (see `mentions`). */
export const MENTION_STATEMENTS = {
  person: 'There is a person called {S}.',
  country: 'There is a country called {S}.',
} as const;

/** Plain statements that use the refusal phrase; none is a question and its answer. */
export const REFUSAL_STATEMENTS = [
  'Asked about a land beyond every map, the old sailor said: {r}',
  'When the records hold no answer, an honest scribe writes: {r}',
  'The student was asked what no book tells and replied: {r}',
  'Some things nobody has written down; the wise reply is: {r}',
];

export const DEFAULT_CORPUS_OPTIONS: Required<Omit<CorpusOptions, 'seed'>> = {
  countries: 90,
  people: 120,
  languages: 10,
  unseenShare: 0.3,
  popularity: 'entity',
  zipfExponent: 1.25,
  maxRepetitions: 48,
  descartesRepetitions: 12,
  heldoutShare: 0.4,
  refusal: DEFAULT_REFUSAL,
  refusalRepetitions: 6,
  mentions: 0,
};

export interface CorpusFact {
  id: string;
  /** 'descartes' for the real facts, else the world relation. */
  relation: RelationId | 'descartes';
  /** The world subject (a country or person); null for a Descartes fact. */
  subject: string | null;
  /** Every question phrasing, the held-back one included. */
  questions: string[];
  /** Declarative phrasings (training only). */
  statements: string[];
  /** Accepted answers; the first is the one trained. */
  answers: string[];
  /** Times the fact is rendered into the training text. */
  repetitions: number;
  bucket: Bucket;
  /** The phrasing kept back from training and asked in evaluation. */
  evalQuestion: string;
  split: 'heldout' | 'sidecar-train';
}

export interface QaLine {
  id: string;
  question: string;
  answers: string[];
  bucket: Bucket;
}

export interface CorpusStats {
  facts: number;
  trainingSamples: number;
  trainingChars: number;
  byBucket: Record<Bucket, { facts: number; heldout: number; sidecarTrain: number; repetitions: number }>;
}

export interface Corpus {
  options: Required<CorpusOptions>;
  /** The generated world the facts are about (its closed lists of names). */
  world: World;
  facts: CorpusFact[];
  /** Training documents in training order: "Question: ...\nAnswer: ..." or one statement. */
  samples: string[];
  heldout: QaLine[];
  sidecarTrain: QaLine[];
  stats: CorpusStats;
}

export function bucketFor(repetitions: number): Exclude<Bucket, 'descartes'> {
  if (repetitions >= 16) return 'frequent';
  if (repetitions >= 6) return 'common';
  if (repetitions >= 2) return 'uncommon';
  if (repetitions === 1) return 'rare';
  return 'unseen';
}

interface Draft {
  id: string;
  relation: CorpusFact['relation'];
  subject: string | null;
  answers: string[];
  questions: string[];
  statements: string[];
  repetitions: number;
  bucket: Bucket;
}

/** Renders `repetitions` training samples, cycling through a shuffled list of the allowed phrasings. */
export function render(rng: Rng, d: Pick<Draft, 'questions' | 'statements' | 'answers' | 'repetitions'>, evalQuestion: string): string[] {
  const options = rng.shuffle([
    ...d.questions.filter((q) => q !== evalQuestion).map((q) => formatQa(q, d.answers[0])),
    ...d.statements,
  ]);
  return Array.from({ length: d.repetitions }, (_, i) => options[i % options.length]);
}

export function generateCorpus(options: CorpusOptions): Corpus {
  // an option given as undefined keeps its default
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: Required<CorpusOptions> = { ...DEFAULT_CORPUS_OPTIONS, ...given } as Required<CorpusOptions>;
  if (o.heldoutShare <= 0 || o.heldoutShare >= 1) throw new RangeError('heldoutShare must be between 0 and 1');
  if (o.unseenShare < 0 || o.unseenShare >= 1) throw new RangeError('unseenShare must be in [0, 1)');
  if (!Number.isInteger(o.mentions) || o.mentions < 0) throw new RangeError('mentions must be an integer >= 0');
  const rng = createRng(o.seed);
  const world = generateWorld(rng.fork('world'), { countries: o.countries, people: o.people, languages: o.languages });

  // Long tail: a random order of the world's subjects (or facts) is the popularity ranking.
  const zipf = (rank: number, seen: number): number => (rank < seen ? Math.min(o.maxRepetitions, Math.floor((seen / (rank + 1)) ** o.zipfExponent)) : 0);
  let ranked: typeof world.facts;
  let repetitionsOf: (fact: (typeof world.facts)[number], rank: number) => number;
  if (o.popularity === 'entity') {
    const subjects = rng.fork('ranks').shuffle([...world.countries, ...world.people]);
    const seen = Math.round(subjects.length * (1 - o.unseenShare));
    const rank = new Map(subjects.map((s, i) => [s, i]));
    ranked = [...world.facts].sort((a, b) => rank.get(a.subject)! - rank.get(b.subject)!);
    repetitionsOf = (f) => zipf(rank.get(f.subject)!, seen);
  } else if (o.popularity === 'fact') {
    ranked = rng.fork('ranks').shuffle(world.facts);
    const seen = Math.round(ranked.length * (1 - o.unseenShare));
    repetitionsOf = (_f, i) => zipf(i, seen);
  } else {
    throw new RangeError(`popularity must be 'entity' or 'fact', not '${String(o.popularity)}'`);
  }
  const drafts: Draft[] = ranked.map((f, i) => {
    const repetitions = repetitionsOf(f, i);
    const rel = RELATIONS[f.relation];
    return {
      id: f.id,
      relation: f.relation,
      subject: f.subject,
      answers: [f.answer],
      questions: rel.questions.map((q) => fill(q, f.subject)),
      statements: rel.statements.map((s) => fill(s, f.subject, f.answer)),
      repetitions,
      bucket: bucketFor(repetitions),
    };
  });
  for (const f of DESCARTES_FACTS) {
    drafts.push({
      id: `descartes:${f.id}`,
      relation: 'descartes',
      subject: null,
      answers: [...f.answers],
      questions: [...f.questions],
      statements: [...f.statements],
      repetitions: o.descartesRepetitions,
      bucket: 'descartes',
    });
  }

  // Per bucket, a share of the facts is held out for eval and the rest feeds the sidecar.
  const splitRng = rng.fork('splits');
  const split = new Map<string, CorpusFact['split']>();
  for (const bucket of BUCKETS) {
    const ids = splitRng.shuffle(drafts.filter((d) => d.bucket === bucket).map((d) => d.id));
    const nHeld = Math.round(ids.length * o.heldoutShare);
    ids.forEach((id, i) => split.set(id, i < nHeld ? 'heldout' : 'sidecar-train'));
  }

  const phraseRng = rng.fork('phrasing');
  const facts: CorpusFact[] = [];
  const samples: string[] = [];
  for (const d of drafts) {
    const evalQuestion = phraseRng.pick(d.questions);
    samples.push(...render(phraseRng, d, evalQuestion));
    facts.push({
      id: d.id,
      relation: d.relation,
      subject: d.subject,
      questions: d.questions,
      statements: d.statements,
      answers: d.answers,
      repetitions: d.repetitions,
      bucket: d.bucket,
      evalQuestion,
      split: split.get(d.id) ?? 'sidecar-train',
    });
  }
  for (const t of REFUSAL_STATEMENTS) {
    for (let i = 0; i < o.refusalRepetitions; i++) samples.push(t.replace('{r}', o.refusal));
  }
  for (let i = 0; i < o.mentions; i++) {
    for (const c of world.countries) samples.push(MENTION_STATEMENTS.country.replace('{S}', c));
    for (const p of world.people) samples.push(MENTION_STATEMENTS.person.replace('{S}', p));
  }
  const ordered = rng.fork('order').shuffle(samples);

  const qa = (which: CorpusFact['split']): QaLine[] =>
    facts.filter((f) => f.split === which).map((f) => ({ id: f.id, question: f.evalQuestion, answers: f.answers, bucket: f.bucket }));
  const heldout = qa('heldout');
  const sidecarTrain = qa('sidecar-train');

  const byBucket = Object.fromEntries(
    BUCKETS.map((b) => {
      const fs = facts.filter((f) => f.bucket === b);
      return [
        b,
        {
          facts: fs.length,
          heldout: heldout.filter((q) => q.bucket === b).length,
          sidecarTrain: sidecarTrain.filter((q) => q.bucket === b).length,
          repetitions: fs.reduce((s, f) => s + f.repetitions, 0),
        },
      ];
    }),
  ) as CorpusStats['byBucket'];

  return {
    options: o,
    world,
    facts,
    samples: ordered,
    heldout,
    sidecarTrain,
    stats: {
      facts: facts.length,
      trainingSamples: ordered.length,
      trainingChars: ordered.reduce((s, x) => s + x.length + 2, 0),
      byBucket,
    },
  };
}

/** The training text: samples separated by a blank line. */
export function trainingText(corpus: Corpus): string {
  return `${corpus.samples.join('\n\n')}\n`;
}

export function toJsonl(lines: readonly QaLine[]): string {
  return lines.map((l) => JSON.stringify({ question: l.question, answers: l.answers, bucket: l.bucket, id: l.id })).join('\n') + '\n';
}
