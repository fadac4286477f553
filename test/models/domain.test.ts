import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  DEFAULT_WORLD,
  DESCARTES_FACTS,
  REFERENCE_BUCKETS,
  RELATIONS,
  domainFiles,
  fill,
  generateCorpus,
  toJsonl,
  type DomainPackJson,
  type FactLine,
  type ReferencePassage,
} from '../../models/recipe';
import { loadDomainPack } from '../../src/corpus';

const models = path.join(__dirname, '..', '..', 'models');
const read = (name: string): string => readFileSync(path.join(models, name), 'utf8');
const jsonl = <T>(text: string): T[] => text.trimEnd().split('\n').map((l) => JSON.parse(l) as T);

const corpus = generateCorpus(DEFAULT_WORLD);
const domainText = read('default.domain.json');
const corpusText = read('default.corpus.jsonl');
const factsText = read('default.facts.jsonl');
const pack = JSON.parse(domainText) as DomainPackJson;
const passages = jsonl<ReferencePassage>(corpusText);
const facts = jsonl<FactLine>(factsText);
const heldout = jsonl<{ id: string; question: string; answers: string[]; bucket: string }>(read('default.heldout.jsonl'));
const frames = new Map(pack.frames.map((f) => [f.id, f]));
const kindHas = (kind: string, answer: string): boolean =>
  kind === 'year' ? /^\d{3,4}$/.test(answer) : (pack.vocabulary.kinds[kind] ?? []).some((w) => w.toLowerCase() === answer.toLowerCase());

describe('the default world as data (models/default.domain.json, default.corpus.jsonl, default.facts.jsonl)', () => {
  test('is the world the default model was trained on: the recipe regenerates its held-out file byte for byte', () => {
    expect(toJsonl(corpus.heldout)).toBe(read('default.heldout.jsonl'));
    expect(toJsonl(corpus.sidecarTrain)).toBe(read('default.sidecar-train.jsonl'));
  });

  test('the shipped files are what the recipe writes, byte for byte (and it writes the same twice)', () => {
    const files = domainFiles(corpus);
    expect(files.domain).toBe(domainText);
    expect(files.corpus).toBe(corpusText);
    expect(files.facts).toBe(factsText);
    expect(domainFiles(generateCorpus(DEFAULT_WORLD))).toEqual(files);
  });

  test('facts: one per fact of the world, ids and answers as in the held-out file, flagged held-out exactly when there', () => {
    expect(facts).toHaveLength(corpus.facts.length);
    expect(new Set(facts.map((f) => f.id)).size).toBe(facts.length);
    const byId = new Map(facts.map((f) => [f.id, f]));
    for (const q of heldout) {
      const f = byId.get(q.id);
      expect(f).toBeDefined();
      expect(f!.answers).toEqual(q.answers);
      expect(f!.bucket).toBe(q.bucket);
    }
    expect(facts.filter((f) => f.heldout).map((f) => f.id).sort()).toEqual(heldout.map((q) => q.id).sort());
    for (const f of facts) {
      expect(frames.has(f.frame)).toBe(true);
      expect(f.subject === null).toBe(f.frame.startsWith('descartes:'));
    }
  });

  test('one frame per world relation and per Descartes fact; a claim has its slots once each', () => {
    // the library's own reader accepts it, field by field
    expect(loadDomainPack(path.join(models, 'default.domain.json')).frames).toHaveLength(pack.frames.length);
    expect(pack.format).toBe('cogito-domain');
    expect(pack.version).toBe(1);
    expect(pack.frames.map((f) => f.id)).toEqual([...Object.keys(RELATIONS), ...DESCARTES_FACTS.map((f) => `descartes:${f.id}`)]);
    for (const f of pack.frames) {
      expect(f.claim.split('{A}')).toHaveLength(2);
      expect(f.claim.split('{S}')).toHaveLength(f.subjectKind === null ? 1 : 2);
      expect(f.questions.length).toBeGreaterThanOrEqual(2);
      for (const q of f.questions) expect(q.includes('{S}')).toBe(f.subjectKind !== null);
      expect(f.statements).toContain(f.claim);
      expect(f.answerKind in pack.vocabulary.kinds).toBe(true);
    }
  });

  test('kind lists are closed and name each word once; every held-out answer is in its frame\'s answer kind, every subject in its subject kind', () => {
    for (const [kind, words] of Object.entries(pack.vocabulary.kinds)) {
      expect(new Set(words.map((w) => w.toLowerCase())).size).toBe(words.length);
      if (kind !== 'year') expect(words.length).toBeGreaterThan(0);
    }
    for (const p of pack.vocabulary.people) expect(p).toBe(p.toLowerCase());
    const byId = new Map(facts.map((f) => [f.id, f]));
    for (const q of heldout) {
      const fact = byId.get(q.id)!;
      const frame = frames.get(fact.frame)!;
      for (const a of q.answers) expect([q.id, a, kindHas(frame.answerKind, a)]).toEqual([q.id, a, true]);
      if (frame.subjectKind !== null) expect(kindHas(frame.subjectKind, fact.subject!)).toBe(true);
    }
    // a wrong answer of the right kind exists for every frame (the kinds are what a contradiction is judged by)
    expect(kindHas('city', 'Leiden')).toBe(false);
    expect(kindHas('year', 'Leiden')).toBe(false);
  });

  test('reference corpus: exactly the facts of the rule (frequent, common, uncommon, Descartes), one passage each, saying the claim', () => {
    expect(REFERENCE_BUCKETS).toEqual(['frequent', 'common', 'uncommon', 'descartes']);
    const inCorpus = facts.filter((f) => f.inCorpus);
    expect(inCorpus.map((f) => f.id).sort()).toEqual(facts.filter((f) => REFERENCE_BUCKETS.includes(f.bucket)).map((f) => f.id).sort());
    expect(facts.some((f) => f.bucket === 'rare' && f.inCorpus)).toBe(false);
    expect(facts.some((f) => f.bucket === 'unseen' && f.inCorpus)).toBe(false);
    const byId = new Map(facts.map((f) => [f.id, f]));
    for (const p of passages) {
      expect(p.id.startsWith('world:')).toBe(true);
      expect(byId.get(p.id.slice('world:'.length))?.inCorpus).toBe(true);
      expect(p.kind).toBe('fact');
      // one sentence per passage
      expect(p.text.match(/[.!?](\s|$)/g)).toHaveLength(1);
    }
    const texts = new Set(passages.map((p) => p.text));
    expect(passages).toHaveLength(inCorpus.length);
    for (const f of inCorpus) {
      const sentence = fill(frames.get(f.frame)!.claim, f.subject ?? '', f.answers[0]);
      expect([f.id, texts.has(sentence)]).toEqual([f.id, true]);
    }
    // a rare fact is the oracle's, not the corpus's
    const rare = facts.find((f) => f.bucket === 'rare')!;
    expect(texts.has(fill(frames.get(rare.frame)!.claim, rare.subject ?? '', rare.answers[0]))).toBe(false);
  });
});
