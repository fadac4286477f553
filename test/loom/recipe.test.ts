import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseQaJsonl } from '../../src/loom/judge';
import {
  BUCKETS,
  bucketFor,
  createRng,
  DESCARTES_FACTS,
  formatPrompt,
  generateCorpus,
  RELATIONS,
  trainingText,
  writeCorpus,
} from '../../models/recipe';

const corpus = generateCorpus({ seed: 1 });
const text = trainingText(corpus);

describe('prng', () => {
  test('same seed, same stream; other seed or fork, another stream', () => {
    const draw = (seed: number): number[] => {
      const r = createRng(seed);
      return Array.from({ length: 5 }, () => r.int(1000));
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(createRng(1).fork('a').next()).not.toBe(createRng(1).fork('b').next());
  });
  test('int is roughly uniform', () => {
    const r = createRng(9);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40000; i++) counts[r.int(4)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
  });
});

describe('generateCorpus', () => {
  test('is deterministic for a seed and changes with it', () => {
    const again = generateCorpus({ seed: 1 });
    expect(again.samples).toEqual(corpus.samples);
    expect(again.heldout).toEqual(corpus.heldout);
    expect(again.sidecarTrain).toEqual(corpus.sidecarTrain);
    const other = generateCorpus({ seed: 2 });
    expect(other.samples).not.toEqual(corpus.samples);
    expect(other.heldout.map((q) => q.question)).not.toEqual(corpus.heldout.map((q) => q.question));
  });

  test('held-out and sidecar-train are disjoint, by question and by fact', () => {
    const held = new Set(corpus.heldout.map((q) => q.question));
    const heldIds = new Set(corpus.heldout.map((q) => q.id));
    expect(held.size).toBe(corpus.heldout.length);
    for (const q of corpus.sidecarTrain) {
      expect(held.has(q.question)).toBe(false);
      expect(heldIds.has(q.id)).toBe(false);
    }
    expect(corpus.heldout.length + corpus.sidecarTrain.length).toBe(corpus.facts.length);
  });

  test('no evaluation question appears in the training text', () => {
    for (const q of [...corpus.heldout, ...corpus.sidecarTrain]) expect(text.includes(q.question)).toBe(false);
  });

  test('every bucket has held-out and sidecar-train questions, and the bucket matches the repetitions', () => {
    for (const b of BUCKETS) {
      expect(corpus.stats.byBucket[b].heldout).toBeGreaterThanOrEqual(10);
      expect(corpus.stats.byBucket[b].sidecarTrain).toBeGreaterThanOrEqual(10);
    }
    for (const f of corpus.facts) if (f.bucket !== 'descartes') expect(bucketFor(f.repetitions)).toBe(f.bucket);
  });

  test('frequencies follow a long tail: many rare facts, few frequent ones, repetitions fall with rank', () => {
    const s = corpus.stats.byBucket;
    expect(s.rare.facts).toBeGreaterThan(s.uncommon.facts);
    expect(s.uncommon.facts).toBeGreaterThan(s.common.facts);
    expect(s.frequent.repetitions).toBeGreaterThan(s.rare.repetitions);
    const reps = corpus.facts.filter((f) => f.relation !== 'descartes').map((f) => f.repetitions);
    expect(reps[0]).toBe(corpus.options.maxRepetitions); // facts come in rank order
    for (let i = 1; i < reps.length; i++) expect(reps[i]).toBeLessThanOrEqual(reps[i - 1]);
  });

  test('each fact is rendered exactly as often as its repetitions say', () => {
    const countOf = (name: string): number => corpus.samples.filter((s) => new RegExp(`\\b${name}\\b`).test(s)).length;
    const capitals = corpus.facts.filter((f) => f.relation === 'capital').slice(0, 40);
    for (const f of capitals) {
      // a capital's name is unique to its fact, so its samples are exactly those naming it
      expect(countOf(f.answers[0])).toBe(f.repetitions);
    }
  });

  test('unseen facts never reach the training text', () => {
    const unseenUnique = corpus.facts.filter((f) => f.bucket === 'unseen' && (f.relation === 'capital' || f.relation === 'river'));
    expect(unseenUnique.length).toBeGreaterThan(5);
    for (const f of unseenUnique) expect(new RegExp(`\\b${f.answers[0]}\\b`).test(text)).toBe(false);
  });

  test('popularity is per entity: a subject\'s facts share their repetitions; unseen people are never named', () => {
    const bySubject = new Map<string, Set<number>>();
    for (const f of corpus.facts) {
      if (f.relation === 'descartes') continue;
      const subject = f.id.slice(f.id.indexOf(':') + 1);
      bySubject.set(subject, (bySubject.get(subject) ?? new Set()).add(f.repetitions));
    }
    for (const [subject, reps] of bySubject) expect([subject, reps.size]).toEqual([subject, 1]);
    // people are never an answer, so an unseen person's name is nowhere in the text
    const unseenPeople = corpus.facts.filter((f) => f.relation === 'trade' && f.bucket === 'unseen').map((f) => f.id.slice('trade:'.length));
    expect(unseenPeople.length).toBeGreaterThan(5);
    for (const p of unseenPeople) expect([p, new RegExp(`\\b${p}\\b`).test(text)]).toEqual([p, false]);
    // per-fact popularity (the first default models) still exists, and mixes buckets within a subject
    const perFact = generateCorpus({ seed: 1, popularity: 'fact' });
    const mixed = new Map<string, Set<string>>();
    for (const f of perFact.facts) if (f.relation !== 'descartes') mixed.set(f.id.slice(f.id.indexOf(':') + 1), (mixed.get(f.id.slice(f.id.indexOf(':') + 1)) ?? new Set()).add(f.bucket));
    expect([...mixed.values()].some((b) => b.size > 1)).toBe(true);
  });

  test('answers are short and every phrasing keeps one question back', () => {
    for (const q of [...corpus.heldout, ...corpus.sidecarTrain]) {
      expect(q.answers[0].split(/\s+/).length).toBeLessThanOrEqual(3);
      expect(q.question.endsWith('?') || q.question.endsWith('.')).toBe(true);
    }
    for (const rel of Object.values(RELATIONS)) expect(rel.questions.length).toBeGreaterThanOrEqual(2);
    for (const f of DESCARTES_FACTS) {
      expect(f.questions.length).toBeGreaterThanOrEqual(2);
      expect(f.statements.length).toBeGreaterThanOrEqual(1);
    }
  });

  test('QA samples use the prompt format collect will ask with', () => {
    const qa = corpus.samples.filter((s) => s.startsWith('Question: '));
    expect(qa.length).toBeGreaterThan(corpus.samples.length / 3);
    for (const s of qa.slice(0, 50)) {
      const [q, a] = s.split('\nAnswer: ');
      expect(s.startsWith(formatPrompt(q.slice('Question: '.length)))).toBe(true);
      expect(a.length).toBeGreaterThan(0);
    }
  });

  test('Descartes facts are all trained and split between the two question sets', () => {
    const d = corpus.facts.filter((f) => f.bucket === 'descartes');
    expect(d).toHaveLength(DESCARTES_FACTS.length);
    expect(text).toContain('Thomas Hobbes wrote the Third Objections.');
    expect(corpus.heldout.some((q) => q.bucket === 'descartes')).toBe(true);
  });

  test('the refusal phrase is read in statements, never as the answer to a question', () => {
    const refusal = corpus.options.refusal;
    const uses = corpus.samples.filter((s) => s.includes(refusal));
    expect(uses.length).toBe(4 * corpus.options.refusalRepetitions);
    for (const s of uses) expect(s.startsWith('Question: ')).toBe(false);
    expect(corpus.samples.some((s) => s.startsWith('Question: ') && s.includes(refusal))).toBe(false);
    expect(generateCorpus({ seed: 1, refusalRepetitions: 0 }).samples.some((s) => s.includes(refusal))).toBe(false);
  });

  test('mentions name every country and person, the unseen ones included, and add nothing else', () => {
    const withMentions = generateCorpus({ seed: 1, mentions: 2 });
    const mention = /^There is a (person|country) called (\S+)\.$/;
    const named = withMentions.samples.map((s) => mention.exec(s)?.[2]).filter((n): n is string => !!n);
    const options = withMentions.options;
    expect(named).toHaveLength(2 * (options.countries + options.people));
    const times = new Map<string, number>();
    for (const n of named) times.set(n, (times.get(n) ?? 0) + 1);
    expect([...times.values()].every((t) => t === 2)).toBe(true);
    // the subject of every unseen question is among the names
    const unseen = [...withMentions.heldout, ...withMentions.sidecarTrain].filter((q) => q.bucket === 'unseen');
    expect(unseen.length).toBeGreaterThan(0);
    for (const q of unseen) expect([q.question, q.question.split(/[ ?.]|'s/).some((w) => times.has(w))]).toEqual([q.question, true]);
    // the rest of the training text, the facts, splits and questions are those without mentions
    expect(withMentions.samples.filter((s) => !mention.test(s)).sort()).toEqual([...corpus.samples].sort());
    expect(withMentions.heldout).toEqual(corpus.heldout);
    expect(corpus.samples.some((s) => mention.test(s))).toBe(false);
    expect(() => generateCorpus({ seed: 1, mentions: -1 })).toThrow(RangeError);
  });

  test('stays small: a few thousand training samples', () => {
    expect(corpus.stats.trainingSamples).toBeGreaterThan(2000);
    expect(corpus.stats.trainingSamples).toBeLessThan(8000);
  });
});

test('writeCorpus writes files the loom dataset parser reads', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'cogito-recipe-'));
  try {
    const { files } = await writeCorpus(dir, { seed: 1 });
    const held = parseQaJsonl(await fsp.readFile(files.heldout, 'utf8'), files.heldout);
    expect(held.map((q) => q.question)).toEqual(corpus.heldout.map((q) => q.question));
    expect(held[0].bucket).toBeDefined();
    const side = parseQaJsonl(await fsp.readFile(files.sidecarTrain, 'utf8'), files.sidecarTrain);
    expect(side).toHaveLength(corpus.sidecarTrain.length);
    expect(await fsp.readFile(files.text, 'utf8')).toBe(text);
    const stats = JSON.parse(await fsp.readFile(files.stats, 'utf8')) as { options: { seed: number } };
    expect(stats.options.seed).toBe(1);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});
