import { join } from 'node:path';
import { ClaimRouter, claimForAnswer, extractClaims, loadLogicBackend, lookupOptions, matchQuestion } from '../../src/claims';
import { CorpusIndex, DESCARTES_VOCABULARY, FactualVerifier, loadDomainPack, loadPassagesFile, openDescartesCorpus } from '../../src/corpus';
import { Vks, seedVks } from '../../src/vks';
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

describe('claim router: the issue 17 cases', () => {
  const corpus = openDescartesCorpus();
  const logic = loadLogicBackend();
  let vks: Vks;
  beforeEach(() => {
    vks = Vks.open(':memory:', lookupOptions(logic));
    seedVks(vks, (t) => logic.canonical(t));
  });
  afterEach(() => vks.close());
  afterAll(() => corpus.close());

  test('a true claim is not refuted by a passage about another event (the French translation)', async () => {
    const router = new ClaimRouter({ vks, factual: new FactualVerifier(corpus), vocabulary: DESCARTES_VOCABULARY });
    const [v] = await router.routeText('Descartes published the Meditations in 1641.');
    expect(v.status).not.toBe('REFUTED');
  });

  test('a lookup never answers a different claim, and finds a paraphrase', async () => {
    const router = new ClaimRouter({ vks, formal: logic, vocabulary: DESCARTES_VOCABULARY, record: false });
    const mortal = await router.check('I think, therefore I am mortal.');
    expect(mortal.source).not.toBe('VKS');
    expect(mortal.status).not.toBe('VERIFIED');
    expect(await router.check('Because I think, I exist.')).toMatchObject({ source: 'VKS', status: 'VERIFIED', vks: { via: 'fuzzy' } });
  });

  test('a formal claim the solver proves equivalent to a stored one is answered from the store', async () => {
    const stored = vks.add({ tier: 'DERIVED', text: '¬(P(a) ∧ Q(a))', canonical: logic.canonical('¬(P(a) ∧ Q(a))'), status: 'VERIFIED', method: 'Z3' });
    const router = new ClaimRouter({ vks, formal: logic, record: false });
    expect(vks.lookup('¬P(a) ∨ ¬Q(a)')).toBeNull(); // words cannot confirm it, and the canonical forms differ
    expect(await router.check('¬P(a) ∨ ¬Q(a)')).toMatchObject({ source: 'VKS', status: 'VERIFIED', vks: { id: stored.id, via: 'equivalent' } });
    expect((await router.check('¬P(a) ∧ ¬Q(a)')).source).not.toBe('VKS'); // stronger, not equivalent
  });
});

describe('claim router with a domain pack', () => {
  const pack = loadDomainPack(join(__dirname, '..', 'corpus', 'fixtures', 'world.domain.json'));
  const corpus = new CorpusIndex();
  corpus.add(loadPassagesFile(join(__dirname, '..', 'corpus', 'fixtures', 'world.corpus.jsonl')));
  let vks: Vks;
  beforeEach(() => {
    vks = Vks.open(':memory:');
  });
  afterEach(() => vks.close());
  afterAll(() => corpus.close());

  test('an answer to a frame question is checked as its frame fact, and a wrong one comes back with the correction', async () => {
    const router = new ClaimRouter({ vks, pack, factual: new FactualVerifier(corpus, { pack }) });
    const match = matchQuestion('What instrument does Lana play?', pack)!;
    const right = await router.check(claimForAnswer(match, 'bell'));
    expect(right).toMatchObject({ status: 'VERIFIED', source: 'CORPUS', claim: { kind: 'FACTUAL' }, fact: { subject: 'Lana', answer: 'bell' } });
    expect(right.correction).toBeUndefined();
    const wrong = await router.check(claimForAnswer(match, 'drum'));
    expect(wrong).toMatchObject({ status: 'REFUTED', source: 'CORPUS', correction: 'Lana plays the bell.', reference: 'The world, instrument' });
    // the verdict is stored with its correction, and the next lookup serves both
    const again = await new ClaimRouter({ vks, pack }).check('Lana plays the drum!');
    expect(again).toMatchObject({ status: 'REFUTED', source: 'VKS', correction: 'Lana plays the bell.' });
  });

  test('a fact nobody wrote about stays unverified', async () => {
    const router = new ClaimRouter({ vks, pack, factual: new FactualVerifier(corpus, { pack }) });
    expect(await router.check('Mara plays the harp.')).toMatchObject({ status: 'UNVERIFIED', source: 'CORPUS' });
  });
});
