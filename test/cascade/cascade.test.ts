// The cascade on the real default model, its sidecar, SQLite and the corpus: one question from
// draft to annotated answer, the VKS answering the second time, invalidation, and bad input.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cascade, CogitoError } from '../../src/cascade';
import { DESCARTES_PASSAGES } from '../../src/corpus';
import { tempDir } from '../support/engine';

let dir: string;
let corpus: string;
let cascade: Cascade;

beforeAll(async () => {
  dir = tempDir('cogito-cascade-');
  corpus = path.join(dir, 'descartes.jsonl');
  fs.writeFileSync(corpus, DESCARTES_PASSAGES.map((p) => JSON.stringify(p)).join('\n'));
  cascade = await Cascade.open({ corpus, vks: path.join(dir, 'vks.db'), threads: 1 });
});
afterAll(async () => {
  await cascade?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a claim to check that the corpus supports: VERIFIED from the corpus, then from the VKS; invalidated, it comes back UNVERIFIED saying so', async () => {
  const question = 'Is it true that Descartes was born in 1596?';
  const first = await cascade.ask(question);
  expect(first.status).toBe('VERIFIED');
  expect(first.claims).toHaveLength(1);
  const [claim] = first.claims;
  expect(claim).toMatchObject({ text: 'Descartes was born in 1596.', kind: 'FACTUAL', status: 'VERIFIED', source: 'CORPUS' });
  expect(claim.reference).toBeTruthy();
  expect(first.annotated).toContain('[VERIFIED: CORPUS');
  expect(first.final).toBe('Descartes was born in 1596.');
  expect(Object.keys(first.timings_ms)).toEqual(expect.arrayContaining(['draft', 'claims', 'check', 'integrate', 'total']));

  const second = await cascade.ask(question);
  expect(second.claims[0]).toMatchObject({ status: 'VERIFIED', source: 'VKS', vksId: claim.vksId });
  expect(second.id).not.toBe(first.id); // answered from another source: another annotated answer
  expect(await cascade.ask(question)).toMatchObject({ id: second.id }); // the same answer keeps its id

  cascade.vks.invalidate(claim.vksId as string, 'a passage was withdrawn');
  const third = await cascade.ask(question);
  expect(third.status).toBe('UNVERIFIED');
  expect(third.claims[0]).toMatchObject({ status: 'UNVERIFIED', source: 'VKS' });
  expect(third.claims[0].reason).toMatch(/invalidated/);
  expect(third.annotated).toMatch(/\[UNVERIFIED: .*invalidated/);
});

test('bad questions are refused before the model sees them, each with its code', async () => {
  await expect(cascade.ask('')).rejects.toMatchObject({ code: 'INVALID_QUESTION' });
  await expect(cascade.ask('   \n')).rejects.toMatchObject({ code: 'INVALID_QUESTION' });
  await expect(cascade.ask('What\0 is it?')).rejects.toMatchObject({ code: 'INVALID_QUESTION' });
  const long = `What is ${'the capital of Uten and '.repeat(200)}?`;
  const err = await cascade.ask(long).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CogitoError);
  expect(err).toMatchObject({ code: 'CONTEXT_OVERFLOW' });
  expect((err as Error).message).toMatch(/the question takes \d+ tokens/);
});

test('a corrupt corpus or VKS file fails at open, naming what is wrong', async () => {
  const badCorpus = path.join(dir, 'bad.jsonl');
  fs.writeFileSync(badCorpus, `${JSON.stringify(DESCARTES_PASSAGES[0])}\n{"id":"x","text":\n`);
  await expect(Cascade.open({ corpus: badCorpus, vks: ':memory:' })).rejects.toMatchObject({ code: 'INVALID_PASSAGE', message: expect.stringContaining(`${badCorpus}:2`) });
  const badVks = path.join(dir, 'bad.db');
  fs.writeFileSync(badVks, 'this is not an SQLite file, just text that is long enough to be read as a header');
  const err = await Cascade.open({ corpus, vks: badVks }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CogitoError);
  expect((err as CogitoError).code).toMatch(/^VKS_/);
});
