/**
 * tinystories-656k's tokenizer.json (BPE over ▁ with byte fallback) as the SPM vocabulary the
 * converter writes: llama.cpp's SPM tokenizer, merging by the scores derived from the merge ranks,
 * against Hugging Face's BPE algorithm written out in test/support/bpe-reference.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { convertModel } from '../../src/convert';
import { CogitoError, loadModel, type Model } from '../../src/engine';
import { ReferenceBpe } from '../support/bpe-reference';
import { tempDir } from '../support/engine';
import { referenceCases, stories260K, tinyStories656k } from '../support/shared-models';

let work: string;
let model: Model;

beforeAll(async () => {
  work = tempDir('cogito-convert-tok-');
  const out = path.join(work, 'ts.gguf');
  await convertModel({ input: tinyStories656k, output: out });
  model = await loadModel(out);
});
afterAll(async () => {
  await model?.dispose();
  fs.rmSync(work, { recursive: true, force: true });
});

test('tokenizes every reference text as Hugging Face\'s BPE does', () => {
  const bpe = new ReferenceBpe(path.join(tinyStories656k, 'tokenizer.json'));
  const texts = [
    ...referenceCases(tinyStories656k).flatMap((c) => [c.prompt_text as string, c.text, `${c.prompt_text as string}${c.text}`]),
    ...referenceCases(stories260K).flatMap((c) => [c.prompt as string, c.text]),
    'Once upon a time', 'The cat sat on the mat.\nThe end.', '  two  spaces ',
  ];
  expect(texts.length).toBeGreaterThan(30);
  for (const text of texts) expect({ text, tokens: model.tokenize(text, { addSpecial: false }) }).toEqual({ text, tokens: bpe.encode(text) });
  // BOS as tokenizer_config.json asks, then the text
  expect(model.tokenize('Once upon a time')).toEqual([1, ...bpe.encode('Once upon a time')]);
});

test('a character the vocabulary cannot spell (it has no byte tokens) is a TOKENIZE error, not a crash', () => {
  let caught: unknown;
  try {
    model.tokenize('caf\u00e9');
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(CogitoError);
  expect((caught as CogitoError).code).toBe('TOKENIZE');
});
