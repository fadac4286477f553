import { join } from 'node:path';
import { readFrameStatement, matchQuestion } from '../../src/claims';
import { CorpusIndex, FactualVerifier, loadDomainPack, loadPassagesFile, openDescartesCorpus } from '../../src/corpus';

const FIXTURES = join(__dirname, 'fixtures');

describe('the lexical path refutes only a passage about the same fact', () => {
  const idx = openDescartesCorpus();
  const v = new FactualVerifier(idx);
  afterAll(() => idx.close());

  // The case: the passage on the Meditations also names the French translators (Luynes,
  // Clerselier), which is another event, not another author of the 1641 publication.
  test('"Descartes published the Meditations in 1641." is not refuted', () => {
    const r = v.verify('Descartes published the Meditations in 1641.');
    expect(r.verdict).not.toBe('CONTRADICTED');
    expect(r.correction).toBeNull();
  });

  test.each([
    'Descartes published the Meditations in 1641.',
    'The Meditations were published in Latin.',
    'The Meditations were published at Paris.',
    'Descartes went to Stockholm in 1649.',
    'The Principles of Philosophy appeared in 1644.',
    'Descartes was educated at La Flèche.',
  ])('a true claim is never refuted: %s', (claim) => {
    expect(v.verify(claim).verdict).not.toBe('CONTRADICTED');
  });

  test('negation is read in the clause that states the claim', () => {
    // the passage goes on "yet the property cannot be separated from it": another clause
    expect(v.verify('Arnauld objected to the real distinction with a triangle example.').verdict).toBe('SUPPORTED');
    expect(v.verify('Arnauld did not object to the real distinction with a triangle example.').verdict).toBe('CONTRADICTED');
  });

  test("a passage's work and section say where it stands", () => {
    const r = v.verify('In the Fourth Replies, only the memory of past demonstrations needs God as guarantee.');
    expect(r).toMatchObject({ verdict: 'SUPPORTED', passage: { id: 'rep4-circle' } });
    expect(v.verify('In the Fifth Replies, only the memory of past demonstrations needs God as guarantee.').verdict).not.toBe('SUPPORTED');
  });

  test.each([
    ['Descartes died in 1651.', /1651.*1650/],
    ['The Principles of Philosophy appeared in Latin at Amsterdam in 1645.', /1645.*1644/],
    ['Arnauld wrote the Fifth Objections.', /fifth.*fourth/],
  ])('a false claim about the same event is refuted: %s', (claim, reason) => {
    const r = v.verify(claim);
    expect(r.verdict).toBe('CONTRADICTED');
    expect(r.reason).toMatch(reason);
    expect(r.correction).toBeNull(); // corrections come with frame facts only
  });
});

describe('frame facts', () => {
  const pack = loadDomainPack(join(FIXTURES, 'world.domain.json'));
  const idx = new CorpusIndex();
  idx.add(loadPassagesFile(join(FIXTURES, 'world.corpus.jsonl')));
  const v = new FactualVerifier(idx, { pack, answerAliases: [['Duc de Luynes', 'Luynes', 'the Duke of Luynes']] });
  afterAll(() => idx.close());

  test.each([
    ['Lana plays the bell.', 'world:instrument:Lana'],
    ['lana plays the BELL', 'world:instrument:Lana'],
    ['Borl is the capital of Uten.', 'world:capital:Uten'],
    ['The capital of Ethovin is Ridilia.', 'world:capital:Ethovin'],
    ['The Discourse on the Method was published in 1637.', 'descartes:discourse-year'],
    ['The Duke of Luynes translated the Meditations into French.', 'descartes:meditations-translator'],
  ])('supports %s', (claim, id) => {
    const r = v.verify(claim);
    expect(r).toMatchObject({ verdict: 'SUPPORTED', correction: null });
    expect(r.passage!.id).toBe(id);
  });

  test.each([
    ['Lana plays the drum.', 'bell'],
    ['The capital of Uten is Karn.', 'Borl'],
    ['Tuten lives in Karsa.', 'Uten'],
    ['The Discourse on the Method was published in 1641.', '1637'],
    ['Clerselier translated the Meditations into French.', 'Duc de Luynes'],
  ])('contradicts %s with the correction %s', (claim, correction) => {
    const r = v.verify(claim);
    expect(r).toMatchObject({ verdict: 'CONTRADICTED', correction });
    expect(r.reference).toBe(`The world, ${r.passage!.section}`);
  });

  test('the same frame about another subject proves nothing', () => {
    // Tuten plays the harp; nothing is said of Mara's instrument.
    expect(v.verify('Mara plays the harp.')).toMatchObject({ verdict: 'NOT_FOUND', correction: null });
    expect(v.verify('Mara lives in Uten.').verdict).toBe('NOT_FOUND');
    // the river Sel flows through Uten: another river of another country is another fact
    expect(v.verify('The river Orva flows through Karsa.').verdict).toBe('NOT_FOUND');
  });

  test('the fact read by the caller is the one checked', () => {
    const fact = readFrameStatement('Lana plays the drum.', pack)!;
    expect(v.verify('Lana plays the drum.', fact)).toMatchObject({ verdict: 'CONTRADICTED', correction: 'bell' });
  });

  test('findAnswer: what the corpus says, for a question the model refused', () => {
    expect(v.findAnswer(matchQuestion('What instrument does Lana play?', pack)!)).toMatchObject({
      answer: 'bell',
      passage: { id: 'world:instrument:Lana' },
      reference: 'The world, instrument',
    });
    expect(v.findAnswer(matchQuestion('Which city is the capital of Ethovin?', pack)!)).toMatchObject({ answer: 'Ridilia' });
    expect(v.findAnswer(matchQuestion('When did the Discourse on the Method first appear?', pack)!)).toMatchObject({ answer: '1637' });
    expect(v.findAnswer(matchQuestion('What instrument does Mara play?', pack)!)).toBeNull();
    expect(v.findAnswer(matchQuestion('What is the capital of Karsa?', pack)!)).toBeNull();
  });

  test('a corpus that states two answers decides nothing', () => {
    const twice = new CorpusIndex();
    try {
      twice.add(loadPassagesFile(join(FIXTURES, 'world.corpus.jsonl')));
      twice.add([{ id: 'x', work: 'Gossip', section: 'x', atVolume: null, atPage: null, kind: 'fact', text: 'Lana plays the lute.' }]);
      const w = new FactualVerifier(twice, { pack });
      expect(w.verify('Lana plays the bell.').verdict).toBe('NOT_FOUND');
      expect(w.verify('Lana plays the drum.').verdict).toBe('NOT_FOUND');
      expect(w.findAnswer(matchQuestion('What does Lana play?', pack)!)).toBeNull();
    } finally {
      twice.close();
    }
  });
});
