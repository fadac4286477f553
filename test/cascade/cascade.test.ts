// The cascade on the real default model, its sidecar, its domain pack and corpus, SQLite and the
// solvers: frame questions answered and checked, the VKS answering the second time, corrections
// from the corpus, posed arguments, self-repair, what stays open without an oracle, and bad input.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cascade, CogitoError, type AskResult } from '../../src/cascade';
import { repoRoot, tempDir } from '../support/engine';

let dir: string;
let cascade: Cascade;

beforeAll(async () => {
  dir = tempDir('cogito-cascade-');
  cascade = await Cascade.open({ vks: path.join(dir, 'vks.db'), threads: 1 });
});
afterAll(async () => {
  await cascade?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const only = (r: AskResult) => {
  expect(r.claims).toHaveLength(1);
  return r.claims[0];
};

test('the default model, pack and corpus are found beside the model', () => {
  expect(cascade.paths).toMatchObject({
    model: path.join(repoRoot, 'models', 'default.gguf'),
    sidecar: path.join(repoRoot, 'sidecars', 'default.gguf'),
    corpus: path.join(repoRoot, 'models', 'default.corpus.jsonl'),
    domain: path.join(repoRoot, 'models', 'default.domain.json'),
  });
});

test('a frame question answered right: VERIFIED from the corpus, then from the VKS; invalidated, it comes back UNVERIFIED saying so', async () => {
  const question = 'What instrument does Lana play?';
  const first = await cascade.ask(question);
  expect(first).toMatchObject({ status: 'VERIFIED', draft: 'bell', final: 'Lana plays the bell.', formal: null, oracle_calls: 0 });
  expect(first.decision).toEqual({ answered: true, confidence: expect.any(Number) });
  const claim = only(first);
  expect(claim).toMatchObject({ text: 'Lana plays the bell.', kind: 'FACTUAL', status: 'VERIFIED', source: 'CORPUS', correction: null });
  expect(claim.reference).toMatch(/World Gazetteer/);
  expect(first.annotated).toBe(`Lana plays the bell. [VERIFIED: CORPUS, ${claim.reference}]`);
  expect(Object.keys(first.timings_ms)).toEqual(expect.arrayContaining(['draft', 'claims', 'check', 'integrate', 'total']));

  const second = await cascade.ask(question);
  expect(only(second)).toMatchObject({ status: 'VERIFIED', source: 'VKS', vksId: claim.vksId });
  expect(only(second).reference).toMatch(/matched (by )?exact/);
  expect(second.id).not.toBe(first.id); // another source, another annotated answer
  expect((await cascade.ask(question)).id).toBe(second.id); // the same answer keeps its id

  cascade.vks.invalidate(claim.vksId as string, 'the gazetteer entry was withdrawn');
  const third = await cascade.ask(question);
  expect(third.status).toBe('UNVERIFIED');
  expect(only(third)).toMatchObject({ status: 'UNVERIFIED', source: 'VKS', vksId: claim.vksId });
  expect(only(third).reason).toMatch(/invalidated .*: the gazetteer entry was withdrawn$/);
  expect(third.annotated).toMatch(/^Lana plays the bell\. \[UNVERIFIED: its VKS record .* was invalidated/);
});

test('a Descartes question the model gets wrong: CORRECTED from the corpus, and the correction kept in the VKS', async () => {
  const question = 'Who wrote the Fourth Objections to the Meditations?';
  const r = await cascade.ask(question);
  expect(r.draft).toBe('Hobbes');
  expect(r.status).toBe('CORRECTED');
  expect(only(r)).toMatchObject({ text: 'Hobbes wrote the Fourth Objections.', status: 'CORRECTED', source: 'CORPUS', correction: 'Arnauld wrote the Fourth Objections.' });
  expect(r.final).toBe('Arnauld wrote the Fourth Objections.');
  expect(r.annotated).toMatch(/^Arnauld wrote the Fourth Objections\. \[CORRECTED: CORPUS, .*; was "Hobbes wrote the Fourth Objections\."\]$/);
  const again = await cascade.ask(question);
  expect(only(again)).toMatchObject({ status: 'CORRECTED', source: 'VKS', correction: 'Arnauld wrote the Fourth Objections.' });
  expect(cascade.vks.lookup('Arnauld wrote the Fourth Objections.')?.record).toMatchObject({ status: 'VERIFIED', method: 'CORPUS' });
});

test('the model refuses a question the corpus answers: VERIFIED from the corpus, the second time from the VKS', async () => {
  const question = 'In what year was the Discourse on the Method published?';
  const r = await cascade.ask(question);
  expect(r).toMatchObject({ draft: '', status: 'VERIFIED', final: 'The Discourse on the Method was published in 1637.' });
  expect(r.decision?.answered).toBe(false);
  expect(only(r)).toMatchObject({ source: 'CORPUS' });
  expect(only(await cascade.ask(question))).toMatchObject({ status: 'VERIFIED', source: 'VKS' });
});

test('a claim to check: a compound one is decomposed and each part checked', async () => {
  const right = await cascade.ask('Is it true that Tuten plays the harp and lives in Uten?');
  expect(right.status).toBe('VERIFIED');
  expect(only(right).repairs.map((a) => [a.strategy, a.input, a.decided])).toEqual([
    ['decompose', 'Tuten plays the harp.', true],
    ['decompose', 'Tuten lives in Uten.', true],
  ]);
  const wrong = await cascade.ask('Is it true that Tuten plays the harp and Lana plays the drum?');
  expect(wrong.status).toBe('CORRECTED');
  expect(only(wrong).correction).toBe('Tuten plays the harp. Lana plays the bell.');
  const direct = await cascade.ask('Is it true that Lana plays the harp?');
  expect(only(direct)).toMatchObject({ status: 'CORRECTED', correction: 'Lana plays the bell.' });
});

test('a posed argument: FOLIO\'s label from the logic layer, answered again from the VKS with its label', async () => {
  const valid = 'Premises: All men are mortal. Socrates is a man. Conclusion: Socrates is mortal.';
  const r = await cascade.ask(valid);
  expect(r.formal).toMatchObject({ answer: 'True', logic: 'classical' });
  expect(r).toMatchObject({ status: 'VERIFIED', final: 'True' });
  expect(only(r)).toMatchObject({ kind: 'FORMAL', status: 'VERIFIED', source: 'SOLVER' });
  const again = await cascade.ask(valid);
  expect(again.formal).toEqual(r.formal);
  expect(only(again).source).toBe('VKS');
  const invalid = await cascade.ask('Premises: All men are mortal. Socrates is mortal. Conclusion: Socrates is a man.');
  expect(invalid.formal?.answer).toBe('Uncertain');
  expect(only(invalid).reference).toMatch(/countermodel/);
});

test('without an oracle: an unseen fact the model guesses stays UNVERIFIED (re-stated, not proved); one it refuses is REFUSED; both say why', async () => {
  const guessed = await cascade.ask('What language is spoken in Dreris?');
  expect(guessed.status).toBe('UNVERIFIED');
  const claim = only(guessed);
  expect(claim).toMatchObject({ status: 'UNVERIFIED', source: 'NONE' });
  expect(claim.reason).toMatch(/the corpus does not say.*no oracle is configured$/);
  expect(claim.repairs.length).toBeGreaterThan(0);
  expect(claim.repairs.every((a) => a.strategy === 're-state' && !a.decided)).toBe(true);
  expect(guessed.annotated).toMatch(/\[UNVERIFIED: .*no oracle is configured\]$/);

  const refused = await cascade.ask('Which instrument does Muris play?');
  expect(refused).toMatchObject({ status: 'REFUSED', draft: '', final: '', claims: [], oracle_calls: 0 });
  expect(refused.annotated).toBe('[REFUSED: the model declined to answer; the corpus does not say, and no oracle is configured]');
});

test('a passage about another subject never corrects a claim, and an answer of the wrong kind is never verified', async () => {
  // the corpus has no river for Ruth; a passage about another country's river must not refute the model's (right) answer
  const river = await cascade.ask('Which river flows through Ruth?');
  expect(river.draft).toBe('Trustaten');
  expect(river.status).toBe('UNVERIFIED');
  expect(only(river)).toMatchObject({ text: 'The river Trustaten flows through Ruth.', status: 'UNVERIFIED', correction: null });
  // "smith" is no city: no passage that mentions smiths verifies it as the capital
  const capital = await cascade.ask('Which city is the capital of Sterin?');
  expect(capital.draft).toBe('smith');
  expect(capital.status).toBe('UNVERIFIED');
  expect(only(capital).reason).toMatch(/^"smith" is not an answer to this question/);
});

test('bad questions are refused before the model sees them, each with its code', async () => {
  await expect(cascade.ask('')).rejects.toMatchObject({ code: 'INVALID_QUESTION' });
  await expect(cascade.ask('   \n')).rejects.toMatchObject({ code: 'INVALID_QUESTION' });
  await expect(cascade.ask('What\0 is it?')).rejects.toMatchObject({ code: 'INVALID_QUESTION' });
  const err = await cascade.ask(`What is ${'the capital of Uten and '.repeat(200)}?`).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CogitoError);
  expect(err).toMatchObject({ code: 'CONTEXT_OVERFLOW', message: expect.stringMatching(/^the question takes \d+ tokens/) });
});

test('a corrupt corpus, domain pack or VKS file fails at open, naming what is wrong', async () => {
  const badCorpus = path.join(dir, 'bad.jsonl');
  fs.writeFileSync(badCorpus, `${fs.readFileSync(path.join(repoRoot, 'models', 'default.corpus.jsonl'), 'utf8').split('\n')[0]}\n{"id":"x","text":\n`);
  await expect(Cascade.open({ corpus: badCorpus, vks: ':memory:' })).rejects.toMatchObject({ code: 'INVALID_PASSAGE', message: expect.stringContaining(`${badCorpus}:2`) });
  const badPack = path.join(dir, 'bad.domain.json');
  fs.writeFileSync(badPack, '{"format":"cogito-domain","version":1}');
  await expect(Cascade.open({ domain: badPack, vks: ':memory:' })).rejects.toMatchObject({ code: 'INVALID_DOMAIN_PACK' });
  const badVks = path.join(dir, 'bad.db');
  fs.writeFileSync(badVks, 'this is not an SQLite file, just text that is long enough to be read as a header');
  await expect(Cascade.open({ vks: badVks })).rejects.toMatchObject({ code: 'VKS_SCHEMA', message: expect.stringContaining(badVks) });
});
