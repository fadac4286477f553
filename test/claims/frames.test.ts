import { join } from 'node:path';
import { claimForAnswer, factForAnswer, matchQuestion, otherPhrasings, readFrameStatement, readQuestion } from '../../src/claims';
import { loadDomainPack } from '../../src/corpus';

const pack = loadDomainPack(join(__dirname, '..', 'corpus', 'fixtures', 'world.domain.json'));

describe('frame questions', () => {
  test.each([
    ['What instrument does Lana play?', 'instrument', 'Lana'],
    ['what instrument does lana play', 'instrument', 'Lana'],
    ['  What   instrument does LANA play ?? ', 'instrument', 'Lana'],
    ['Name the capital city of Ethovin', 'capital', 'Ethovin'],
    ["What is Tuten's trade?", 'trade', 'Tuten'],
    ['When did the Discourse on the Method first appear?', 'descartes:discourse-year', null],
  ])('%s asks %s of %s', (q, frame, subject) => {
    const m = matchQuestion(q, pack);
    expect(m).not.toBeNull();
    expect(m!.frame.id).toBe(frame);
    expect(m!.subject).toBe(subject);
  });

  test.each([
    'What instrument does Kant play?', // not a person of the pack
    'What instrument does Uten play?', // a country, not a person
    'What is the capital of Lana?', // a person, not a country
    'What instrument does Lana play in the evening?',
    'Who is Lana?',
    '',
  ])('%s asks no frame', (q) => {
    expect(matchQuestion(q, pack)).toBeNull();
  });

  test('an answer becomes the claim it makes', () => {
    const m = matchQuestion('What instrument does Lana play?', pack)!;
    expect(claimForAnswer(m, 'bell')).toBe('Lana plays the bell.');
    expect(claimForAnswer(m, ' the bell. ')).toBe('Lana plays the bell.');
    expect(claimForAnswer(m, 'Lana plays the bell.', pack)).toBe('Lana plays the bell.');
    const cap = matchQuestion('Which city is the capital of Uten?', pack)!;
    expect(claimForAnswer(cap, 'Borl')).toBe('The capital of Uten is Borl.');
    const year = matchQuestion('In what year was the Discourse on the Method published?', pack)!;
    expect(claimForAnswer(year, '1637')).toBe('The Discourse on the Method was published in 1637.');
  });

  test('the fact an answer states, for the verifier', () => {
    const m = matchQuestion('What instrument does Lana play?', pack)!;
    expect(factForAnswer(m, 'The BELL.', pack)).toEqual({ frame: m.frame, subject: 'Lana', answer: 'bell' });
    expect(factForAnswer(m, 'a trumpet')).toEqual({ frame: m.frame, subject: 'Lana', answer: 'trumpet' });
  });

  test('other phrasings of the question, for re-asking', () => {
    const m = matchQuestion('What instrument does Lana play?', pack)!;
    expect(otherPhrasings(m)).toEqual(['Which instrument does Lana play?', 'What does Lana play?']);
  });

  test.each([
    ['Lana plays the bell.', 'instrument', 'Lana', 'bell'],
    ['Borl is the capital of Uten.', 'capital', 'Uten', 'Borl'],
    ['the river sel flows through uten', 'river', 'Uten', 'Sel'],
    ['The Duc de Luynes translated the Meditations into French.', 'descartes:meditations-translator', null, 'Duc de Luynes'],
    ['The Discourse on the Method was published in 1637.', 'descartes:discourse-year', null, '1637'],
  ])('%s states %s', (sentence, frame, subject, answer) => {
    expect(readFrameStatement(sentence, pack)).toMatchObject({ frame: { id: frame }, subject, answer });
  });

  test.each([
    'Lana plays the trumpet.', // not an instrument of the pack
    'Lana plays the bell well.',
    'The capital of Lana is Borl.',
    'The Discourse on the Method was published in French.',
    'I think, therefore I am.',
  ])('%s states no frame fact', (s) => {
    expect(readFrameStatement(s, pack)).toBeNull();
  });
});

describe('readQuestion', () => {
  test.each([
    ['Is it true that because I think, I exist?', 'Because I think, I exist.'],
    ['True or false: I think, therefore I am.', 'I think, therefore I am.'],
    ['true or false? Descartes died in 1650', 'Descartes died in 1650.'],
    ['Verify: cogito, ergo sum.', 'Cogito, ergo sum.'],
    ['Check: Lana plays the bell', 'Lana plays the bell.'],
    ['Check that Lana plays the bell.', 'Lana plays the bell.'],
    ['Is it the case that God exists?', 'God exists.'],
  ])('%s is a check of "%s"', (q, claim) => {
    expect(readQuestion(q, pack)).toEqual({ kind: 'check', claim });
    expect(readQuestion(q)).toEqual({ kind: 'check', claim });
  });

  test('a frame question, and open questions', () => {
    expect(readQuestion('What instrument does Lana play?', pack)).toMatchObject({ kind: 'frame', match: { frame: { id: 'instrument' }, subject: 'Lana' } });
    expect(readQuestion('What instrument does Lana play?')).toEqual({ kind: 'open' });
    expect(readQuestion('Why did Descartes doubt everything?', pack)).toEqual({ kind: 'open' });
    expect(readQuestion('Verify:', pack)).toEqual({ kind: 'open' });
    expect(readQuestion('Checkers is a game?', pack)).toEqual({ kind: 'open' });
  });
});
