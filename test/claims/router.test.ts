import { join } from 'node:path';
import { ClaimRouter, extractClaims } from '../../src/claims';
import { DESCARTES_VOCABULARY, FactualVerifier, openDescartesCorpus } from '../../src/corpus';
import { Vks } from '../../src/vks';
import { tempDir } from '../vks/helpers';

describe('claim router', () => {
  let cleanup: () => void;
  let vks: Vks;
  const corpus = openDescartesCorpus();
  beforeEach(() => {
    const t = tempDir('cogito-router-');
    cleanup = t.cleanup;
    vks = Vks.open(join(t.dir, 'vks.db'));
    vks.add({ tier: 'AXIOM', text: 'I think, therefore I am.', aliases: ['Cogito, ergo sum.'], status: 'VERIFIED', method: 'SEED' });
    vks.add({ tier: 'DERIVED', text: 'Whatever is conceivable is possible.', status: 'REFUTED', method: 'Z3' });
  });
  afterEach(() => {
    vks.close();
    cleanup();
  });
  afterAll(() => corpus.close());

  const answer = [
    'Cogito, ergo sum.',
    'Descartes was born in 1596 at La Haye.',
    'Hobbes wrote the Fourth Objections.',
    'Arguably, the wax passage is best read as a lesson about judgement.',
    'I am not sure about the page numbers.',
    'The ontological argument is valid.',
    'Whatever is conceivable is possible.',
  ].join(' ');

  test('asks the VKS first, then the corpus, and soft-passes the rest', async () => {
    const router = new ClaimRouter({ vks, factual: new FactualVerifier(corpus, { people: DESCARTES_VOCABULARY.people }), vocabulary: DESCARTES_VOCABULARY });
    const v = await router.routeText(answer);
    expect(v.map((x) => [x.claim.kind, x.source, x.status])).toEqual([
      ['FORMAL', 'VKS', 'VERIFIED'],
      ['FACTUAL', 'CORPUS', 'VERIFIED'],
      ['FACTUAL', 'CORPUS', 'REFUTED'],
      ['INTERPRETIVE', 'SOFT', 'SOFT_PASS'],
      ['META', 'SOFT', 'SOFT_PASS'],
      ['FORMAL', 'SOLVER', 'UNVERIFIED'], // no logic backend given
      ['INTERPRETIVE', 'VKS', 'REFUTED'], // whatever its kind, the store already knows it is refuted
    ]);
    expect(v[0].vks).toMatchObject({ via: 'exact' });
    expect(v[1].reference).toBe('Life, Birth and education');
    expect(v[2].detail).toMatch(/fourth.*third/);
  });

  test('writes corpus verdicts to the VKS, so the next time the VKS answers', async () => {
    const router = new ClaimRouter({ vks, factual: new FactualVerifier(corpus, { people: DESCARTES_VOCABULARY.people }), vocabulary: DESCARTES_VOCABULARY });
    const first = await router.routeText('Descartes died in Stockholm in 1650.');
    expect(first[0]).toMatchObject({ source: 'CORPUS', status: 'VERIFIED' });
    const stored = vks.get(first[0].vks!.id)!;
    expect(stored).toMatchObject({ tier: 'FACTUAL', method: 'CORPUS', status: 'VERIFIED' });
    expect(stored.artifact).toMatchObject({ passage: 'life-death' });

    const again = await new ClaimRouter({ vks, factual: null, vocabulary: DESCARTES_VOCABULARY }).routeText('Descartes died in Stockholm, in 1650!');
    expect(again[0]).toMatchObject({ source: 'VKS', status: 'VERIFIED', reference: 'Life, Death' });
  });

  test('record: false leaves the store untouched', async () => {
    const before = vks.stats().records;
    await new ClaimRouter({ vks, factual: new FactualVerifier(corpus, { people: DESCARTES_VOCABULARY.people }), record: false, vocabulary: DESCARTES_VOCABULARY }).routeText('Descartes died in Stockholm in 1650.');
    expect(vks.stats().records).toBe(before);
  });

  test('extractClaims classifies every sentence', () => {
    const claims = extractClaims(answer, DESCARTES_VOCABULARY);
    expect(claims).toHaveLength(7);
    for (const c of claims) expect(c.confidence).toBeGreaterThan(0);
  });
});
