import { Vks, seedVks } from '../../src/vks';

/**
 * From the original design's benchmark table: 20 phrasings of the Cogito, at least 18 VKS
 * hits once the store is seeded. Exact hits include the seeded renderings (Latin, French,
 * "I exist"); the rest must come through the fuzzy stage. Two phrasings are known misses
 * (a bare "since" clause and a paraphrase of the conclusion), kept so the figure is honest.
 */
const PHRASINGS = [
  'I think, therefore I am.',
  'i think therefore i am',
  'I THINK — THEREFORE I AM!',
  'Cogito ergo sum',
  'Je pense donc je suis',
  'Ego cogito ergo sum',
  'I think therefore I exist',
  'I think, hence I am.',
  'I think; thus I am.',
  'I think, so I am.',
  'I think, ergo I am.',
  'I think; consequently, I exist.',
  'I think, accordingly I exist.',
  'I think, and therefore I am.',
  'I am thinking, therefore I exist.',
  'I am thinking, hence I am.',
  "I'm thinking, therefore I am.",
  'Thinking, therefore I am.',
  'Since I think, I am.',
  'I am a thinking thing, therefore I exist.',
];

/** Different claims that share most words with the Cogito: none may be answered by it. */
const NOT_THE_COGITO = [
  'I am, therefore I think.',
  'I doubt, therefore I am.',
  'I think, therefore God exists.',
  'I walk, therefore I am.',
  'I think, therefore I am not.',
];

describe('Cogito phrasings against a seeded VKS', () => {
  const vks = Vks.open(':memory:');
  seedVks(vks);
  const cogito = vks.lookup('I think, therefore I am.')!.record;
  afterAll(() => vks.close());

  test('at least 18 of 20 phrasings hit the Cogito record', () => {
    const results = PHRASINGS.map((p) => ({ p, hit: vks.lookup(p) }));
    const hits = results.filter((r) => r.hit?.record.id === cogito.id);
    expect(PHRASINGS).toHaveLength(20);
    expect(hits.length).toBeGreaterThanOrEqual(18);
    expect(new Set(hits.map((h) => h.hit!.via))).toEqual(new Set(['exact', 'fuzzy']));
  });

  test.each(NOT_THE_COGITO)('%s is not answered by the Cogito', (p) => {
    expect(vks.lookup(p)?.record.id).not.toBe(cogito.id);
  });
});
